"""Ended sessions are refused at once; with the store down, the database decides."""

from __future__ import annotations

import uuid
from datetime import timedelta

from taskmaster.auth.revocations import RevokedSessions
from taskmaster.cache.base import StoreUnavailable
from taskmaster.cache.memory import MemoryKeyValue
from tests.conftest import FakeClock


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
    await revoked.add(in_database)  # logged, not raised: the database row is the record
    assert await revoked.contains(next(iter(in_database)))
    assert not await revoked.contains(uuid.uuid4())
