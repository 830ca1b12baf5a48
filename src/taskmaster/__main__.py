"""Allow `python -m taskmaster`."""

from taskmaster.cli import app

app()
