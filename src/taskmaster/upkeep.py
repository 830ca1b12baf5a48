"""Forgetting what is kept only for a while: deletions syncing clients may still need,
idempotency keys, and the security log's old entries. Every instance does it now and then;
doing it twice changes nothing."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import asdict, dataclass
from datetime import timedelta

import structlog

from taskmaster.auth.security_log import SecurityEvents
from taskmaster.clock import Clock
from taskmaster.idempotency.keys import IdempotencyKeys
from taskmaster.tasks.service import TaskService

log = structlog.get_logger(__name__)
INTERVAL_SECONDS = 3600.0


@dataclass(frozen=True)
class Forgotten:
    tombstones: int = 0
    keys: int = 0
    security_events: int = 0


class Upkeep:
    def __init__(
        self,
        tasks: TaskService,
        idempotency: IdempotencyKeys,
        security_events: SecurityEvents,
        *,
        clock: Clock,
        tombstones_kept: timedelta,
        security_events_kept: timedelta,
        interval: float = INTERVAL_SECONDS,
    ) -> None:
        self._tasks = tasks
        self._idempotency = idempotency
        self._security_events = security_events
        self._clock = clock
        self._tombstones_kept = tombstones_kept
        self._security_events_kept = security_events_kept
        self._interval = interval
        self._closing = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None

    async def run_once(self) -> Forgotten:
        """Forget old tombstones, expired keys and old security events; how many of each."""
        now = self._clock()
        return Forgotten(
            tombstones=await self._tasks.forget_tombstones(now - self._tombstones_kept),
            keys=await self._idempotency.forget(now - self._idempotency.lifetime),
            security_events=await self._security_events.forget(now - self._security_events_kept),
        )

    async def _run(self) -> None:
        while not self._closing.is_set():
            try:
                forgotten = await self.run_once()
            except Exception as error:  # the database away for a while: the next round retries
                log.warning("upkeep failed", error=repr(error))
            else:
                if forgotten != Forgotten():
                    counts = {f"{what}_forgotten": n for what, n in asdict(forgotten).items()}
                    log.info("upkeep", **counts)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self._interval)

    def start(self) -> None:
        if self._loop is None:
            self._loop = asyncio.create_task(self._run(), name="upkeep")

    async def close(self) -> None:
        self._closing.set()
        if self._loop is not None:
            await asyncio.gather(self._loop, return_exceptions=True)
            self._loop = None
