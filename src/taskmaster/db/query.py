"""Hot-path statements: written with SQLAlchemy Core, compiled once, run on the driver.

On PostgreSQL a `Query` goes straight to asyncpg with positional arguments (asyncpg keeps
the prepared statement per connection), skipping SQLAlchemy's per-call compile-cache lookup
and row processing: about 0.1 ms a request on this machine. Values must therefore already
be what the driver takes (UUID, aware datetime, int, str). Other databases run the
statement through SQLAlchemy as usual.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy.dialects import registry
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.util import greenlet_spawn

from taskmaster.db.failures import DRIVER_CONNECTION_ERRORS, DatabaseUnavailable

Rows = Sequence[Sequence[Any]]
T = TypeVar("T")


@functools.cache
def asyncpg_dialect() -> Dialect:
    """The dialect the hot path compiles for, to read its SQL without an engine (the
    benchmark's floor, the query-plan tests)."""
    dialect: Dialect = registry.load("postgresql.asyncpg")()
    return dialect


class Query:
    """A Core statement with named bind parameters, compiled once per dialect; `on` names
    another statement for a dialect that cannot run the first (or runs another better)."""

    def __init__(
        self, statement: Executable, *, on: Mapping[str, Executable] | None = None
    ) -> None:
        self.statement = statement
        self._variants = dict(on or {})
        self._compiled: dict[str, tuple[str, tuple[str, ...]]] = {}

    def statement_for(self, dialect: Dialect) -> Executable:
        return self._variants.get(dialect.name, self.statement)

    def compiled(self, dialect: Dialect) -> tuple[str, tuple[str, ...]]:
        """The SQL for `dialect` and the names of its parameters in positional order."""
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            statement = cast(
                SQLCompiler,
                cast(ClauseElement, self.statement_for(dialect)).compile(dialect=dialect),
            )
            compiled = (str(statement), tuple(statement.positiontup or ()))
            self._compiled[dialect.name] = compiled
        return compiled


async def fetch_on_driver(
    driver: Any, dialect: Dialect, query: Query, values: Mapping[str, Any]
) -> Rows:
    """Run `query` on an asyncpg connection, with positional arguments."""
    sql, names = query.compiled(dialect)
    rows: Rows = await driver.fetch(sql, *[values[name] for name in names])
    return rows


async def execute(connection: AsyncConnection, query: Query, values: Mapping[str, Any]) -> Rows:
    """`fetch` through SQLAlchemy on every driver: in the transaction SQLAlchemy began on
    `connection` (which asyncpg's adapter begins at its first statement, not before)."""
    result = await connection.execute(query.statement_for(connection.dialect), dict(values))
    return result.all() if result.returns_rows else []


async def fetch(connection: AsyncConnection, query: Query, values: Mapping[str, Any]) -> Rows:
    """The rows `query` returns for `values`, as sequences in the statement's column order."""
    if connection.dialect.driver != "asyncpg":
        return await execute(connection, query, values)

    async def run(driver: Any) -> Rows:
        return await fetch_on_driver(driver, connection.dialect, query, values)

    return await on_driver(connection, run)


async def on_driver(connection: AsyncConnection, work: Callable[[Any], Awaitable[T]]) -> T:
    """Do `work` on the asyncpg connection under SQLAlchemy's `connection`."""
    raw = await connection.get_raw_connection()
    try:
        return await work(raw.driver_connection)
    except DRIVER_CONNECTION_ERRORS as error:
        # SQLAlchemy did not see this failure, so do what it does on a disconnect: distrust
        # every connection of the pool opened before now (a restarted server killed them
        # all); each reconnects when next taken. This request answers 503.
        await greenlet_spawn(raw._pool._invalidate, raw, error)
        raise DatabaseUnavailable() from error
