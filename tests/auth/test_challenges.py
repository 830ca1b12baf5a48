"""Challenges: single-use and short-lived in the shared store, whichever instance asks."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from taskmaster.auth.challenges import Challenges
from taskmaster.cache.base import KeyValue
from taskmaster.cache.memory import MemoryKeyValue
from taskmaster.cache.redis import RedisKeyValue
from taskmaster.errors import Unavailable
from tests.conftest import FakeClock, store_down

LIFETIME = timedelta(minutes=5)


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest, clock: FakeClock) -> KeyValue:
    if request.param == "memory":
        return MemoryKeyValue(clock)
    redis_store: RedisKeyValue = request.getfixturevalue("redis_store")
    return redis_store


async def test_a_challenge_is_taken_once(store: KeyValue, clock: FakeClock) -> None:
    challenges = Challenges(store, clock)
    issued = await challenges.issue("test", {"user": "u"}, LIFETIME)
    assert issued.expires_at == clock() + LIFETIME
    assert await challenges.peek("test", issued.token) == {"user": "u"}
    assert await challenges.peek("other", issued.token) is None
    takers = await asyncio.gather(*(challenges.take("test", issued.token) for _ in range(5)))
    assert takers.count({"user": "u"}) == 1
    assert takers.count(None) == 4
    assert await challenges.peek("test", issued.token) is None


async def test_the_store_holds_no_token(redis_store: RedisKeyValue, clock: FakeClock) -> None:
    issued = await Challenges(redis_store, clock).issue("test", {}, LIFETIME)
    assert all(issued.token not in key for key in await redis_store.keys(""))


async def test_a_challenge_expires(clock: FakeClock) -> None:
    challenges = Challenges(MemoryKeyValue(clock), clock)
    issued = await challenges.issue("test", {}, LIFETIME)
    clock.advance(minutes=5)
    assert await challenges.take("test", issued.token) is None


async def test_an_overlong_token_is_not_looked_up(clock: FakeClock) -> None:
    challenges = Challenges(MemoryKeyValue(clock), clock)
    assert await challenges.peek("test", "x" * 10_000) is None


async def test_a_store_that_is_down_is_a_503(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = MemoryKeyValue(clock)
    for method in ("set", "get", "take"):
        monkeypatch.setattr(store, method, store_down)
    challenges = Challenges(store, clock)
    with pytest.raises(Unavailable):
        await challenges.issue("test", {}, LIFETIME)
    with pytest.raises(Unavailable):
        await challenges.peek("test", "token")
    with pytest.raises(Unavailable):
        await challenges.take("test", "token")
