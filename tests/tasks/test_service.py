"""The task service on the real databases: what an update writes, and its own checks."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from taskmaster.api.v1.serialize import task as v1_task
from taskmaster.errors import Invalid, NotFound
from taskmaster.runtime import Runtime
from taskmaster.tasks.models import Status
from taskmaster.tasks.service import TaskChanges, TaskDraft
from tests.conftest import Account, FakeClock

BACKENDS = ("sqlite", "postgres", "pgbouncer")  # also behind PgBouncer (transaction pooling)


@pytest.fixture
async def task_id(client: httpx.AsyncClient, alice: Account) -> uuid.UUID:
    response = await client.post(
        "/api/v1/tasks", json={"title": "Original", "description": "as it was"}, headers=alice.auth
    )
    assert response.status_code == 201
    return uuid.UUID(response.json()["data"]["id"])


async def test_an_update_writes_every_field_given(
    alice: Account, task_id: uuid.UUID, runtime: Runtime
) -> None:
    owner = uuid.UUID(alice.id)
    await runtime.tasks.update(owner, task_id, TaskChanges(status=Status.COMPLETED))
    answered = v1_task(
        await runtime.tasks.update(owner, task_id, TaskChanges(title="Late", status=Status.PENDING))
    )
    assert (answered["title"], answered["status"]) == ("Late", "pending")
    stored = v1_task(await runtime.tasks.get(owner, task_id))
    assert (stored["title"], stored["description"], stored["status"]) == (
        "Late",
        "as it was",
        "pending",
    )


async def test_concurrent_updates_leave_one_of_them_whole(
    alice: Account, task_id: uuid.UUID, runtime: Runtime
) -> None:
    owner = uuid.UUID(alice.id)
    changes = [
        TaskChanges(title=f"Version {n}", description=f"body {n}", status=list(Status)[n % 3])
        for n in range(12)
    ]
    await asyncio.gather(*(runtime.tasks.update(owner, task_id, c) for c in changes))
    stored = v1_task(await runtime.tasks.get(owner, task_id))
    n = int(stored["title"].removeprefix("Version "))
    assert (stored["description"], stored["status"]) == (f"body {n}", list(Status)[n % 3])


async def test_an_empty_change_leaves_updated_at(
    alice: Account, task_id: uuid.UUID, runtime: Runtime, clock: FakeClock
) -> None:
    owner = uuid.UUID(alice.id)
    stamp = v1_task(await runtime.tasks.get(owner, task_id))["updatedAt"]
    clock.advance(minutes=5)
    after = v1_task(await runtime.tasks.update(owner, task_id, TaskChanges()))
    assert after["updatedAt"] == stamp
    changed = v1_task(await runtime.tasks.update(owner, task_id, TaskChanges(description="new")))
    assert changed["updatedAt"] == clock.now.strftime("%Y-%m-%dT%H:%M:%S.000Z")


async def test_timestamps_are_stored_in_whole_milliseconds(
    alice: Account, runtime: Runtime, clock: FakeClock
) -> None:
    clock.now = clock.now.replace(microsecond=123_999)
    due = clock.now.replace(microsecond=456_789)
    created = v1_task(
        await runtime.tasks.create(uuid.UUID(alice.id), TaskDraft(title="t", due_date=due))
    )
    # Cut, not rounded: as JavaScript's toISOString() and the stored value agree.
    assert created["createdAt"].endswith(".123Z")
    assert created["dueDate"].endswith(".456Z")


async def test_other_users_tasks_are_not_found(
    alice: Account, bob: Account, task_id: uuid.UUID, runtime: Runtime
) -> None:
    intruder = uuid.UUID(bob.id)
    with pytest.raises(NotFound):
        await runtime.tasks.get(intruder, task_id)
    with pytest.raises(NotFound):
        await runtime.tasks.update(intruder, task_id, TaskChanges(title="mine"))
    with pytest.raises(NotFound):
        await runtime.tasks.delete(intruder, task_id)
    assert v1_task(await runtime.tasks.get(uuid.UUID(alice.id), task_id))["title"] == "Original"


@pytest.mark.parametrize("title", ["", "   ", "t" * 201])
async def test_the_service_checks_titles_itself(
    alice: Account, runtime: Runtime, title: str
) -> None:
    with pytest.raises(Invalid):
        await runtime.tasks.create(uuid.UUID(alice.id), TaskDraft(title=title))
    with pytest.raises(Invalid):
        await runtime.tasks.update(uuid.UUID(alice.id), uuid.uuid4(), TaskChanges(title=title))
