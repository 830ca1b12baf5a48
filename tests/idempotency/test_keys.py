"""Idempotency keys on the real databases: one run per key for a day, then a fresh start."""

from __future__ import annotations

import uuid

import pytest

from taskmaster.db.database import Transaction
from taskmaster.errors import IdempotencyKeyReused
from taskmaster.idempotency.keys import Answer, fingerprint
from taskmaster.runtime import Runtime
from tests.conftest import Account, FakeClock


class Work:
    """Counts its runs; each answers its run number."""

    def __init__(self) -> None:
        self.runs = 0

    async def __call__(self, _: Transaction) -> Answer:
        self.runs += 1
        return Answer(201, str(self.runs).encode())


async def test_a_key_lives_a_day_then_starts_afresh(
    runtime: Runtime, alice: Account, clock: FakeClock
) -> None:
    owner, work, keys = uuid.UUID(alice.id), Work(), runtime.idempotency
    assert await keys.once(owner, "daily", "a", work) == Answer(201, b"1")
    clock.advance(hours=23)
    assert await keys.once(owner, "daily", "a", work) == Answer(201, b"1", replayed=True)
    assert await keys.forget(clock.now - keys.lifetime) == 0
    clock.advance(hours=2)
    assert await keys.once(owner, "daily", "b", work) == Answer(201, b"2")  # expired: reclaimed
    assert work.runs == 2
    clock.advance(hours=25)
    assert await keys.forget(clock.now - keys.lifetime) == 1


async def test_work_that_fails_leaves_no_key(runtime: Runtime, alice: Account) -> None:
    owner, work = uuid.UUID(alice.id), Work()

    async def failing(_: Transaction) -> Answer:
        raise RuntimeError("the write failed")

    with pytest.raises(RuntimeError):
        await runtime.idempotency.once(owner, "k", "a", failing)
    assert await runtime.idempotency.once(owner, "k", "a", work) == Answer(201, b"1")


async def test_another_request_under_a_used_key_is_refused(
    runtime: Runtime, alice: Account
) -> None:
    owner, work = uuid.UUID(alice.id), Work()
    await runtime.idempotency.once(owner, "k", "a", work)
    with pytest.raises(IdempotencyKeyReused):
        await runtime.idempotency.once(owner, "k", "b", work)
    assert work.runs == 1


async def test_a_key_within_a_transaction_commits_and_rolls_back_with_it(
    runtime: Runtime, alice: Account
) -> None:
    owner, work, keys = uuid.UUID(alice.id), Work(), runtime.idempotency
    async with runtime.db.session() as session:
        within = Transaction.on(await session.connection())
        assert await keys.once(owner, "k", "a", work, within=within) == Answer(201, b"1")
        await session.rollback()  # the caller's transaction fails after the work: no key
    async with runtime.db.session() as session:
        within = Transaction.on(await session.connection())
        assert await keys.once(owner, "k", "a", work, within=within) == Answer(201, b"2")
        await session.commit()
    assert await keys.once(owner, "k", "a", work) == Answer(201, b"2", replayed=True)
    assert work.runs == 2


def test_a_fingerprint_tells_its_parts_apart() -> None:
    assert fingerprint(b"ab", b"c") != fingerprint(b"a", b"bc")
    assert fingerprint(b"ab", b"c") == fingerprint(b"ab", b"c")
