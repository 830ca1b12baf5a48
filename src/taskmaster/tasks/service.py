"""Task use cases: list, summarize, create, read, change, move, assign and delete the tasks of
the projects a caller is a member of, and follow the changes to them.

Who may do what is the policy's to say: the statements ask it which roles may write, and
when a write changes nothing, the policy explains why (404 for a stranger, 403 for a viewer).
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from enum import Enum
from typing import Final, NoReturn, Protocol

from taskmaster.clock import Clock, whole_millis
from taskmaster.db.database import Database, Transaction
from taskmaster.errors import Conflict, CursorExpired, Invalid, NotFound, PreconditionFailed
from taskmaster.ids import uuid7
from taskmaster.projects import policy
from taskmaster.projects.policy import Action
from taskmaster.rules import within
from taskmaster.tasks.filters import THE_BEGINNING, After, ChangePosition, TaskFilter
from taskmaster.tasks.models import Priority, Status
from taskmaster.tasks.queries import CHANGE_KEY, PROJECT, REVISION, SORT_VALUES
from taskmaster.tasks.repository import TaskRepository, TaskRow, uuid_of

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
TASK_NOT_FOUND = "Task not found"
STALE = "The task has changed since the version this request names"
# A conflict with the project's members as they are: the same request succeeds once the
# assignee has joined.
NOT_A_MEMBER = "The assignee must be a member of the task's project"


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
    project_id: uuid.UUID | None = None  # None: the caller's Inbox
    assignee_id: uuid.UUID | None = None


@dataclass(frozen=True)
class TaskChanges:
    """A partial update: fields left UNSET keep their value."""

    title: str | _Unset = UNSET
    description: str | _Unset = UNSET
    status: Status | _Unset = UNSET
    priority: Priority | _Unset = UNSET
    due_date: datetime | _Unset | None = field(default=UNSET)
    project_id: uuid.UUID | _Unset = UNSET  # a move to another project
    assignee_id: uuid.UUID | _Unset | None = field(default=UNSET)


@dataclass(frozen=True)
class TaskPage:
    """A page of tasks; `total` counts every match (counted offset pages only); `after` is
    where the next keyset page starts, None on the last page."""

    rows: Sequence[TaskRow]
    total: int | None
    after: After | None


@dataclass(frozen=True)
class ChangePage:
    """Changes, project by project, each project's in revision order (rows as
    queries.CHANGE_* describes them); where the next page starts in each project; the
    projects of the reader's positions that the caller can no longer see; and whether more
    changes were there already."""

    rows: Sequence[TaskRow]
    positions: Mapping[uuid.UUID, ChangePosition]
    removed: Sequence[uuid.UUID]
    more: bool


@dataclass(frozen=True)
class _ProjectChanges:
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


async def _nobody_is_told(
    *, users: Iterable[uuid.UUID] = (), projects: Iterable[uuid.UUID] = ()
) -> None:
    """The listener of a service whose writes nobody keeps copies of (the command line, the
    service's own tests): there is nothing to tell."""


class WriteListener(Protocol):
    """Hears what a committed write changed: whoever keeps copies (the read cache)."""

    async def __call__(
        self, *, users: Iterable[uuid.UUID] = (), projects: Iterable[uuid.UUID] = ()
    ) -> None: ...


class TaskService:
    """The tasks of the projects a caller is a member of. Each write is one statement, on the
    primary; reads may be served by a replica that has the caller's last write. After each
    write, `touched` hears which projects it changed."""

    def __init__(
        self, db: Database, *, clock: Clock, touched: WriteListener = _nobody_is_told
    ) -> None:
        self._tasks = TaskRepository(db)
        self._clock = clock
        self._touched = touched

    def _now(self) -> datetime:
        return whole_millis(self._clock())

    async def list(
        self, caller: uuid.UUID, task_filter: TaskFilter, *, counted: bool = True
    ) -> TaskPage:
        """A page of the caller's tasks; with `counted`, how many match in all (offset pages)."""
        rows = await self._tasks.page(caller, task_filter)
        if not rows:
            await self._readable(caller, task_filter)
        after = _next_after(rows, task_filter)
        if task_filter.after is not None or not counted:
            return TaskPage(rows, None, after)
        if task_filter.offset == 0 and after is None:
            return TaskPage(rows, len(rows), None)  # the whole result is here; no need to count
        return TaskPage(rows, await self._tasks.count(caller, task_filter), after)

    async def summary(
        self, caller: uuid.UUID, task_filter: TaskFilter | None = None
    ) -> TaskSummary:
        """The counts of the caller's tasks: of one project or assignee if the filter says."""
        task_filter = task_filter or TaskFilter()
        total, pending, in_progress, completed, overdue = await self._tasks.counts(
            caller, task_filter, self._now()
        )
        if not total:
            await self._readable(caller, task_filter)
        return TaskSummary(total, pending, in_progress, completed, overdue)

    async def _readable(self, caller: uuid.UUID, task_filter: TaskFilter) -> None:
        """An empty answer about one project: NotFound unless the caller is a member."""
        if task_filter.project_id is not None:
            role = await self._tasks.role(caller, task_filter.project_id)
            policy.check(role, Action.READ)

    async def create(
        self, caller: uuid.UUID, draft: TaskDraft, *, within: Transaction | None = None
    ) -> TaskRow:
        """Add a task to a project the caller may write (the caller's Inbox, whose id is the
        caller's, by default); `within` a transaction when it must commit with other writes."""
        values = {
            "id": uuid7(),
            "title": checked_title(draft.title),
            "description": checked_description(draft.description),
            "status": draft.status.value,
            "priority": draft.priority.value,
            "due_date": None if draft.due_date is None else whole_millis(draft.due_date),
            "assignee_id": draft.assignee_id,
        }
        project_id = caller if draft.project_id is None else draft.project_id
        row = await self._tasks.add(caller, project_id, values, self._now(), within)
        if row is None:
            policy.check(await self._tasks.role(caller, project_id), Action.WRITE_TASKS)
            raise Conflict(NOT_A_MEMBER)
        if within is None:  # else the transaction's owner tells, once it commits
            await self._touched(projects=[project_id])
        return row

    async def get(self, caller: uuid.UUID, task_id: uuid.UUID) -> TaskRow:
        row = await self._tasks.get(caller, task_id)
        if row is None:
            raise NotFound(TASK_NOT_FOUND)
        return row

    async def update(
        self,
        caller: uuid.UUID,
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
            current = await self.get(caller, task_id)
            _single(expected, current)
            return current
        revision = await self._expected(caller, task_id, expected)
        row = await self._tasks.update(caller, task_id, values, self._now(), revision)
        if row is None:
            await self._refuse(caller, task_id, revision, values)
        if "project_id" in values:
            # The project the task left is one the caller may write, whichever it was when
            # the statement ran (another move may have come first): tell all of them.
            await self._touched(projects=await self.project_ids(caller, primary=True))
        else:
            await self._touched(projects=[uuid_of(row[PROJECT])])
        return row

    async def delete(
        self, caller: uuid.UUID, task_id: uuid.UUID, *, expected: frozenset[int] | None = None
    ) -> None:
        revision = await self._expected(caller, task_id, expected)
        project_id = await self._tasks.delete(caller, task_id, revision)
        if project_id is None:
            await self._refuse(caller, task_id, revision, {})
        await self._touched(projects=[project_id])

    async def project_ids(
        self, caller: uuid.UUID, *, primary: bool = False
    ) -> builtins.list[uuid.UUID]:
        """The projects the caller is a member of (read on the primary if `primary`)."""
        return await self._tasks.project_ids(caller, primary=primary)

    async def _expected(
        self, caller: uuid.UUID, task_id: uuid.UUID, expected: frozenset[int] | None
    ) -> int | None:
        """The revision a conditional write names in its statement: the one expected, or,
        of several, the task's own when it is among them (read first)."""
        if expected is None or len(expected) == 1:
            return None if expected is None else next(iter(expected))
        return _single(expected, await self.get(caller, task_id))

    async def _refuse(
        self, caller: uuid.UUID, task_id: uuid.UUID, revision: int | None, values: dict[str, object]
    ) -> NoReturn:
        """Why a write touched no row: no such task for the caller, a role that may not write
        it or may not write where it would move, an assignee who is no member there, or
        (conditional) another revision."""
        access = await self._tasks.access(caller, task_id)
        if access is None:
            raise NotFound(TASK_NOT_FOUND)
        policy.check(access.role, Action.WRITE_TASKS, missing=TASK_NOT_FOUND)
        destination = values.get("project_id", access.project_id)
        assert isinstance(destination, uuid.UUID)
        if destination != access.project_id:
            policy.check(await self._tasks.role(caller, destination), Action.WRITE_TASKS)
        assignee = values.get("assignee_id")
        if (
            isinstance(assignee, uuid.UUID)
            and await self._tasks.role(assignee, destination) is None
        ):
            raise Conflict(NOT_A_MEMBER)
        if revision is not None and access.revision != revision:
            raise PreconditionFailed(STALE)
        raise NotFound(TASK_NOT_FOUND)  # deleted meanwhile

    async def changes(
        self, caller: uuid.UUID, positions: Mapping[uuid.UUID, ChangePosition], limit: int
    ) -> ChangePage:
        """The changes to the tasks of the caller's projects after `positions` (a project
        without one: from THE_BEGINNING, every task), up to `limit` of them.

        A reader whose copy may hold a task whose deletion is no longer kept is refused
        (CursorExpired): it must start over."""
        clocks = await self._tasks.clocks(caller)
        removed = [project_id for project_id in positions if project_id not in clocks]
        rows: list[TaskRow] = []
        kept: dict[uuid.UUID, ChangePosition] = {}
        more = False
        for project_id, revision in sorted(clocks.items()):
            position = positions.get(project_id, THE_BEGINNING)
            caught_up = position.complete_at is not None and revision <= position.revision
            if caught_up or len(rows) == limit:
                more = more or not caught_up
                if project_id in positions:
                    kept[project_id] = position
                continue
            page = await self._project_changes(caller, project_id, position, limit - len(rows))
            rows.extend(page.rows)
            kept[project_id] = page.position
            more = more or page.more
        return ChangePage(rows, kept, removed, more)

    async def _project_changes(
        self, caller: uuid.UUID, project_id: uuid.UUID, after: ChangePosition, limit: int
    ) -> _ProjectChanges:
        clock, rows, forgotten = await self._tasks.changes(caller, project_id, after, limit)
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
        return _ProjectChanges(rows, position, more=len(rows) == limit)

    async def forget_tombstones(self, older_than: datetime) -> int:
        """Forget deletions made before `older_than`; how many were forgotten."""
        return await self._tasks.forget_tombstones(older_than)
