"""The task service on the real databases: what an update writes, and its own checks."""

from __future__ import annotations

import uuid

import httpx
import pytest

from taskmaster.errors import Invalid
from taskmaster.runtime import Runtime
from taskmaster.tasks.models import Status, Task
from taskmaster.tasks.service import TaskChanges, TaskDraft, TaskService
from tests.conftest import Account, FakeClock


@pytest.fixture
async def task_id(client: httpx.AsyncClient, alice: Account) -> uuid.UUID:
    response = await client.post(
        "/api/v1/tasks", json={"title": "Original", "description": "as it was"}, headers=alice.auth
    )
    assert response.status_code == 201
    return uuid.UUID(response.json()["data"]["id"])


async def stored(runtime: Runtime, task_id: uuid.UUID) -> tuple[str, str, str]:
    async with runtime.db.session() as session:
        task = await session.get(Task, task_id)
        assert task is not None
        return task.title, task.description, task.status


async def race(
    runtime: Runtime,
    clock: FakeClock,
    user_id: uuid.UUID,
    task_id: uuid.UUID,
    *,
    early: TaskChanges,
    late: TaskChanges,
) -> Task:
    """Two updates of one task: the late one read the row before the early one committed,
    and writes after it. The late update's answer."""
    async with runtime.db.session() as late_session, runtime.db.session() as early_session:
        # Keep a reference: the session's identity map holds its rows only weakly.
        late_copy = await late_session.get(Task, task_id)
        assert late_copy is not None
        assert late_copy.status == "pending"
        await late_session.commit()  # hand the connection back (SQLite's pool has just one)
        await TaskService(early_session, clock=clock).update(user_id, task_id, early)
        await early_session.commit()
        answered = await TaskService(late_session, clock=clock).update(user_id, task_id, late)
        await late_session.commit()
    assert answered is late_copy
    return answered


async def test_an_update_writes_every_field_given(
    alice: Account, task_id: uuid.UUID, runtime: Runtime, clock: FakeClock
) -> None:
    answered = await race(
        runtime,
        clock,
        uuid.UUID(alice.id),
        task_id,
        early=TaskChanges(status=Status.COMPLETED),
        late=TaskChanges(title="Late", status=Status.PENDING),
    )
    assert (answered.title, answered.status) == ("Late", "pending")
    # The late request answered 200 with status pending; the row must say so too.
    assert await stored(runtime, task_id) == ("Late", "as it was", "pending")


async def test_an_update_of_changed_values_is_whole(
    alice: Account, task_id: uuid.UUID, runtime: Runtime, clock: FakeClock
) -> None:
    await race(
        runtime,
        clock,
        uuid.UUID(alice.id),
        task_id,
        early=TaskChanges(title="Early", status=Status.COMPLETED),
        late=TaskChanges(title="Late", status=Status.IN_PROGRESS),
    )
    assert await stored(runtime, task_id) == ("Late", "as it was", "in-progress")


async def test_an_empty_change_leaves_updated_at(
    alice: Account, task_id: uuid.UUID, runtime: Runtime, clock: FakeClock
) -> None:
    async with runtime.db.session() as session:
        before = await TaskService(session, clock=clock).get(uuid.UUID(alice.id), task_id)
        stamp = before.updated_at
        clock.advance(minutes=5)
        after = await TaskService(session, clock=clock).update(
            uuid.UUID(alice.id), task_id, TaskChanges()
        )
        assert after.updated_at == stamp
        changed = await TaskService(session, clock=clock).update(
            uuid.UUID(alice.id), task_id, TaskChanges(description="new")
        )
        assert changed.updated_at == clock.now


@pytest.mark.parametrize("title", ["", "   ", "t" * 201])
async def test_the_service_checks_titles_itself(
    alice: Account, runtime: Runtime, clock: FakeClock, title: str
) -> None:
    async with runtime.db.session() as session:
        service = TaskService(session, clock=clock)
        with pytest.raises(Invalid):
            await service.create(uuid.UUID(alice.id), TaskDraft(title=title))
