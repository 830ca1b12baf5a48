"""The read cache: entries kept under their audience's generations, one fill per key, and the
database answering, with nothing stale, while Redis is down, paused or flushed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from taskmaster.cache.breaker import CircuitBreaker
from taskmaster.cache.generations import GenerationStore, MemoryGenerations, RedisGenerations
from taskmaster.cache.pipelined import PipelinedRedis
from taskmaster.cache.reads import ReadCache
from tests.cache.test_breaker import Ticks
from tests.conftest import REDIS_URL
from tests.db.servers import RedisServer
from tests.waiting import eventually

USER, PROJECT, OTHER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


class Source:
    """The database, as the cache sees it: answers `version`, counts what it is asked."""

    def __init__(self) -> None:
        self.version = 1
        self.produced = 0
        self.projects = [PROJECT]
        self.listed = 0

    async def produce(self) -> bytes:
        self.produced += 1
        return f"v{self.version}".encode()

    async def projects_of(self, _: uuid.UUID) -> list[uuid.UUID]:
        self.listed += 1
        return list(self.projects)


async def _redis_store(url: str, prefix: str) -> RedisGenerations:
    return RedisGenerations(PipelinedRedis(url, timeout=0.05, connect_timeout=0.05), prefix)


async def _forget(store: RedisGenerations) -> None:
    client = Redis.from_url(REDIS_URL)
    keys = [key async for key in client.scan_iter(f"{store.prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture(params=["memory", "redis"])
async def store(
    request: pytest.FixtureRequest, redis_prefix: str
) -> AsyncIterator[GenerationStore]:
    if request.param == "memory":
        yield MemoryGenerations()
        return
    made = await _redis_store(REDIS_URL, redis_prefix)
    try:
        yield made
    finally:
        await _forget(made)
        await made.close()


async def test_an_entry_is_kept_until_its_project_is_touched(store: GenerationStore) -> None:
    source = Source()
    reads = ReadCache(store, source.projects_of)
    first = await reads.read(USER, None, "view", source.produce)
    assert (await reads.read(USER, None, "view", source.produce)).entry == first.entry == b"v1"
    # The user has one project: both audiences have the same generations, and one entry.
    assert (await reads.read(USER, PROJECT, "view", source.produce)).entry == b"v1"
    assert source.produced == 1
    source.version = 2
    await reads.touched(projects=[PROJECT])
    again = await reads.read(USER, None, "view", source.produce)
    assert again.entry == b"v2"
    assert again.stamp != first.stamp
    await reads.touched(projects=[OTHER])  # not the user's: nothing moves
    assert (await reads.read(USER, None, "view", source.produce)).stamp == again.stamp
    assert (reads.counts.hits, reads.counts.misses, source.produced) == (3, 2, 2)


async def test_a_membership_change_reads_the_project_list_again(store: GenerationStore) -> None:
    source = Source()
    reads = ReadCache(store, source.projects_of)
    await reads.read(USER, None, "view", source.produce)
    await reads.read(USER, OTHER, "view", source.produce)  # not a member: never cached
    await reads.read(USER, OTHER, "view", source.produce)
    assert (source.produced, reads.counts.bypassed, source.listed) == (3, 2, 1)
    source.projects.append(OTHER)
    source.version = 2
    await reads.touched(users=[USER])
    assert (await reads.read(USER, OTHER, "view", source.produce)).entry == b"v2"
    assert (await reads.read(USER, OTHER, "view", source.produce)).entry == b"v2"
    assert (source.produced, source.listed) == (4, 2)


async def test_misses_at_once_in_one_process_fill_once(store: GenerationStore) -> None:
    source, gate = Source(), asyncio.Event()

    async def slow() -> bytes:
        await gate.wait()
        return await source.produce()

    reads = ReadCache(store, source.projects_of)
    readers = [asyncio.create_task(reads.read(USER, None, "view", slow)) for _ in range(10)]
    await eventually(lambda: reads.counts.coalesced == 9, what="every reader waits for one fill")
    gate.set()
    assert {read.entry for read in await asyncio.gather(*readers)} == {b"v1"}
    assert source.produced == 1


async def test_a_failed_fill_is_not_kept(store: GenerationStore) -> None:
    source = Source()
    reads = ReadCache(store, source.projects_of)

    async def failing() -> bytes:
        raise LookupError("not found")

    with pytest.raises(LookupError):
        await reads.read(USER, None, "view", failing)
    assert (await reads.read(USER, None, "view", source.produce)).entry == b"v1"


async def test_misses_at_once_in_two_processes_fill_once(redis_prefix: str) -> None:
    """The first takes the key's lock; the second waits for its entry, not the database."""
    first_store = await _redis_store(REDIS_URL, redis_prefix)
    second_store = await _redis_store(REDIS_URL, redis_prefix)
    source, started, gate = Source(), asyncio.Event(), asyncio.Event()

    async def slow() -> bytes:
        started.set()
        await gate.wait()
        return await source.produce()

    async def never() -> bytes:
        raise AssertionError("the second process went to the database")

    try:
        first = ReadCache(first_store, source.projects_of)
        second = ReadCache(second_store, source.projects_of)
        filling = asyncio.create_task(first.read(USER, None, "view", slow))
        await started.wait()
        waiting = asyncio.create_task(second.read(USER, None, "view", never))
        await eventually(lambda: second.counts.misses == 1, what="the second process misses")
        gate.set()
        assert (await filling).entry == (await waiting).entry == b"v1"
        assert (second.counts.waited, source.produced) == (1, 1)
    finally:
        await _forget(first_store)
        await first_store.close()
        await second_store.close()


# Redis in trouble: a server of the test's own, stopped, paused and flushed ------------------


@pytest.fixture
async def troubled(redis_process: RedisServer) -> AsyncIterator[tuple[ReadCache, Source, Ticks]]:
    store = await _redis_store(redis_process.url, "trouble:")
    source, ticks = Source(), Ticks()
    reads = ReadCache(store, source.projects_of, breaker=CircuitBreaker(clock=ticks))
    try:
        yield reads, source, ticks
    finally:
        await reads.close()


async def test_redis_down_the_database_answers_and_the_breaker_stops_asking(
    troubled: tuple[ReadCache, Source, Ticks], redis_process: RedisServer
) -> None:
    reads, source, ticks = troubled
    assert (await reads.read(USER, None, "view", source.produce)).stamp is not None
    redis_process.stop()
    for _ in range(6):
        read = await reads.read(USER, None, "view", source.produce)
        assert (read.entry, read.stamp) == (b"v1", None)  # the database's, no error
    assert reads.counts.errors == 3  # then the breaker opened: no more timeouts paid
    assert (reads.counts.fallbacks, source.produced) == (6, 7)
    redis_process.start()  # empty, as a restarted Redis is
    ticks.now += 1.0
    source.version = 2
    assert (await reads.read(USER, None, "view", source.produce)).stamp is not None
    assert (await reads.read(USER, None, "view", source.produce)).entry == b"v2"
    assert reads.breaker.closed
    assert reads.counts.hits == 1


async def test_redis_paused_a_write_s_bump_is_sent_before_the_cache_is_read_again(
    troubled: tuple[ReadCache, Source, Ticks], redis_process: RedisServer
) -> None:
    reads, source, ticks = troubled
    await reads.read(USER, None, "view", source.produce)
    redis_process.pause()
    source.version = 2  # a write, acknowledged while Redis cannot hear of it
    await reads.touched(projects=[PROJECT])
    assert reads.stats()["unsentBumps"] == 1
    assert (await reads.read(USER, None, "view", source.produce)).entry == b"v2"
    redis_process.resume()
    ticks.now += 1.0
    # The entry made before the write is still in Redis, under the old generation.
    read = await reads.read(USER, None, "view", source.produce)
    assert (read.entry, reads.stats()["unsentBumps"]) == (b"v2", 0)
    assert read.stamp is not None


async def test_redis_back_a_bump_it_missed_reaches_every_process_without_a_read_here(
    troubled: tuple[ReadCache, Source, Ticks], redis_process: RedisServer
) -> None:
    reads, source, _ = troubled
    other = ReadCache(await _redis_store(redis_process.url, "trouble:"), source.projects_of)
    try:
        assert (await other.read(USER, None, "view", source.produce)).entry == b"v1"
        redis_process.pause()
        source.version = 2  # a write, acknowledged here while Redis cannot hear of it
        await reads.touched(projects=[PROJECT])
        redis_process.resume()
        # This process reads nothing; the other one must not find the entry made before.
        await eventually(lambda: reads.stats()["unsentBumps"] == 0, what="the bump sent")
        assert (await other.read(USER, None, "view", source.produce)).entry == b"v2"
    finally:
        await other.close()


async def test_redis_flushed_generations_only_grow(
    troubled: tuple[ReadCache, Source, Ticks], redis_process: RedisServer
) -> None:
    reads, source, _ = troubled
    before = await reads.read(USER, None, "view", source.produce)
    client = Redis.from_url(redis_process.url)
    await client.flushall()
    await client.aclose()
    source.version = 2
    after = await reads.read(USER, None, "view", source.produce)
    assert (after.entry, source.listed) == (b"v2", 2)
    assert after.stamp != before.stamp
