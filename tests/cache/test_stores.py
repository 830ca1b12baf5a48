"""Both key-value backends keep the same promises; Redis reports an outage as StoreUnavailable."""

from __future__ import annotations

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


async def test_counters(store: KeyValue) -> None:
    assert [await store.incr("n", ttl=60) for _ in range(3)] == [1, 2, 3]
    assert await store.get_many_ints(["n", "absent"]) == [3, 0]


async def test_raise_to_keeps_the_largest_value(store: KeyValue) -> None:
    await store.raise_to("lsn", 20, ttl=60)
    await store.raise_to("lsn", 10, ttl=60)
    assert await store.get_many_ints(["lsn"]) == [20]
    await store.raise_to("lsn", 30, ttl=60)
    assert await store.get_many_ints(["lsn"]) == [30]


async def test_memory_entries_expire_by_the_clock() -> None:
    clock = FakeClock()
    store = MemoryKeyValue(clock)
    await store.set("a", b"1", ttl=10)
    await store.incr("n", ttl=10)
    clock.advance(seconds=9)
    assert await store.incr("n", ttl=10) == 2  # the counter keeps its first expiry
    clock.advance(seconds=1)
    assert await store.get("a") is None
    assert await store.get_many_ints(["n"]) == [0]


async def test_redis_outage_is_reported_as_unavailable() -> None:
    down = RedisKeyValue.from_url("redis://127.0.0.1:1/0", "x:")  # nothing listens on port 1
    try:
        for call in (
            down.get("a"),
            down.set("a", b"1", ttl=1),
            down.incr("a", ttl=1),
            down.raise_to("a", 1, ttl=1),
            down.get_many_ints(["a"]),
            down.delete("a"),
        ):
            with pytest.raises(StoreUnavailable):
                await call
    finally:
        await down.close()
