"""Upkeep forgets tombstones and idempotency keys once they are old enough, and no sooner."""

from __future__ import annotations

import uuid

import orjson

from taskmaster.idempotency.keys import Answer
from taskmaster.runtime import Runtime
from taskmaster.tasks.service import TaskDraft
from taskmaster.upkeep import Forgotten
from tests.conftest import Account, FakeClock


async def test_old_tombstones_and_keys_are_forgotten(
    runtime: Runtime, alice: Account, clock: FakeClock
) -> None:
    owner = uuid.UUID(alice.id)
    task = await runtime.tasks.create(owner, TaskDraft(title="Soon gone"))
    await runtime.tasks.delete(owner, uuid.UUID(task[0]))

    async def work(_: object) -> Answer:
        return Answer(201, orjson.dumps({}))

    await runtime.idempotency.once(owner, "key", "request", work)
    assert await runtime.upkeep.run_once() == Forgotten()
    clock.advance(hours=25)
    assert await runtime.upkeep.run_once() == Forgotten(keys=1)
    clock.advance(days=runtime.settings.tombstone_retention_days)
    assert await runtime.upkeep.run_once() == Forgotten(tombstones=1)
