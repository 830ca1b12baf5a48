"""Tasks in the database, as one caller may see and write them: one statement per call,
rows rendered by the database."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update

from taskmaster.db.database import Database, Transaction
from taskmaster.db.query import Rows
from taskmaster.projects.policy import Role
from taskmaster.tasks.filters import ChangePosition, TaskFilter
from taskmaster.tasks.models import ChangeClock, TaskTombstone
from taskmaster.tasks.queries import Statements, UpdateShape

# A task as RENDERED columns (id, userId, title, description, status, priority, dueDate,
# createdAt, updatedAt, revision, projectId, assigneeId); a list page's rows carry their sort
# values after them.
TaskRow = Sequence[Any]


@dataclass(frozen=True)
class Access:
    """A task's project, the caller's role there (None: not a member) and its revision."""

    project_id: uuid.UUID
    role: Role | None
    revision: int


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filter_values(caller: uuid.UUID, task_filter: TaskFilter) -> dict[str, Any]:
    values: dict[str, Any] = {"caller_id": caller}
    if task_filter.project_id is not None:
        values["project_id"] = task_filter.project_id
    if task_filter.assignee_id is not None:
        values["assignee_id"] = task_filter.assignee_id
    if task_filter.status is not None:
        values["status"] = task_filter.status.value
    if task_filter.priority is not None:
        values["priority"] = task_filter.priority.value
    if task_filter.search:
        values["pattern"] = f"%{_escape_like(task_filter.search)}%"
    if task_filter.due_before is not None:
        values["due_before"] = task_filter.due_before
    if task_filter.due_after is not None:
        values["due_after"] = task_filter.due_after
    return values


def uuid_of(value: Any) -> uuid.UUID:
    """A UUID as a driver returns it: asyncpg's own type, or (SQLite) 32 hex digits."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


class TaskRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._statements = Statements()

    async def page(self, caller: uuid.UUID, task_filter: TaskFilter) -> Rows:
        """A page of the caller's tasks. A caller of one project (most have their Inbox
        alone) is read as of that project: what its index serves best, however big."""
        if task_filter.project_id is None and task_filter.assignee_id is None:
            projects = await self._db.read(
                self._statements.projects(), {"caller_id": caller}, reader=caller
            )
            if len(projects) == 1:
                task_filter = replace(task_filter, project_id=uuid_of(projects[0][0]))
        values = _filter_values(caller, task_filter)
        values |= {"limit": task_filter.limit, "offset": task_filter.offset}
        if task_filter.after is not None:
            values |= {f"after_{n}": value for n, value in enumerate(task_filter.after.values)}
            values["after_id"] = task_filter.after.task_id
        return await self._db.read(self._statements.page(task_filter), values, reader=caller)

    async def count(self, caller: uuid.UUID, task_filter: TaskFilter) -> int:
        values = _filter_values(caller, task_filter)
        rows = await self._db.read(self._statements.count(task_filter), values, reader=caller)
        return int(rows[0][0])

    async def counts(
        self, caller: uuid.UUID, task_filter: TaskFilter, now: datetime
    ) -> Sequence[int]:
        """Total, pending, in progress, completed, and open past their due date."""
        values = _filter_values(caller, task_filter) | {"now": now}
        query = self._statements.summary(task_filter)
        rows = await self._db.read(query, values, reader=caller)
        return [int(count) for count in rows[0]]

    async def get(self, caller: uuid.UUID, task_id: uuid.UUID) -> TaskRow | None:
        values = {"caller_id": caller, "task_id": task_id}
        rows = await self._db.read(self._statements.one(), values, reader=caller)
        return rows[0] if rows else None

    async def access(self, caller: uuid.UUID, task_id: uuid.UUID) -> Access | None:
        """Where a task is and what the caller may do there, read on the primary."""
        values = {"caller_id": caller, "task_id": task_id}
        rows = await self._db.read_primary(self._statements.access(), values)
        if not rows:
            return None
        project_id, role, revision = rows[0]
        return Access(uuid_of(project_id), None if role is None else Role(role), int(revision))

    async def role(self, member: uuid.UUID, project_id: uuid.UUID) -> Role | None:
        """The role `member` has in the project, read on the primary; None for none."""
        values = {"member_id": member, "project_id": project_id}
        rows = await self._db.read_primary(self._statements.role(), values)
        return Role(rows[0][0]) if rows else None

    async def add(
        self,
        caller: uuid.UUID,
        project_id: uuid.UUID,
        columns: dict[str, Any],
        now: datetime,
        within: Transaction | None = None,
    ) -> TaskRow | None:
        """Insert a task into a project the caller may write, in one statement of its own or
        in the transaction `within`; None when the caller may not, or the assignee (column
        assignee_id) is no member there."""
        assignee = columns.pop("assignee_id", None)
        values = {f"new_{column}": value for column, value in columns.items()}
        values |= {"caller_id": caller, "project_id": project_id, "now": now}
        if assignee is not None:
            values["new_assignee_id"] = assignee
        query = self._statements.insert(assigned=assignee is not None)
        if within is not None:
            rows = await within.fetch(query, values)
        else:
            rows = await self._db.write(query, values, writer=caller)
        return rows[0] if rows else None

    async def update(
        self,
        caller: uuid.UUID,
        task_id: uuid.UUID,
        changes: dict[str, Any],
        now: datetime,
        expected: int | None = None,
    ) -> TaskRow | None:
        """Write `changes` (column: value) in one statement, if the caller may and the task is
        at revision `expected` (when given); None when not."""
        shape = UpdateShape(
            frozenset(changes),
            conditional=expected is not None,
            assigning=changes.get("assignee_id") is not None,
        )
        values = {f"new_{column}": value for column, value in changes.items()}
        values |= {"caller_id": caller, "task_id": task_id, "now": now}
        if expected is not None:
            values["expected_revision"] = expected
        rows = await self._db.write(self._statements.update(shape), values, writer=caller)
        return rows[0] if rows else None

    async def delete(
        self, caller: uuid.UUID, task_id: uuid.UUID, expected: int | None = None
    ) -> uuid.UUID | None:
        """Delete the task, if the caller may and it is at revision `expected` (when given);
        the project it was in, None if nothing was deleted."""
        query = self._statements.delete(conditional=expected is not None)
        values: dict[str, Any] = {"caller_id": caller, "task_id": task_id}
        if expected is not None:
            values["expected_revision"] = expected
        rows = await self._db.write(query, values, writer=caller)
        return uuid_of(rows[0][0]) if rows else None

    async def project_ids(self, caller: uuid.UUID, *, primary: bool = False) -> list[uuid.UUID]:
        """The projects the caller is a member of."""
        query, values = self._statements.projects(), {"caller_id": caller}
        if primary:
            rows = await self._db.read_primary(query, values)
        else:
            rows = await self._db.read(query, values, reader=caller)
        return [uuid_of(project_id) for (project_id,) in rows]

    async def clocks(self, caller: uuid.UUID) -> dict[uuid.UUID, int]:
        """The change clock of every project the caller is a member of."""
        rows = await self._db.read(self._statements.clocks(), {"caller_id": caller}, reader=caller)
        return {uuid_of(project_id): int(revision) for project_id, revision in rows}

    async def changes(
        self, caller: uuid.UUID, project_id: uuid.UUID, after: ChangePosition, limit: int
    ) -> tuple[int, Rows, int]:
        """The project's clock revision, then its tasks written and deleted after `after` in
        revision order (queries.CHANGE_*), then the newest revision whose tombstone is gone.

        Read in that order on one server: the revision is no newer than the changes, and
        tombstones forgotten before the changes were read show in the last."""
        values = {
            "caller_id": caller,
            "project_id": project_id,
            "after_revision": after.revision,
            "after_id": after.task_id,
            "limit": limit,
        }
        statements = self._statements
        queries = (
            statements.clock("revision"),
            statements.changes(),
            statements.clock("forgotten_through"),
        )
        clock, rows, forgotten = await self._db.read_all(queries, values, reader=caller)
        return int(clock[0][0]) if clock else 0, rows, int(forgotten[0][0]) if forgotten else 0

    async def forget_tombstones(self, older_than: datetime) -> int:
        """Delete tombstones of deletions before `older_than`, and remember per project up to
        which revision they are gone, in one transaction; how many were deleted."""
        async with self._db.session() as session:
            gone = await session.execute(
                delete(TaskTombstone)
                .where(TaskTombstone.deleted_at < older_than)
                .returning(TaskTombstone.project_id, TaskTombstone.revision)
            )
            newest: dict[uuid.UUID, int] = {}
            count = 0
            for project_id, revision in gone:
                newest[project_id] = max(revision, newest.get(project_id, 0))
                count += 1
            for project_id, revision in newest.items():
                await session.execute(
                    update(ChangeClock)
                    .where(ChangeClock.project_id == project_id)
                    .where(ChangeClock.forgotten_through < revision)
                    .values(forgotten_through=revision)
                )
            await session.commit()
        return count
