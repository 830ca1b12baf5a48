"""The sliding-window rate limiter, on the in-memory store and a controlled clock."""

from __future__ import annotations

import asyncio

import pytest

from taskmaster.cache.base import StoreUnavailable
from taskmaster.cache.memory import MemoryKeyValue
from taskmaster.cache.redis import RedisKeyValue
from taskmaster.ratelimit import Rate, RateLimiter
from tests.conftest import REDIS_URL, FakeClock


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
        else RedisKeyValue.from_url(REDIS_URL, redis_prefix)
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

    async def delete(self, *keys: str) -> None:
        raise StoreUnavailable("down")


async def test_a_store_outage_does_not_lock_everyone_out(clock: FakeClock) -> None:
    limiter = RateLimiter(DownStore(clock), clock)
    rate = Rate(1, 60)
    assert (await limiter.take("a", rate)).allowed
    assert (await limiter.take("a", rate)).allowed
    await limiter.give_back("a", rate)
    await limiter.reset("a", rate)
