"""The sliding-window rate limiter, on the in-memory store and a controlled clock."""

from __future__ import annotations

import asyncio

import pytest

from taskmaster.cache.base import StoreUnavailable
from taskmaster.cache.memory import MemoryKeyValue
from taskmaster.cache.redis import RedisKeyValue
from taskmaster.ratelimit import Rate, RateLimiter, Verdict
from tests.conftest import PATIENT_SECONDS, REDIS_URL, FakeClock


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("5/15m", Rate(5, 900)),
        ("100/h", Rate(100, 3600)),
        (" 20 / 1d ", Rate(20, 86400)),
        ("3/10s", Rate(3, 10)),
    ],
)
def test_rates_parse(text: str, rate: Rate) -> None:
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["", "5", "5/", "five/m", "5/15x", "-1/m", "0/h", "5/0m"])
def test_bad_rates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="a rate"):
        Rate.parse(text)


@pytest.fixture
def clock() -> FakeClock:
    clock = FakeClock()
    clock.now = clock.now.replace(minute=0, second=0)  # the start of a window of an hour
    return clock


@pytest.fixture
def limiter(clock: FakeClock) -> RateLimiter:
    return RateLimiter(MemoryKeyValue(clock), clock)


async def test_the_limit_holds_and_says_when_to_come_back(
    limiter: RateLimiter, clock: FakeClock
) -> None:
    rate = Rate(3, 3600)
    for _ in range(3):
        assert (await limiter.take("k", rate)).allowed
    verdict = await limiter.take("k", rate)
    assert not verdict.allowed
    assert verdict.retry_after == 3601
    clock.advance(seconds=verdict.retry_after - 2)
    assert not (await limiter.take("k", rate)).allowed
    clock.advance(seconds=2)
    assert (await limiter.take("k", rate)).allowed


async def test_refused_events_are_not_counted(limiter: RateLimiter, clock: FakeClock) -> None:
    rate = Rate(1, 100)
    assert (await limiter.take("k", rate)).allowed
    for _ in range(50):  # an attacker hammering a closed door does not keep it closed
        assert not (await limiter.take("k", rate)).allowed
    clock.advance(seconds=200)
    assert (await limiter.take("k", rate)).allowed


async def test_the_previous_window_fades_out(limiter: RateLimiter, clock: FakeClock) -> None:
    rate = Rate(4, 100)
    for _ in range(4):
        await limiter.take("k", rate)
    clock.advance(seconds=100)  # next window: weighted 4 * (1 - 0) = 4
    verdict = await limiter.take("k", rate)
    assert not verdict.allowed
    clock.advance(seconds=verdict.retry_after)
    assert (await limiter.take("k", rate)).allowed
    # 1 now + 4 * (1 - elapsed) must stay under 4: that takes until a quarter of the window.
    verdict = await limiter.take("k", rate)
    assert not verdict.allowed
    clock.advance(seconds=verdict.retry_after)
    assert (await limiter.take("k", rate)).allowed


async def test_a_verdict_says_what_remains_and_for_how_long(
    limiter: RateLimiter, clock: FakeClock
) -> None:
    rate = Rate(3, 60)
    verdicts = [await limiter.take("k", rate) for _ in range(4)]
    assert verdicts == [
        Verdict(True, 0, remaining=2, reset=60),  # until the window closes
        Verdict(True, 0, remaining=1, reset=60),
        Verdict(True, 0, remaining=0, reset=61),  # until one frees: just after it closes
        Verdict(False, 61, remaining=0, reset=61, granted=0),
    ]
    clock.advance(seconds=15)
    assert await limiter.take("k", rate) == Verdict(False, 46, remaining=0, reset=46, granted=0)


async def test_what_remains_counts_the_fading_previous_window(
    limiter: RateLimiter, clock: FakeClock
) -> None:
    rate = Rate(10, 60)
    for _ in range(10):
        await limiter.take("k", rate)
    clock.advance(seconds=90)  # halfway into the next window: the ten weigh five
    assert await limiter.take("k", rate) == Verdict(True, 0, remaining=4, reset=30)
    for _ in range(3):
        await limiter.take("k", rate)
    # 4 + 10 * 0.5 < 10: the last one. Then 5 + 10 * (1 - s / 60) < 10 once s > 30: a second.
    assert await limiter.take("k", rate) == Verdict(True, 0, remaining=0, reset=1)
    assert await limiter.take("k", rate) == Verdict(False, 1, remaining=0, reset=1, granted=0)
    clock.advance(seconds=1)
    assert await limiter.take("k", rate) == Verdict(True, 0, remaining=0, reset=6)


class CountingStore(MemoryKeyValue):
    """Records each call into the store: each would be a round trip to Redis. With a `gate`,
    incr_below answers once the test opens it, as a round trip would take its time."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(clock)
        self.calls: list[str] = []
        self.gate: asyncio.Event | None = None

    async def get_many_ints(self, keys: list[str]) -> list[int]:
        self.calls.append("get_many_ints")
        return await super().get_many_ints(keys)

    async def incr(self, key: str, *, ttl: float, by: int = 1) -> int:
        self.calls.append("incr")
        return await super().incr(key, ttl=ttl, by=by)

    async def incr_below(
        self,
        key: str,
        other: str,
        *,
        limit: int,
        weight: float,
        ttl: float,
        by: int = 1,
        refund: tuple[str, int] | None = None,
    ) -> tuple[int, int, int]:
        self.calls.append("incr_below")
        if self.gate is not None:
            await self.gate.wait()
        return await super().incr_below(
            key, other, limit=limit, weight=weight, ttl=ttl, by=by, refund=refund
        )


async def test_an_event_costs_one_round_trip_allowed_or_refused(clock: FakeClock) -> None:
    store = CountingStore(clock)
    limiter = RateLimiter(store, clock)
    assert (await limiter.take("k", Rate(1, 60))).allowed
    assert not (await limiter.take("k", Rate(1, 60))).allowed
    assert store.calls == ["incr_below", "incr_below"]


async def test_keys_and_rates_are_independent(limiter: RateLimiter) -> None:
    await limiter.take("a", Rate(1, 60))
    assert not (await limiter.take("a", Rate(1, 60))).allowed
    assert (await limiter.take("b", Rate(1, 60))).allowed
    assert (await limiter.take("a", Rate(2, 60))).allowed


async def test_give_back_and_reset(limiter: RateLimiter) -> None:
    rate = Rate(1, 60)
    await limiter.take("a", rate)
    await limiter.give_back("a", rate)
    assert (await limiter.take("a", rate)).allowed
    await limiter.reset("a", rate)
    assert (await limiter.take("a", rate)).allowed


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_concurrent_events_never_pass_the_limit(
    backend: str, clock: FakeClock, redis_prefix: str
) -> None:
    store = (
        MemoryKeyValue(clock)
        if backend == "memory"
        else RedisKeyValue.from_url(REDIS_URL, redis_prefix, timeout=PATIENT_SECONDS)
    )
    limiter = RateLimiter(store, clock)
    try:
        verdicts = await asyncio.gather(*(limiter.take("k", Rate(5, 900)) for _ in range(40)))
        assert sum(verdict.allowed for verdict in verdicts) == 5
    finally:
        await limiter.reset("k", Rate(5, 900))
        await store.close()


class DownStore(MemoryKeyValue):
    async def get_many_ints(self, keys: list[str]) -> list[int]:
        raise StoreUnavailable("down")

    async def incr(self, key: str, *, ttl: float, by: int = 1) -> int:
        raise StoreUnavailable("down")

    async def incr_below(
        self,
        key: str,
        other: str,
        *,
        limit: int,
        weight: float,
        ttl: float,
        by: int = 1,
        refund: tuple[str, int] | None = None,
    ) -> tuple[int, int, int]:
        raise StoreUnavailable("down")

    async def delete(self, *keys: str) -> None:
        raise StoreUnavailable("down")


async def test_a_store_outage_does_not_lock_everyone_out(clock: FakeClock) -> None:
    limiter = RateLimiter(DownStore(clock), clock)
    rate = Rate(1, 60)
    assert (await limiter.take("a", rate)).allowed
    assert (await limiter.take("a", rate)).allowed
    assert not (await limiter.take("a", rate)).enforced  # nothing to announce
    await limiter.give_back("a", rate)
    await limiter.reset("a", rate)
