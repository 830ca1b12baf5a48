"""The bus: carries published events to every API instance, in the order they were published.

In one process it is a function call. With Redis it is pub/sub on one channel: every instance
hears every batch, in order, as long as its subscription lives. Pub/sub keeps nothing for a
subscriber that was away, so a subscription that was lost and made again is reported as a
gap: whoever keeps state from the events (the real-time hub) tells its clients to catch up
through the delta query.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from taskmaster.cache.base import StoreUnavailable
from taskmaster.cache.following import stop_following
from taskmaster.events.outbox import Event, decoded, encoded

log = structlog.get_logger(__name__)

Listener = Callable[[Sequence[Event]], Awaitable[None]]
GapListener = Callable[[], Awaitable[None]]

RETRY_SECONDS = 0.5
HEALTH_SECONDS = 5
START_SECONDS = 1.0


async def _nothing_missed() -> None:
    """The gap listener of a bus nobody keeps state from."""


class Bus(Protocol):
    async def publish(self, events: Sequence[Event]) -> None:
        """Deliver `events` to every instance's listener; StoreUnavailable if it cannot."""
        ...

    def listen(self, listener: Listener, on_gap: GapListener = _nothing_missed) -> None:
        """Hand every batch to `listener`, in order; `on_gap` after batches may have been lost."""
        ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


class MemoryBus:
    """One process: publishing is calling the listener."""

    def __init__(self) -> None:
        self._listener: Listener | None = None

    async def publish(self, events: Sequence[Event]) -> None:
        if self._listener is not None:
            await _heard(self._listener, events)

    def listen(self, listener: Listener, on_gap: GapListener = _nothing_missed) -> None:
        self._listener = listener

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


class RedisBus:
    """Every instance subscribed to one channel; batches are one message each."""

    def __init__(self, redis_url: str, prefix: str) -> None:
        # No socket timeout: a subscription is quiet for as long as nothing happens.
        self._redis = Redis.from_url(
            redis_url, socket_connect_timeout=1, health_check_interval=HEALTH_SECONDS
        )
        self._channel = f"{prefix}events"
        self._listener: Listener | None = None
        self._on_gap: GapListener = _nothing_missed
        self._task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        self._closing = False

    async def publish(self, events: Sequence[Event]) -> None:
        try:
            await self._redis.publish(self._channel, encoded(events))
        except (RedisError, OSError) as error:
            raise StoreUnavailable(str(error)) from error

    def listen(self, listener: Listener, on_gap: GapListener = _nothing_missed) -> None:
        self._listener, self._on_gap = listener, on_gap

    async def start(self) -> None:
        """Subscribe, waiting a moment for it; with Redis down, go on trying."""
        if self._listener is None:
            return  # an instance that only publishes (the relay's own process)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._follow(), name="event-bus")
        try:
            await asyncio.wait_for(self._subscribed.wait(), START_SECONDS)
        except TimeoutError:
            log.warning("event bus not subscribed yet; trying in the background")

    async def close(self) -> None:
        """Stop following."""
        self._closing = True
        await stop_following(self._redis, self._task)

    async def _follow(self) -> None:
        lost = False
        while not self._closing:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self._channel)
                    self._subscribed.set()
                    if lost:
                        await self._on_gap()
                    async for message in pubsub.listen():
                        if message["type"] == "message" and self._listener is not None:
                            await self._deliver(message["data"])
            except (RedisError, OSError) as error:
                if not self._closing:
                    log.warning("event bus lost its subscription", error=str(error))
            self._subscribed.clear()
            lost = True
            if not self._closing:
                await asyncio.sleep(RETRY_SECONDS)

    async def _deliver(self, message: bytes) -> None:
        assert self._listener is not None
        await _heard(self._listener, decoded(message))


async def _heard(listener: Listener, events: Sequence[Event]) -> None:
    """Hand `events` to the listener. Its failure is its own: published is published, and
    the bus goes on (the relay would otherwise publish the batch again and again)."""
    try:
        await listener(events)
    except Exception:
        log.exception("an event listener failed")
