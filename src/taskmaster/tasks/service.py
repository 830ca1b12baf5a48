"""Task use cases: list, summarize, create, read, change and delete a user's own tasks."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import Enum
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from taskmaster.clock import Clock
from taskmaster.errors import Invalid, NotFound
from taskmaster.rules import within
from taskmaster.tasks.filters import TaskFilter
from taskmaster.tasks.models import Priority, Status, Task
from taskmaster.tasks.repository import TaskRepository, TaskRow

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
TASK_NOT_FOUND = "Task not found"


class _Unset(Enum):
    UNSET = "unset"


UNSET: Final = _Unset.UNSET


@dataclass(frozen=True)
class TaskDraft:
    title: str
    description: str = ""
    status: Status = Status.PENDING
    priority: Priority = Priority.MEDIUM
    due_date: datetime | None = None


@dataclass(frozen=True)
class TaskChanges:
    """A partial update: fields left UNSET keep their value."""

    title: str | _Unset = UNSET
    description: str | _Unset = UNSET
    status: Status | _Unset = UNSET
    priority: Priority | _Unset = UNSET
    due_date: datetime | _Unset | None = field(default=UNSET)


@dataclass(frozen=True)
class TaskPage:
    rows: Sequence[TaskRow]
    total: int


@dataclass(frozen=True)
class TaskSummary:
    total: int
    pending: int
    in_progress: int
    completed: int
    overdue: int


def checked_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise Invalid("Title is required")
    return within(title, "Title", at_most=TITLE_MAX)


def checked_description(description: str) -> str:
    return within(description, "Description", at_most=DESCRIPTION_MAX)


def _column_values(changes: TaskChanges) -> dict[str, object]:
    """The columns a partial update sets, validated, keyed by column name."""
    values: dict[str, object] = {}
    for change in fields(changes):
        value = getattr(changes, change.name)
        if isinstance(value, _Unset):
            continue
        if change.name == "title":
            value = checked_title(value)
        elif change.name == "description":
            value = checked_description(value)
        elif isinstance(value, Enum):
            value = value.value
        values[change.name] = value
    return values


class TaskService:
    def __init__(self, session: AsyncSession, *, clock: Clock) -> None:
        self._tasks = TaskRepository(session)
        self._clock = clock

    async def list(self, user_id: uuid.UUID, task_filter: TaskFilter) -> TaskPage:
        rows = await self._tasks.page(user_id, task_filter)
        if task_filter.offset == 0 and len(rows) < task_filter.limit:
            return TaskPage(rows, len(rows))  # the whole result is here; no need to count
        return TaskPage(rows, await self._tasks.count(user_id, task_filter))

    async def summary(self, user_id: uuid.UUID) -> TaskSummary:
        counts = await self._tasks.status_counts(user_id)
        return TaskSummary(
            total=sum(counts.values()),
            pending=counts.get(Status.PENDING, 0),
            in_progress=counts.get(Status.IN_PROGRESS, 0),
            completed=counts.get(Status.COMPLETED, 0),
            overdue=await self._tasks.overdue_count(user_id, self._clock()),
        )

    async def create(self, user_id: uuid.UUID, draft: TaskDraft) -> Task:
        now = self._clock()
        task = Task(
            user_id=user_id,
            title=checked_title(draft.title),
            description=checked_description(draft.description),
            status=draft.status.value,
            priority=draft.priority.value,
            due_date=draft.due_date,
            created_at=now,
            updated_at=now,
        )
        await self._tasks.add(task)
        return task

    async def get(self, user_id: uuid.UUID, task_id: uuid.UUID) -> Task:
        task = await self._tasks.get(user_id, task_id)
        if task is None:
            raise NotFound(TASK_NOT_FOUND)
        return task

    async def update(self, user_id: uuid.UUID, task_id: uuid.UUID, changes: TaskChanges) -> Task:
        values = _column_values(changes)
        task = await self.get(user_id, task_id)
        if values:
            values["updated_at"] = self._clock()
        for column, value in values.items():
            setattr(task, column, value)
            # Written even when equal to the copy just read: of two concurrent updates, the
            # row then holds one of them whole, never a mix of both.
            flag_modified(task, column)
        if not await self._tasks.flush():
            raise NotFound(TASK_NOT_FOUND)  # deleted by a concurrent request
        return task

    async def delete(self, user_id: uuid.UUID, task_id: uuid.UUID) -> None:
        if not await self._tasks.delete(user_id, task_id):
            raise NotFound(TASK_NOT_FOUND)
