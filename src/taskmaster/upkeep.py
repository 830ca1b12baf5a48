"""Forgetting what is kept only for a while: deletions syncing clients may still need, and
idempotency keys. Every instance does it now and then; doing it twice changes nothing."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import structlog

from taskmaster.clock import Clock
from taskmaster.idempotency.keys import IdempotencyKeys
from taskmaster.tasks.service import TaskService

log = structlog.get_logger(__name__)
INTERVAL_SECONDS = 3600.0


class Upkeep:
    def __init__(
        self,
        tasks: TaskService,
        idempotency: IdempotencyKeys,
        *,
        clock: Clock,
        tombstones_kept: timedelta,
        interval: float = INTERVAL_SECONDS,
    ) -> None:
        self._tasks = tasks
        self._idempotency = idempotency
        self._clock = clock
        self._tombstones_kept = tombstones_kept
        self._interval = interval
        self._closing = asyncio.Event()
        self._loop: asyncio.Task[None] | None = None

    async def run_once(self) -> tuple[int, int]:
        """Forget old tombstones and expired keys; how many of each."""
        now = self._clock()
        tombstones = await self._tasks.forget_tombstones(now - self._tombstones_kept)
        keys = await self._idempotency.forget(now - self._idempotency.lifetime)
        return tombstones, keys

    async def _run(self) -> None:
        while not self._closing.is_set():
            try:
                tombstones, keys = await self.run_once()
            except Exception as error:  # the database away for a while: the next round retries
                log.warning("upkeep failed", error=repr(error))
            else:
                if tombstones or keys:
                    log.info("upkeep", tombstones_forgotten=tombstones, keys_forgotten=keys)
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
