"""Whether this instance should be sent traffic (`/ready`), and draining before it stops.

`/health` says the process answers; `/ready` says it can serve: the database answers and holds
the schema this code was written for (migrated to head), Redis answers when one is
configured, and the instance is not draining. On SIGTERM it drains: `/ready` answers 503 at
once, so that the balancer (nginx, a Kubernetes Service) stops sending new requests, and
DRAIN_SECONDS later the server stops accepting connections and finishes the requests it holds
(uvicorn's graceful shutdown) before it exits.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

import structlog
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from taskmaster.cache.base import KeyValue
from taskmaster.db.failures import is_unavailable
from taskmaster.db.migrate import alembic_config

log = structlog.get_logger(__name__)

CHECK_SECONDS = 2.0  # a check that takes longer than this counts as failed
OK = "ok"


def head_revision() -> str | None:
    """The newest migration this code knows (reads the migration files)."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


@dataclass(frozen=True)
class Verdict:
    ready: bool
    checks: dict[str, str]


async def _revisions(connection: AsyncConnection) -> set[str]:
    """The revisions the database was migrated to; none when it never was."""
    try:
        found = await connection.execute(text("SELECT version_num FROM alembic_version"))
    except DBAPIError as error:
        if is_unavailable(error):
            raise
        return set()  # no such table
    return {row[0] for row in found}


class Readiness:
    """The checks behind `/ready`, and the draining flag that fails them all."""

    def __init__(self, engine: AsyncEngine, store: KeyValue | None) -> None:
        self._engine = engine
        self._store = store  # the shared store, when it is Redis
        self._head: str | None = None
        self.draining = False

    async def verdict(self) -> Verdict:
        checks = {"database": await self._database()}
        if self._store is not None:
            checks["redis"] = await self._redis()
        if self.draining:
            checks["instance"] = "draining"
        return Verdict(all(value == OK for value in checks.values()), checks)

    async def _database(self) -> str:
        if self._head is None:
            self._head = await asyncio.to_thread(head_revision)
        try:
            async with asyncio.timeout(CHECK_SECONDS), self._engine.connect() as connection:
                revisions = await _revisions(connection)
        except Exception as error:  # any failure is an answer: not ready
            log.warning("readiness: the database did not answer", error=repr(error))
            return "unreachable"
        if revisions != {self._head}:
            return f"schema at {', '.join(sorted(revisions)) or 'nothing'}, code needs {self._head}"
        return OK

    async def _redis(self) -> str:
        assert self._store is not None
        try:
            async with asyncio.timeout(CHECK_SECONDS):
                await self._store.get("ready")
        except Exception as error:  # any failure is an answer: not ready
            log.warning("readiness: Redis did not answer", error=repr(error))
            return "unreachable"
        return OK


Handler = Callable[[int, FrameType | None], Any] | int | None


def drain_on_sigterm(readiness: Readiness, seconds: float) -> Callable[[], None]:
    """Make SIGTERM drain first: not ready at once, the server's own SIGTERM handling (its
    graceful shutdown) `seconds` later; a second SIGTERM stops at once. Returns what puts the
    server's handler back. Does nothing outside the main thread (signals cannot be heard
    there) or when `seconds` is 0."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        return lambda: None
    loop = asyncio.get_running_loop()
    stop: Handler = signal.getsignal(signal.SIGTERM)

    def stop_now(signum: int, frame: FrameType | None) -> None:
        if callable(stop):
            stop(signum, frame)
        else:  # nobody handled it before: end as SIGTERM ends a process
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.raise_signal(signal.SIGTERM)

    def drain(signum: int, frame: FrameType | None) -> None:
        if readiness.draining:
            stop_now(signum, frame)
            return
        readiness.draining = True
        log.info("draining: not ready, stopping soon", seconds=seconds)
        loop.call_soon_threadsafe(loop.call_later, seconds, stop_now, signum, None)

    signal.signal(signal.SIGTERM, drain)

    def undo() -> None:
        if stop is not None:  # None: not set from Python, so not ours to put back
            signal.signal(signal.SIGTERM, stop)

    return undo
