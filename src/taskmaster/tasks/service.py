"""Task use cases: list, summarize, create, read, change and delete a user's own tasks, and
follow the changes to them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from enum import Enum
from typing import Final

from taskmaster.clock import Clock, whole_millis
from taskmaster.db.database import Database, Transaction
from taskmaster.errors import CursorExpired, Invalid, NotFound, PreconditionFailed
from taskmaster.ids import uuid7
from taskmaster.rules import within
from taskmaster.tasks.filters import After, ChangePosition, TaskFilter
from taskmaster.tasks.models import Priority, Status, Task
from taskmaster.tasks.queries import CHANGE_KEY, RENDERED, SORT_VALUES
from taskmaster.tasks.repository import TaskRepository, TaskRow

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
TASK_NOT_FOUND = "Task not found"
STALE = "The task has changed since the version this request names"
REVISION = RENDERED.index(Task.revision)


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
    """A page of tasks; `total` counts every match (counted offset pages only); `after` is
    where the next keyset page starts, None on the last page."""

    rows: Sequence[TaskRow]
    total: int | None
    after: After | None


@dataclass(frozen=True)
class ChangePage:
    """Changes in revision order (rows as queries.CHANGE_* describes them), where the next
    page starts, and whether more changes were there already."""

    rows: Sequence[TaskRow]
    position: ChangePosition
    more: bool


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
        elif isinstance(value, datetime):
            value = whole_millis(value)
        values[change.name] = value
    return values


def _next_after(rows: Sequence[TaskRow], task_filter: TaskFilter) -> After | None:
    """Where the page after a full one starts: its last row's sort values and id."""
    if len(rows) < task_filter.limit or not rows:
        return None
    last = rows[-1]
    values = tuple(last[SORT_VALUES : SORT_VALUES + len(task_filter.order)])
    return After(values=values, task_id=uuid.UUID(last[0]))


def _single(expected: frozenset[int] | None, current: TaskRow) -> int:
    """The one revision a conditional write may change: `current`'s, if it is expected."""
    if expected is not None and current[REVISION] not in expected:
        raise PreconditionFailed(STALE)
    return int(current[REVISION])


class TaskService:
    """A user's own tasks. Each call is one statement: reads may be served by a replica
    that has the user's last write, writes go to the primary."""

    def __init__(self, db: Database, *, clock: Clock) -> None:
        self._tasks = TaskRepository(db)
        self._clock = clock

    def _now(self) -> datetime:
        return whole_millis(self._clock())

    async def list(
        self, user_id: uuid.UUID, task_filter: TaskFilter, *, counted: bool = True
    ) -> TaskPage:
        """A page of the user's tasks; with `counted`, how many match in all (offset pages)."""
        rows = await self._tasks.page(user_id, task_filter)
        after = _next_after(rows, task_filter)
        if task_filter.after is not None or not counted:
            return TaskPage(rows, None, after)
        if task_filter.offset == 0 and after is None:
            return TaskPage(rows, len(rows), None)  # the whole result is here; no need to count
        return TaskPage(rows, await self._tasks.count(user_id, task_filter), after)

    async def summary(self, user_id: uuid.UUID) -> TaskSummary:
        total, pending, in_progress, completed, overdue = await self._tasks.counts(
            user_id, self._now()
        )
        return TaskSummary(total, pending, in_progress, completed, overdue)

    async def create(
        self, user_id: uuid.UUID, draft: TaskDraft, *, within: Transaction | None = None
    ) -> TaskRow:
        """Add a task; `within` a transaction when it must commit with other writes."""
        values = {
            "id": uuid7(),
            "title": checked_title(draft.title),
            "description": checked_description(draft.description),
            "status": draft.status.value,
            "priority": draft.priority.value,
            "due_date": None if draft.due_date is None else whole_millis(draft.due_date),
        }
        return await self._tasks.add(user_id, values, self._now(), within)

    async def get(self, user_id: uuid.UUID, task_id: uuid.UUID) -> TaskRow:
        row = await self._tasks.get(user_id, task_id)
        if row is None:
            raise NotFound(TASK_NOT_FOUND)
        return row

    async def update(
        self,
        user_id: uuid.UUID,
        task_id: uuid.UUID,
        changes: TaskChanges,
        *,
        expected: frozenset[int] | None = None,
    ) -> TaskRow:
        """Apply `changes` in one statement: of two concurrent updates, the row holds one of
        them whole, never a mix of both. With `expected` revisions (If-Match), only a task
        at one of them changes; at another, PreconditionFailed."""
        values = _column_values(changes)
        if not values:
            current = await self.get(user_id, task_id)
            _single(expected, current)
            return current
        revision = await self._expected(user_id, task_id, expected)
        row = await self._tasks.update(user_id, task_id, values, self._now(), revision)
        if row is None:
            raise await self._why_unchanged(user_id, task_id, revision)
        return row

    async def delete(
        self, user_id: uuid.UUID, task_id: uuid.UUID, *, expected: frozenset[int] | None = None
    ) -> None:
        revision = await self._expected(user_id, task_id, expected)
        if not await self._tasks.delete(user_id, task_id, revision):
            raise await self._why_unchanged(user_id, task_id, revision)

    async def _expected(
        self, user_id: uuid.UUID, task_id: uuid.UUID, expected: frozenset[int] | None
    ) -> int | None:
        """The revision a conditional write names in its statement: the one expected, or,
        of several, the task's own when it is among them (read first)."""
        if expected is None or len(expected) == 1:
            return None if expected is None else next(iter(expected))
        return _single(expected, await self.get(user_id, task_id))

    async def _why_unchanged(
        self, user_id: uuid.UUID, task_id: uuid.UUID, revision: int | None
    ) -> Exception:
        """A write that touched no row: no such task, or (conditional) not at `revision`."""
        if revision is None or await self._tasks.get(user_id, task_id) is None:
            return NotFound(TASK_NOT_FOUND)
        return PreconditionFailed(STALE)

    async def changes(self, user_id: uuid.UUID, after: ChangePosition, limit: int) -> ChangePage:
        """The changes to the user's tasks after `after`: from THE_BEGINNING, every task.

        A reader whose copy may hold a task whose deletion is no longer kept is refused
        (CursorExpired): it must start over."""
        clock, rows, forgotten = await self._tasks.changes(user_id, after, limit)
        complete_at = clock if after.complete_at is None else after.complete_at
        if after.complete_at is not None and complete_at < forgotten:
            raise CursorExpired(
                "Changes this far back are no longer kept; sync again from the beginning"
            )
        position = after
        if rows:
            last = rows[-1]
            position = ChangePosition(int(last[REVISION]), uuid.UUID(str(last[CHANGE_KEY])))
        position = replace(position, complete_at=max(complete_at, position.revision))
        return ChangePage(rows, position, more=len(rows) == limit)

    async def forget_tombstones(self, older_than: datetime) -> int:
        """Forget deletions made before `older_than`; how many were forgotten."""
        return await self._tasks.forget_tombstones(older_than)
