"""Engines: the primary's and each replica's, pooled as the settings say."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from taskmaster.config import Settings
from taskmaster.db.pool import TrimmingPool


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


def _sqlite_engine(settings: Settings) -> AsyncEngine:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # One connection: SQLite has one writer at a time, and a second connection's write
    # transaction would fail with "database is locked" instead of waiting its turn.
    engine = create_async_engine(
        settings.resolved_database_url,
        echo=settings.db_echo,
        poolclass=TrimmingPool,
        pool_size=1,
        pool_timeout=settings.db_pool_timeout,
    )
    event.listen(engine.sync_engine, "connect", _configure_sqlite)
    event.listen(engine.sync_engine, "begin", _begin)
    return engine


def _driver_options(settings: Settings) -> dict[str, Any]:
    """asyncpg's connect arguments. Behind a transaction pooler (PgBouncer) consecutive
    statements may reach different server connections, so no prepared statement may be
    named and kept: both asyncpg's cache and SQLAlchemy's are off."""
    options: dict[str, Any] = {"timeout": settings.db_connect_timeout}
    if settings.db_transaction_pooler:
        options |= {"statement_cache_size": 0, "prepared_statement_cache_size": 0}
    return options


def postgres_engine(url: str, settings: Settings) -> AsyncEngine:
    """An engine for a PostgreSQL server: at most DB_POOL_MAX connections, newest first.

    No pre-ping: it would add a round trip to every request. A connection found dead is
    invalidated with the rest of the pool, the request answers 503, and the next reconnects.
    """
    return create_async_engine(
        url,
        echo=settings.db_echo,
        poolclass=TrimmingPool,
        pool_size=settings.db_pool_max,
        pool_timeout=settings.db_pool_timeout,
        connect_args=_driver_options(settings),
    )


def create_engine(settings: Settings) -> AsyncEngine:
    """The primary's engine: the configured database, or the embedded SQLite file."""
    if settings.uses_sqlite:
        return _sqlite_engine(settings)
    return postgres_engine(settings.resolved_database_url, settings)


def display_name(url: str) -> str:
    """host:port/database, never the password."""
    parsed = make_url(url)
    return f"{parsed.host}:{parsed.port or 5432}/{parsed.database or ''}"
