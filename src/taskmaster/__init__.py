"""TaskMaster: a task manager that grows from one laptop process to a scaled service."""

__version__ = "0.1.0"
