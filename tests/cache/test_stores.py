"""Both key-value backends keep the same promises; Redis reports an outage as StoreUnavailable."""

from __future__ import annotations

import math

import pytest

from taskmaster.cache.base import KeyValue, StoreUnavailable
from taskmaster.cache.memory import MemoryKeyValue
from taskmaster.cache.redis import RedisKeyValue
from tests.conftest import FakeClock


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> KeyValue:
    if request.param == "memory":
        return MemoryKeyValue(FakeClock())
    redis_store: RedisKeyValue = request.getfixturevalue("redis_store")
    return redis_store


async def test_set_get_delete(store: KeyValue) -> None:
    assert await store.get("a") is None
    await store.set("a", b"1", ttl=60)
    assert await store.get("a") == b"1"
    await store.delete("a", "never-set")
    assert await store.get("a") is None


async def test_take_hands_a_value_out_once(store: KeyValue) -> None:
    await store.set("challenge", b"c", ttl=60)
    assert await store.take("challenge") == b"c"
    assert await store.take("challenge") is None
    assert await store.get("challenge") is None
    assert await store.take("never-set") is None


async def test_counters(store: KeyValue) -> None:
    assert [await store.incr("n", ttl=60) for _ in range(3)] == [1, 2, 3]
    assert await store.get_many_ints(["n", "absent"]) == [3, 0]


async def test_incr_below_counts_only_below_the_limit(store: KeyValue) -> None:
    counted = [await store.incr_below("n", "m", limit=3, weight=0.5, ttl=60) for _ in range(4)]
    assert counted == [(1, 1, 0), (1, 2, 0), (1, 3, 0), (0, 3, 0)]
    for _ in range(2):
        await store.incr("m", ttl=60)
    # 2 + 0.5 * 2 reaches the limit: at it is over it.
    counted = [await store.incr_below("o", "m", limit=3, weight=0.5, ttl=60) for _ in range(3)]
    assert counted == [(1, 1, 2), (1, 2, 2), (0, 2, 2)]
    assert await store.get_many_ints(["n", "o"]) == [3, 2]


async def test_incr_below_counts_as_many_as_fit(store: KeyValue) -> None:
    assert await store.incr_below("n", "m", limit=10, weight=0.5, ttl=60, by=4) == (4, 4, 0)
    await store.incr("m", ttl=60, by=3)
    # 4 + 0.5 * 3 = 5.5: five more would reach 10.5, so 5 of the 8 fit (the last at 9.5).
    assert await store.incr_below("n", "m", limit=10, weight=0.5, ttl=60, by=8) == (5, 9, 3)
    assert await store.incr_below("n", "m", limit=10, weight=0.5, ttl=60, by=8) == (0, 9, 3)


async def test_incr_below_gives_the_refund_back_first(store: KeyValue) -> None:
    await store.incr_below("n", "m", limit=5, weight=1.0, ttl=60, by=5)
    # Three of the five were never spent: they go back before the new take is weighed.
    assert await store.incr_below("n", "m", limit=5, weight=1.0, ttl=60, by=2, refund=("n", 3)) == (
        2,
        4,
        0,
    )
    # A refund of the other window counts there; one never below zero; one of no key is none.
    await store.incr("m", ttl=60, by=2)
    assert await store.incr_below("n", "m", limit=10, weight=1.0, ttl=60, refund=("m", 5)) == (
        1,
        5,
        0,
    )
    assert await store.incr_below("n", "m", limit=10, weight=1.0, ttl=60, refund=("gone", 5)) == (
        1,
        6,
        0,
    )
    assert await store.get_many_ints(["gone"]) == [0]


async def test_incr_below_weighs_exactly_as_python_does(store: KeyValue) -> None:
    """The backends must agree with the limiter's own sum to the last bit of the weight."""
    for _ in range(10):
        await store.incr("m", ttl=60)
    just_under = math.nextafter(0.3, 0)  # 10 * it < 3, where a rounded 0.3 would reach 3
    assert 10 * just_under < 3 <= 10 * 0.3
    assert await store.incr_below("n", "m", limit=3, weight=just_under, ttl=60) == (1, 1, 10)
    assert await store.incr_below("o", "m", limit=3, weight=0.3, ttl=60) == (0, 0, 10)


async def test_incr_below_counters_expire_by_the_clock() -> None:
    clock = FakeClock()
    store = MemoryKeyValue(clock)
    await store.incr_below("n", "m", limit=5, weight=1.0, ttl=10)
    clock.advance(seconds=9)
    assert await store.incr_below("n", "m", limit=5, weight=1.0, ttl=10) == (1, 2, 0)
    clock.advance(seconds=1)  # the counter kept its first expiry
    assert await store.get_many_ints(["n"]) == [0]


async def test_incr_below_counters_expire_in_redis(redis_store: RedisKeyValue) -> None:
    key = redis_store.prefix + "n"
    await redis_store.incr_below("n", "m", limit=5, weight=1.0, ttl=10)
    assert 9_000 < await redis_store.redis.pttl(key) <= 10_000
    await redis_store.redis.pexpire(key, 5_000)  # as if five seconds went by
    await redis_store.incr_below("n", "m", limit=5, weight=1.0, ttl=10)
    assert await redis_store.redis.pttl(key) <= 5_000  # the counter keeps its first expiry
    # Refusing writes nothing.
    assert await redis_store.incr_below("full", "m", limit=0, weight=1.0, ttl=10) == (0, 0, 0)
    assert not await redis_store.redis.exists(redis_store.prefix + "full")


async def test_raise_to_keeps_the_largest_value(store: KeyValue) -> None:
    await store.raise_to("lsn", 20, ttl=60)
    await store.raise_to("lsn", 10, ttl=60)
    assert await store.get_many_ints(["lsn"]) == [20]
    await store.raise_to("lsn", 30, ttl=60)
    assert await store.get_many_ints(["lsn"]) == [30]


async def test_keys_lists_a_prefix_literally(store: KeyValue) -> None:
    for key in ("u:1", "u:2", "ux:3", "v:u:4", "u*:5", "u?:6", "[u]:7", "u\\:8", "u:é"):
        await store.set(key, b"", ttl=60)
    assert await store.keys("u:") == ["u:1", "u:2", "u:é"]
    assert await store.keys("u*:") == ["u*:5"]
    assert await store.keys("u?") == ["u?:6"]
    assert await store.keys("[u]") == ["[u]:7"]
    assert await store.keys("u\\") == ["u\\:8"]
    assert await store.keys("nothing") == []


async def test_memory_entries_expire_by_the_clock() -> None:
    clock = FakeClock()
    store = MemoryKeyValue(clock)
    await store.set("a", b"1", ttl=10)
    await store.incr("n", ttl=10)
    clock.advance(seconds=9)
    assert await store.incr("n", ttl=10) == 2  # the counter keeps its first expiry
    assert await store.keys("") == ["a", "n"]
    clock.advance(seconds=1)
    assert await store.keys("") == []
    assert await store.get("a") is None
    assert await store.get_many_ints(["n"]) == [0]


async def test_redis_outage_is_reported_as_unavailable() -> None:
    down = RedisKeyValue.from_url("redis://127.0.0.1:1/0", "x:")  # nothing listens on port 1
    try:
        for call in (
            down.get("a"),
            down.set("a", b"1", ttl=1),
            down.incr("a", ttl=1),
            down.incr_below("a", "b", limit=1, weight=1.0, ttl=1),
            down.raise_to("a", 1, ttl=1),
            down.get_many_ints(["a"]),
            down.delete("a"),
            down.keys("a"),
        ):
            with pytest.raises(StoreUnavailable):
                await call
    finally:
        await down.close()
