"""The pub/sub mirror of a Redis set: what one process adds, every process knows from memory."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

import pytest

from taskmaster.cache.mirror import SetMirror
from taskmaster.cache.redis import RedisKeyValue
from tests.conftest import REDIS_URL

NAMESPACE = "names:"
WAIT = 5.0  # seconds; a message on loopback takes well under one


@pytest.fixture
async def mirrors(redis_prefix: str) -> AsyncIterator[Callable[[], SetMirror]]:
    made: list[SetMirror] = []

    def make() -> SetMirror:
        mirror = SetMirror(REDIS_URL, redis_prefix, NAMESPACE, ttl=60)
        made.append(mirror)
        return mirror

    yield make
    for mirror in made:
        await mirror.close()


async def started(mirror: SetMirror) -> SetMirror:
    await mirror.start()
    assert mirror.contains("anything") is False  # in sync: it answers
    return mirror


async def test_a_name_announced_anywhere_is_known_everywhere(
    mirrors: Callable[[], SetMirror],
) -> None:
    here, there = await started(mirrors()), await started(mirrors())
    name = str(uuid.uuid4())
    assert there.contains(name) is False
    await here.announce(name)
    assert here.contains(name) is True  # at once, where it happened
    await asyncio.wait_for(there.until_known(name), WAIT)
    assert there.contains(name) is True
    assert there.contains(str(uuid.uuid4())) is False


async def test_names_stored_before_the_start_are_loaded(
    mirrors: Callable[[], SetMirror], redis_store: RedisKeyValue
) -> None:
    await redis_store.set(f"{NAMESPACE}earlier", b"1", ttl=60)
    mirror = await started(mirrors())
    assert mirror.contains("earlier") is True


async def test_a_mirror_out_of_sync_does_not_answer(mirrors: Callable[[], SetMirror]) -> None:
    assert mirrors().contains("anything") is None  # never started


async def test_a_mirror_without_redis_never_claims_to_be_in_sync(redis_prefix: str) -> None:
    mirror = SetMirror("redis://127.0.0.1:1/0", redis_prefix, NAMESPACE, ttl=60)  # no server
    await mirror.start()  # waits a moment, then goes on trying in the background
    try:
        assert mirror.contains("anything") is None
    finally:
        await mirror.close()


async def test_names_are_forgotten_when_their_keys_would_have_expired(redis_prefix: str) -> None:
    mirror = SetMirror(REDIS_URL, redis_prefix, NAMESPACE, ttl=0)
    try:
        await mirror.start()
        await mirror.announce("short-lived")
        assert mirror.contains("short-lived") is False
    finally:
        await mirror.close()
