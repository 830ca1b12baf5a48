"""The bus carries batches to every listener in order; a subscription lost and made again is
reported as a gap, since pub/sub keeps nothing for a listener that was away."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence

import pytest

from taskmaster.cache.base import StoreUnavailable
from taskmaster.events.bus import MemoryBus, RedisBus
from taskmaster.events.outbox import Event
from tests.db.servers import RedisServer
from tests.waiting import eventually

PROJECT = uuid.uuid4()


def batch(*ids: int) -> list[Event]:
    return [Event(n, "task:created", PROJECT, None, {"id": str(n), "title": "ü"}) for n in ids]


class Heard:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self.gaps = 0

    async def events_of(self, events: Sequence[Event]) -> None:
        self.events.extend(events)

    async def gap(self) -> None:
        self.gaps += 1


@pytest.fixture
async def buses(redis_process: RedisServer) -> AsyncIterator[tuple[RedisBus, RedisBus, Heard]]:
    """A publishing bus and a listening one, as two instances have them."""
    heard = Heard()
    publisher = RedisBus(redis_process.url, "test:")
    listener = RedisBus(redis_process.url, "test:")
    listener.listen(heard.events_of, on_gap=heard.gap)
    await listener.start()
    await publisher.start()
    try:
        yield publisher, listener, heard
    finally:
        await listener.close()
        await publisher.close()


async def test_batches_reach_another_instance_in_order(
    buses: tuple[RedisBus, RedisBus, Heard],
) -> None:
    publisher, _, heard = buses
    for ids in ((1, 2), (3,), (4, 5, 6)):
        await publisher.publish(batch(*ids))
    await eventually(lambda: len(heard.events) == 6)
    assert heard.events == batch(1, 2, 3, 4, 5, 6)
    assert heard.gaps == 0


async def test_a_lost_subscription_is_a_gap_and_publishing_fails_meanwhile(
    buses: tuple[RedisBus, RedisBus, Heard], redis_process: RedisServer
) -> None:
    publisher, _, heard = buses
    redis_process.stop()
    with pytest.raises(StoreUnavailable):
        await publisher.publish(batch(1))
    redis_process.start()
    await eventually(lambda: heard.gaps == 1, what="the gap reported after resubscribing")
    await publisher.publish(batch(2))
    await eventually(lambda: heard.events == batch(2))


async def test_one_process_hears_its_own_batches_and_survives_a_failing_listener() -> None:
    bus = MemoryBus()
    heard = Heard()
    failures = 0

    async def listener(events: Sequence[Event]) -> None:
        nonlocal failures
        if events[0].id == 1:
            failures += 1
            raise RuntimeError("a listener's bug")
        await heard.events_of(events)

    bus.listen(listener)
    await bus.publish(batch(1))
    await bus.publish(batch(2))
    assert (failures, heard.events) == (1, batch(2))
