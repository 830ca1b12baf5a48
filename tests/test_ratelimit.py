"""The sliding-window rate limiter, on the in-memory store and a controlled clock."""

from __future__ import annotations

import pytest

from taskmaster.cache.base import StoreUnavailable
from taskmaster.cache.memory import MemoryKeyValue
from taskmaster.ratelimit import Rate, RateLimiter
from tests.conftest import FakeClock


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


@pytest.mark.parametrize("text", ["", "5", "5/", "five/m", "5/15x", "-1/m"])
def test_bad_rates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="a rate looks like"):
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
        assert (await limiter.check("k", rate)).allowed
        await limiter.hit("k", rate)
    verdict = await limiter.check("k", rate)
    assert not verdict.allowed
    assert verdict.retry_after == 3601
    clock.advance(seconds=verdict.retry_after - 2)
    assert not (await limiter.check("k", rate)).allowed
    clock.advance(seconds=2)
    assert (await limiter.check("k", rate)).allowed


async def test_the_previous_window_fades_out(limiter: RateLimiter, clock: FakeClock) -> None:
    rate = Rate(4, 100)
    for _ in range(4):
        await limiter.hit("k", rate)
    clock.advance(seconds=100)  # next window: weighted 4 * (1 - 0) = 4
    verdict = await limiter.check("k", rate)
    assert not verdict.allowed
    clock.advance(seconds=verdict.retry_after)
    assert (await limiter.check("k", rate)).allowed
    await limiter.hit("k", rate)
    # 1 now + 4 * (1 - elapsed) must stay under 4: that takes until a quarter of the window.
    verdict = await limiter.check("k", rate)
    assert not verdict.allowed
    clock.advance(seconds=verdict.retry_after)
    assert (await limiter.check("k", rate)).allowed


async def test_keys_and_rates_are_independent(limiter: RateLimiter) -> None:
    await limiter.hit("a", Rate(1, 60))
    assert not (await limiter.check("a", Rate(1, 60))).allowed
    assert (await limiter.check("b", Rate(1, 60))).allowed
    assert (await limiter.check("a", Rate(2, 60))).allowed


async def test_reset_forgets_the_key(limiter: RateLimiter) -> None:
    await limiter.hit("a", Rate(1, 60))
    await limiter.reset("a", Rate(1, 60))
    assert (await limiter.check("a", Rate(1, 60))).allowed


class DownStore(MemoryKeyValue):
    async def get_many_ints(self, keys: list[str]) -> list[int]:
        raise StoreUnavailable("down")

    async def incr(self, key: str, *, ttl: float) -> int:
        raise StoreUnavailable("down")

    async def delete(self, *keys: str) -> None:
        raise StoreUnavailable("down")


async def test_a_store_outage_does_not_lock_everyone_out(clock: FakeClock) -> None:
    limiter = RateLimiter(DownStore(clock), clock)
    rate = Rate(1, 60)
    await limiter.hit("a", rate)
    await limiter.hit("a", rate)
    assert (await limiter.check("a", rate)).allowed
    await limiter.reset("a", rate)
