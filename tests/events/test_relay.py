"""The relay publishes each committed event after its commit, in order, at least once: a
round that fails publishes the same events again, and relays never publish one twice."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import timedelta

import httpx
import pytest

from taskmaster.cache.base import StoreUnavailable
from taskmaster.config import Settings
from taskmaster.db.database import Transaction
from taskmaster.events.outbox import Event
from taskmaster.events.relay import Relay
from taskmaster.runtime import Runtime
from taskmaster.tasks.service import TaskDraft
from tests.api.v2.projects import new_task
from tests.conftest import Account, FakeClock
from tests.events.outbox import last_id, written
from tests.waiting import eventually


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """No relay in the API: each test runs its own."""
    return settings.model_copy(update={"outbox_relay": "external"})


class Recorder:
    """A consumer that keeps what it is handed; it fails while `failing` is set."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.failing = False

    async def __call__(self, events: Sequence[Event]) -> None:
        if self.failing:
            raise StoreUnavailable("the consumer is away")
        self.events.extend(events)

    @property
    def ids(self) -> list[int]:
        return [event.id for event in self.events]


def relay_of(runtime: Runtime, recorder: Recorder, *, batch: int = 500) -> Relay:
    return Relay(
        runtime.db,
        [recorder],
        clock=runtime.clock,
        poll_seconds=60,
        batch=batch,
        kept=timedelta(minutes=5),
    )


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


async def test_events_are_published_once_in_the_order_they_were_written(
    client: httpx.AsyncClient, runtime: Runtime, alice: Account, recorder: Recorder
) -> None:
    for n in range(7):
        await new_task(client, alice, title=f"Task {n}")
    relay = relay_of(runtime, recorder, batch=3)
    await relay.drain()
    assert recorder.ids == [event.id for event in await written(runtime)]
    assert [e.data["title"] for e in recorder.events if e.topic == "task:created"] == [
        f"Task {n}" for n in range(7)
    ]
    assert await relay.run_once() == 0  # all marked sent


async def test_a_round_that_fails_publishes_the_same_events_again(
    client: httpx.AsyncClient, runtime: Runtime, alice: Account, recorder: Recorder
) -> None:
    await new_task(client, alice)
    relay = relay_of(runtime, recorder)
    recorder.failing = True
    with pytest.raises(StoreUnavailable):
        await relay.run_once()
    recorder.failing = False
    await relay.drain()
    assert recorder.ids == [event.id for event in await written(runtime)]


async def test_a_rolled_back_write_has_no_event(
    client: httpx.AsyncClient, runtime: Runtime, alice: Account, recorder: Recorder
) -> None:
    before = await last_id(runtime)
    caller = alice_id(alice)

    async def create_then_fail(within: Transaction) -> None:
        await runtime.tasks.create(caller, TaskDraft("Never"), within=within)
        raise RuntimeError("the request failed after its write")

    with pytest.raises(RuntimeError):
        await runtime.db.transaction(create_then_fail)
    await relay_of(runtime, recorder).drain()
    assert await written(runtime, after=before) == []
    assert all(event.id <= before for event in recorder.events)


async def test_relays_side_by_side_publish_each_event_once(
    client: httpx.AsyncClient, runtime: Runtime, alice: Account, recorder: Recorder
) -> None:
    relays = [relay_of(runtime, recorder, batch=2) for _ in range(3)]

    async def writing() -> None:
        for n in range(12):
            await new_task(client, alice, title=f"Task {n}")

    async def relaying(relay: Relay) -> None:
        for _ in range(20):
            await relay.run_once()

    await asyncio.gather(writing(), *(relaying(relay) for relay in relays))
    await relays[0].drain()
    everything = [event.id for event in await written(runtime)]
    assert sorted(recorder.ids) == everything  # each once
    assert recorder.ids == everything  # and in order


async def test_a_nudged_relay_publishes_at_once(
    client: httpx.AsyncClient, runtime: Runtime, alice: Account, recorder: Recorder
) -> None:
    waiting = len(await written(runtime))  # alice's registration
    relay = relay_of(runtime, recorder)  # polls once a minute, and once as it starts
    relay.start()
    try:
        await eventually(lambda: relay.published == waiting, what="the first round")
        task = await new_task(client, alice)
        relay.nudge()

        def heard() -> bool:
            return any(event.data.get("id") == task["id"] for event in recorder.events)

        took = await eventually(heard, within=5, what="the nudged relay publishing")
        assert took < 30, "published long before the next poll"
    finally:
        await relay.close()


async def test_sent_events_are_forgotten_once_kept_long_enough(
    client: httpx.AsyncClient,
    runtime: Runtime,
    alice: Account,
    recorder: Recorder,
    clock: FakeClock,
) -> None:
    await new_task(client, alice)
    relay = relay_of(runtime, recorder)
    await relay.drain()
    await relay.forget_sent()
    kept = await written(runtime)
    clock.now += timedelta(minutes=6)
    await relay.forget_sent()
    assert kept
    assert await written(runtime) == []


def alice_id(account: Account) -> uuid.UUID:
    return uuid.UUID(account.id)
