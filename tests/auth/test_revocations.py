"""Ended sessions are refused at once; with the store down, the database decides."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest

from taskmaster.auth.revocations import NAMESPACE, RevokedSessions
from taskmaster.cache.base import StoreUnavailable
from taskmaster.cache.memory import MemoryKeyValue
from taskmaster.cache.mirror import SetMirror
from taskmaster.cache.redis import RedisKeyValue
from taskmaster.errors import Unavailable
from tests.conftest import PATIENT_SECONDS, REDIS_URL, FakeClock, forget


async def _never_ended(session_id: uuid.UUID) -> bool:
    return False


async def test_revoked_sessions_are_remembered_for_an_access_token_lifetime() -> None:
    clock = FakeClock()
    revoked = RevokedSessions(MemoryKeyValue(clock), timedelta(minutes=15), _never_ended)
    ended, live = uuid.uuid4(), uuid.uuid4()
    await revoked.add([ended])
    assert await revoked.contains(ended)
    assert not await revoked.contains(live)
    clock.advance(minutes=16)  # every access token of the session has expired by now
    assert not await revoked.contains(ended)


class DownStore(MemoryKeyValue):
    async def get(self, key: str) -> bytes | None:
        raise StoreUnavailable("down")

    async def set(self, key: str, value: bytes, *, ttl: float) -> None:
        raise StoreUnavailable("down")


async def test_with_the_store_down_the_database_answers() -> None:
    in_database = {uuid.uuid4()}

    async def ended_in_database(session_id: uuid.UUID) -> bool:
        return session_id in in_database

    revoked = RevokedSessions(DownStore(FakeClock()), timedelta(minutes=15), ended_in_database)
    assert await revoked.contains(next(iter(in_database)))
    assert not await revoked.contains(uuid.uuid4())


async def test_every_instance_refuses_a_session_ended_on_another(redis_prefix: str) -> None:
    """Two API instances: the mirror of the second learns of the first's revocation."""
    instances = []
    for _ in range(2):
        store = RedisKeyValue.from_url(REDIS_URL, redis_prefix, timeout=PATIENT_SECONDS)
        mirror = SetMirror(REDIS_URL, redis_prefix, NAMESPACE, ttl=960)
        await mirror.start()
        instances.append(
            (store, mirror, RevokedSessions(store, timedelta(minutes=15), _never_ended, mirror))
        )
    (store_a, _, first), (store_b, mirror_b, second) = instances
    try:
        ended = uuid.uuid4()
        assert not await second.contains(ended)
        await first.add([ended])
        assert await first.contains(ended)
        await asyncio.wait_for(mirror_b.until_known(str(ended)), 5)
        assert mirror_b.contains(str(ended)) is True  # answered from memory
        assert await second.contains(ended)
        assert await store_b.get(f"{NAMESPACE}{ended}") == b"1"  # and stored for the others
    finally:
        await forget(store_a)
        for store, mirror, _ in instances:
            await mirror.close()
            await store.close()


async def test_ending_a_session_fails_when_others_could_not_learn_of_it() -> None:
    revoked = RevokedSessions(DownStore(FakeClock()), timedelta(minutes=15), _never_ended)
    with pytest.raises(Unavailable):
        await revoked.add([uuid.uuid4()])
