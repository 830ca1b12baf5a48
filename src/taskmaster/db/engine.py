"""The database handle: one async engine and its session factory."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from taskmaster.config import Settings


def _sqlite_lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on, WAL for concurrent readers, and a unicode-aware lower().

    The driver's own transaction handling is switched off (SQLAlchemy's pysqlite recipe):
    left on, it commits at a savepoint's release, in the middle of the request's transaction.
    `_begin` starts every transaction instead.
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
    dbapi_connection.create_function("lower", 1, _sqlite_lower, deterministic=True)


def _begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def create_engine(settings: Settings) -> AsyncEngine:
    """An engine for the configured database, pooled as the settings say."""
    url = settings.resolved_database_url
    if settings.uses_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # One connection: SQLite has one writer at a time, and a second connection's write
        # transaction would fail with "database is locked" instead of waiting its turn.
        engine = create_async_engine(
            url,
            echo=settings.db_echo,
            pool_size=1,
            max_overflow=0,
            pool_timeout=settings.db_pool_timeout,
        )
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        event.listen(engine.sync_engine, "begin", _begin)
        return engine
    return create_async_engine(
        url,
        echo=settings.db_echo,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        pool_pre_ping=True,
    )


class Database:
    """An engine with the session factory bound to it."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(create_engine(settings))

    def session(self) -> AsyncSession:
        return self.sessions()

    async def dispose(self) -> None:
        await self.engine.dispose()
