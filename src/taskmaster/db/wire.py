"""SQL expressions that the database renders as the API's text, so no Python runs per field.

Formatting three timestamps and two UUIDs per row in Python made a 50-task list cost about
2.5x its query; PostgreSQL's to_char and SQLite's strftime do it while producing the row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Integer, String, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from taskmaster.db.base import UTCDateTime

# Where "no date" sorts: after every stored moment, as those are whole milliseconds. Not
# datetime.max, which asyncpg sends as 'infinity'.
NEVER = datetime(9999, 12, 31, 23, 59, 59, 999_500, tzinfo=UTC)


class iso_millis(FunctionElement[str]):  # lower case, as the SQL functions beside it
    """A timestamp as JavaScript's toISOString() writes it: 2026-12-01T09:30:00.000Z."""

    type = String()
    inherit_cache = True


class uuid_text(FunctionElement[str]):
    """A UUID in its canonical dashed, lower-case form."""

    type = String()
    inherit_cache = True


class or_never(FunctionElement[datetime]):
    """A nullable timestamp with NULL read as NEVER: one index order for dated and undated."""

    type = UTCDateTime()
    inherit_cache = True


def constant(value: str | int) -> ColumnElement[Any]:
    """A literal written into the SQL text (not a parameter), as an index expression needs."""
    if isinstance(value, int):
        return literal_column(str(value), Integer())
    return literal_column("'" + value.replace("'", "''") + "'", String())


def _argument(element: FunctionElement[Any], compiler: Any, **kw: Any) -> str:
    [argument] = element.clauses
    return str(compiler.process(argument, **kw))


@compiles(iso_millis, "postgresql")
def _iso_millis_postgresql(element: iso_millis, compiler: Any, **kw: Any) -> str:
    value = _argument(element, compiler, **kw)
    return f"""to_char({value} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""


@compiles(iso_millis, "sqlite")
def _iso_millis_sqlite(element: iso_millis, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m-%dT%H:%M:%fZ', {_argument(element, compiler, **kw)})"


@compiles(uuid_text, "postgresql")
def _uuid_text_postgresql(element: uuid_text, compiler: Any, **kw: Any) -> str:
    return f"CAST({_argument(element, compiler, **kw)} AS TEXT)"


@compiles(uuid_text, "sqlite")
def _uuid_text_sqlite(element: uuid_text, compiler: Any, **kw: Any) -> str:
    # SQLAlchemy stores a UUID on SQLite as 32 lower-case hex digits.
    value = _argument(element, compiler, **kw)
    parts = [(1, 8), (9, 4), (13, 4), (17, 4), (21, 12)]
    return " || '-' || ".join(f"substr({value}, {start}, {length})" for start, length in parts)


@compiles(or_never, "postgresql")
def _or_never_postgresql(element: or_never, compiler: Any, **kw: Any) -> str:
    value = _argument(element, compiler, **kw)
    return f"COALESCE({value}, '{NEVER.isoformat()}'::timestamptz)"


@compiles(or_never, "sqlite")
def _or_never_sqlite(element: or_never, compiler: Any, **kw: Any) -> str:
    # SQLAlchemy's SQLite storage format for a UTC moment.
    value = _argument(element, compiler, **kw)
    return f"COALESCE({value}, '{NEVER.replace(tzinfo=None).isoformat(sep=' ')}')"
