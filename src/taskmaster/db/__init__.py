"""Data layer: engines, sessions, the declarative base and Alembic migrations."""
