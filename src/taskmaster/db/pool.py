"""A connection pool with a floor and a ceiling: idle connections above the floor are closed."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import exc
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry
from sqlalchemy.util import queue

IDLE_SINCE = "idle_since"


@dataclass(frozen=True)
class PoolStats:
    """What a pool holds right now, and how often a request waited in vain."""

    max: int
    open: int
    in_use: int
    idle: int
    waiting: int
    timeouts: int

    def as_dict(self) -> dict[str, int]:
        return {
            "max": self.max,
            "open": self.open,
            "inUse": self.in_use,
            "idle": self.idle,
            "waiting": self.waiting,
            "timeouts": self.timeouts,
        }


class TrimmingPool(AsyncAdaptedQueuePool):
    """At most `pool_size` connections, reused newest first (LIFO), so that after a burst the
    spare ones fall idle and `trim` can close those idle for too long, down to a floor.

    SQLAlchemy's own QueuePool closes every connection above its size the moment it is
    returned, which under steady load opens and closes a connection per request.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("use_lifo", True)
        kwargs["max_overflow"] = 0
        super().__init__(*args, **kwargs)
        self.waiting = 0
        self.timeouts = 0

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        record.info[IDLE_SINCE] = time.monotonic()
        super()._do_return_conn(record)

    def _do_get(self) -> ConnectionPoolEntry:
        self.waiting += 1
        try:
            return super()._do_get()
        except exc.TimeoutError:
            self.timeouts += 1
            raise
        finally:
            self.waiting -= 1

    async def take(self) -> ConnectionPoolEntry | None:
        """The newest idle connection, taken without SQLAlchemy's checkout (no greenlet, no
        events, no reset): for a statement run straight on the driver, outside any
        transaction. When every connection is open and busy, wait in turn (first come,
        first served) up to the pool's timeout. None when a connection must be opened or
        reopened: SQLAlchemy's checkout (`connect()`) does that."""
        if not self.waiting:  # those waiting are served first
            with contextlib.suppress(queue.Empty):
                return self._usable(self._pool.get(block=False))
        if self._overflow < self._max_overflow:
            return None  # a connection may still be opened
        self.waiting += 1
        try:
            record = await asyncio.wait_for(self._line().get(), self._timeout)
        except TimeoutError:
            self.timeouts += 1
            raise exc.TimeoutError(f"no connection within {self._timeout} s") from None
        finally:
            self.waiting -= 1
        return self._usable(record)

    def _line(self) -> asyncio.Queue[ConnectionPoolEntry]:
        """The asyncio queue under SQLAlchemy's: its getters wait first in, first out."""
        line: asyncio.Queue[ConnectionPoolEntry] = cast(Any, self._pool)._queue
        return line

    def _usable(self, record: ConnectionPoolEntry) -> ConnectionPoolEntry | None:
        connected_at: float = cast(Any, record).starttime
        if record.dbapi_connection is None or self._invalidate_time > connected_at:
            self._pool.put(record, block=False)  # back on top: the next checkout reconnects it
            return None
        return record

    def give_back(self, record: ConnectionPoolEntry) -> None:
        """Return a connection `take` handed out."""
        self._do_return_conn(record)

    def discard(self, record: ConnectionPoolEntry, error: BaseException) -> None:
        """Close a connection `take` handed out that failed or was interrupted mid-
        statement (its state is unknown), and return its slot, which reconnects when next
        taken. Outside SQLAlchemy's greenlet context the close is immediate (no goodbye)."""
        record.invalidate(error)
        self.give_back(record)

    def distrust(self, record: ConnectionPoolEntry, error: BaseException) -> None:
        """A connection failed as the server went away: treat every connection opened before
        now as dead too (SQLAlchemy's own rule on a disconnect), and discard this one."""
        self._invalidate_time = time.time()
        self.discard(record, error)

    def _idle_records(self) -> list[ConnectionPoolEntry]:
        """Take every idle record out of the queue, newest first (no awaiting: atomic)."""
        records: list[ConnectionPoolEntry] = []
        while True:
            try:
                records.append(self._pool.get(block=False))
            except queue.Empty:
                return records

    def trim(self, keep: int, idle_seconds: float) -> int:
        """Close connections idle for `idle_seconds` beyond the `keep` most recently used open
        ones; their slots stay and reconnect when needed. How many were closed. Runs in
        SQLAlchemy's greenlet context (closing awaits the driver)."""
        open_in_use = self.checkedout()
        records = self._idle_records()
        stale_before = time.monotonic() - idle_seconds
        closed = 0
        try:
            for record in records:  # newest first
                if record.dbapi_connection is None:
                    continue
                if open_in_use >= keep and record.info.get(IDLE_SINCE, 0) < stale_before:
                    record.close()
                    closed += 1
                else:
                    open_in_use += 1
        finally:
            for record in reversed(records):  # the oldest go back first: LIFO order kept
                self._pool.put(record, block=False)
        return closed

    def stats(self) -> PoolStats:
        in_use = self.checkedout()
        idle = self._idle_records()
        try:
            idle_open = sum(1 for record in idle if record.dbapi_connection is not None)
        finally:
            for record in reversed(idle):
                self._pool.put(record, block=False)
        return PoolStats(
            max=self.size(),
            open=in_use + idle_open,
            in_use=in_use,
            idle=idle_open,
            waiting=self.waiting,
            timeouts=self.timeouts,
        )
