"""The relay: publishes the outbox's events after their transactions commit, in order, at
least once.

A round claims the oldest unsent events in a transaction, hands them to each consumer in
turn (the revocation list, the read cache, the bus), and commits only once all have taken
them: a failure rolls the claim back and the next round publishes the same events again,
under the same ids. Rounds are one at a time across relays (outbox.Outbox.claim).

A process that commits a write nudges its relay, which publishes at once; otherwise the relay
looks for events every poll interval: those of a process that died between its commit and
its publish, or of processes that run no relay.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

import structlog

from taskmaster.clock import Clock
from taskmaster.db.database import Database, Transaction
from taskmaster.events.outbox import Event, Outbox

log = structlog.get_logger(__name__)

Consumer = Callable[[Sequence[Event]], Awaitable[None]]
FORGET_EVERY_SECONDS = 10.0
RETRY_SECONDS = 1.0


class Relay:
    def __init__(
        self,
        db: Database,
        consumers: Sequence[Consumer],
        *,
        clock: Clock,
        poll_seconds: float,
        batch: int,
        kept: timedelta,
    ) -> None:
        self._db = db
        self._outbox = Outbox(db)
        self._consumers = consumers
        self._clock = clock
        self._poll = poll_seconds
        self._batch = batch
        self._kept = kept
        self._wanted = asyncio.Event()
        self._closing = False
        self._loop: asyncio.Task[None] | None = None
        self.published = 0  # events handed to every consumer, by this relay

    def nudge(self) -> None:
        """A write committed here: publish its events now, not at the next poll."""
        self._wanted.set()

    async def run_once(self) -> int:
        """One round: publish the oldest unsent events; how many."""

        async def publish(within: Transaction) -> int:
            events = await self._outbox.claim(within, self._clock(), self._batch)
            for consume in self._consumers:
                await consume(events)
            return len(events)

        published: int = await self._db.transaction(publish)
        self.published += published
        return published

    async def drain(self) -> None:
        """Publish until no event waits."""
        published = self._batch
        while published == self._batch:  # a full round: more may wait
            published = await self.run_once()

    async def oldest_unsent(self) -> datetime | None:
        """When the oldest event no relay has published yet was written (its lag)."""
        return await self._outbox.oldest_unsent()

    async def forget_sent(self) -> None:
        """Forget the events sent longer ago than they are kept."""
        await self._outbox.forget_sent(self._clock() - self._kept)

    def start(self) -> None:
        if self._loop is None:
            self._loop = asyncio.create_task(self._run(), name="outbox-relay")

    async def close(self) -> None:
        """Stop after the round under way (a round cut short publishes again later)."""
        self._closing = True
        self._wanted.set()
        if self._loop is not None:
            await asyncio.gather(self._loop, return_exceptions=True)
            self._loop = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        forget_at = loop.time()
        while not self._closing:
            nudged = self._wanted.is_set()
            self._wanted.clear()
            try:
                # A nudge means events wait: no need to ask (one round trip fewer per write).
                if nudged or await self._outbox.any_unsent():
                    await self.drain()
                if loop.time() >= forget_at:
                    await self.forget_sent()
                    forget_at = loop.time() + FORGET_EVERY_SECONDS
            except Exception as error:  # the database or a consumer away: the next round retries
                log.warning("outbox relay round failed", error=repr(error))
                await self._pause(RETRY_SECONDS)
                continue
            await self._pause(self._poll)

    async def _pause(self, seconds: float) -> None:
        """Until nudged, closing, or `seconds` passed."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wanted.wait(), seconds)
