"""Which database failures mean "try again soon" (503) rather than a bug (500)."""

from __future__ import annotations

import asyncpg
from sqlalchemy import exc

from taskmaster.errors import Unavailable

RETRY_AFTER_SECONDS = 1

# A connection that died or a server that is going away, starting up, or full.
DRIVER_CONNECTION_ERRORS: tuple[type[Exception], ...] = (
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    OSError,
    TimeoutError,
)


# What a hot standby answers now and then (a query cancelled by a conflict with recovery)
# or a server that has become read-only: the statement may well succeed elsewhere.
REPLICA_REFUSALS: tuple[type[Exception], ...] = (
    asyncpg.SerializationError,
    asyncpg.QueryCanceledError,
    asyncpg.ReadOnlySQLTransactionError,
)


class DatabaseUnavailable(Unavailable):
    def __init__(self) -> None:
        super().__init__("Server busy. Please try again.", retry_after=RETRY_AFTER_SECONDS)


def is_unavailable(error: BaseException) -> bool:
    """True for a pool with no free connection in time, a lost connection, a server down."""
    if isinstance(error, exc.TimeoutError | DatabaseUnavailable):
        return True
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:
            return True
        cause = error.orig.__cause__ if error.orig is not None else None
        locked = "database is locked" in str(error.orig)  # SQLite's busy timeout ran out
        return locked or isinstance(cause, DRIVER_CONNECTION_ERRORS + REPLICA_REFUSALS)
    return isinstance(error, DRIVER_CONNECTION_ERRORS + REPLICA_REFUSALS)
