"""A shared rate limit spent in blocks: fewer round trips, never more than the quota."""

from __future__ import annotations

import asyncio
import inspect

import pytest

from taskmaster.allowances import LIFETIME, Allowances
from taskmaster.cache.base import StoreUnavailable
from taskmaster.ratelimit import Rate, RateLimiter, Verdict
from tests.conftest import FakeClock
from tests.test_ratelimit import CountingStore
from tests.waiting import eventually


@pytest.fixture
def clock() -> FakeClock:
    clock = FakeClock()
    clock.now = clock.now.replace(minute=0, second=0)  # the start of a window of a minute
    return clock


@pytest.fixture
def store(clock: FakeClock) -> CountingStore:
    return CountingStore(clock)


def allowances(store: CountingStore, clock: FakeClock, rate: Rate) -> Allowances:
    return Allowances(RateLimiter(store, clock), rate, clock)


async def takes(allowance: Allowances, count: int, key: str = "k") -> list[Verdict]:
    return [await allowance.take(key) for _ in range(count)]


async def test_a_busy_key_takes_growing_blocks_and_counts_down_exactly(
    store: CountingStore, clock: FakeClock
) -> None:
    allowance = allowances(store, clock, Rate(1000, 60))
    assert allowance.cap == 50
    verdicts = await takes(allowance, 100)
    # Blocks of 1, 2, 4, 8, 16, 32 and 50 events: seven round trips for a hundred requests.
    assert store.calls == ["incr_below"] * 7
    assert all(verdict.allowed and verdict.enforced for verdict in verdicts)
    assert [verdict.remaining for verdict in verdicts] == list(range(999, 899, -1))
    assert {verdict.reset for verdict in verdicts} == {60}


async def test_a_quiet_key_costs_a_round_trip_per_event(
    store: CountingStore, clock: FakeClock
) -> None:
    allowance = allowances(store, clock, Rate(1000, 60))
    for _ in range(5):
        await allowance.take("k")
        clock.advance(seconds=2 * LIFETIME)
    assert store.calls == ["incr_below"] * 5
    assert (await allowance.take("k")).remaining == 994  # each block held one event


async def test_unspent_events_go_back_with_the_next_take(
    store: CountingStore, clock: FakeClock
) -> None:
    allowance = allowances(store, clock, Rate(1000, 60))
    await takes(allowance, 4)  # blocks of 1, 2 and 4: 7 counted, 4 spent
    clock.advance(seconds=2 * LIFETIME)
    verdict = await allowance.take("k")
    assert verdict.remaining == 1000 - 5  # the 3 unspent went back; this block is of one
    assert store.calls == ["incr_below"] * 4


async def test_no_block_outlives_its_window(store: CountingStore, clock: FakeClock) -> None:
    allowance = allowances(store, clock, Rate(1000, 60))
    clock.advance(seconds=59.5)
    await takes(allowance, 2)  # blocks of 1 and 2: one event still held
    clock.advance(seconds=0.5)  # the next window, within the block's second
    verdict = await allowance.take("k")
    assert store.calls == ["incr_below"] * 3
    # The held event went back to the window it was counted in: 2 spent there, 1 here.
    assert verdict.remaining == 1000 - 1 - 2


async def test_processes_together_never_allow_more_than_the_quota(
    store: CountingStore, clock: FakeClock
) -> None:
    rate = Rate(100, 60)
    first, second = allowances(store, clock, rate), allowances(store, clock, rate)
    verdicts = await asyncio.gather(
        *(process.take("k") for _ in range(150) for process in (first, second))
    )
    allowed = sum(verdict.allowed for verdict in verdicts)
    # Blocks either process still holds are refused to the other, for a second at most.
    assert 100 - 2 * first.cap <= allowed <= 100
    clock.advance(seconds=2 * LIFETIME)
    while True:  # until both refuse: every held event went back and was spent
        more = [(await process.take("k")).allowed for process in (first, second)]
        allowed += sum(more)
        if not any(more):
            break
    assert allowed == 100


async def test_concurrent_requests_of_a_key_wait_for_one_take(
    store: CountingStore, clock: FakeClock
) -> None:
    allowance = allowances(store, clock, Rate(1000, 60))
    await takes(allowance, 1)  # a block of one, spent: the next is of two
    store.gate = asyncio.Event()
    first = asyncio.create_task(allowance.take("k"))
    await eventually(lambda: len(store.calls) == 2, what="the first take at the store")
    taking = allowance.take("k")  # finds no block, and a take under way
    second = asyncio.create_task(taking)
    await eventually(
        lambda: inspect.getcoroutinestate(taking) == inspect.CORO_SUSPENDED,
        what="the second take waiting",
    )
    store.gate.set()
    verdicts = await asyncio.gather(first, second)
    assert store.calls == ["incr_below"] * 2
    assert sorted(verdict.remaining for verdict in verdicts) == [997, 998]


async def test_with_the_store_down_nothing_is_held_or_enforced(
    store: CountingStore, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    allowance = allowances(store, clock, Rate(1000, 60))
    await takes(allowance, 2)  # blocks of 1 and 2: one held

    async def down(*_: object, **__: object) -> tuple[int, int, int]:
        raise StoreUnavailable("down")

    await allowance.take("k")  # spends the held event
    monkeypatch.setattr(store, "incr_below", down)
    assert not (await allowance.take("k")).enforced
    monkeypatch.undo()
    verdict = await allowance.take("k")
    assert verdict.enforced
    assert verdict.remaining == 1000 - 4  # three spent while counted, one now
