"""Tasks in the database: one statement per call, rows rendered by the database."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update

from taskmaster.db.database import Database, Transaction
from taskmaster.db.query import Rows
from taskmaster.tasks.filters import ChangePosition, TaskFilter
from taskmaster.tasks.models import ChangeClock, TaskTombstone
from taskmaster.tasks.queries import Statements

# A task as RENDERED columns (id, userId, title, description, status, priority, dueDate,
# createdAt, updatedAt, revision); a list page's rows carry their sort values after them.
TaskRow = Sequence[Any]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filter_values(user_id: uuid.UUID, task_filter: TaskFilter) -> dict[str, Any]:
    values: dict[str, Any] = {"owner_id": user_id}
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


class TaskRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._statements = Statements()

    async def page(self, user_id: uuid.UUID, task_filter: TaskFilter) -> Rows:
        values = _filter_values(user_id, task_filter)
        values |= {"limit": task_filter.limit, "offset": task_filter.offset}
        if task_filter.after is not None:
            values |= {f"after_{n}": value for n, value in enumerate(task_filter.after.values)}
            values["after_id"] = task_filter.after.task_id
        return await self._db.read(self._statements.page(task_filter), values, reader=user_id)

    async def count(self, user_id: uuid.UUID, task_filter: TaskFilter) -> int:
        values = _filter_values(user_id, task_filter)
        rows = await self._db.read(self._statements.count(task_filter), values, reader=user_id)
        return int(rows[0][0])

    async def counts(self, user_id: uuid.UUID, now: datetime) -> Sequence[int]:
        """Total, pending, in progress, completed, and open past their due date."""
        values = {"owner_id": user_id, "now": now}
        rows = await self._db.read(self._statements.summary(), values, reader=user_id)
        return [int(count) for count in rows[0]]

    async def get(self, user_id: uuid.UUID, task_id: uuid.UUID) -> TaskRow | None:
        values = {"owner_id": user_id, "task_id": task_id}
        rows = await self._db.read(self._statements.one(), values, reader=user_id)
        return rows[0] if rows else None

    async def add(
        self,
        user_id: uuid.UUID,
        columns: dict[str, Any],
        now: datetime,
        within: Transaction | None = None,
    ) -> TaskRow:
        """Insert a task: in one statement of its own, or in the transaction `within`."""
        values = {f"new_{column}": value for column, value in columns.items()}
        values |= {"owner_id": user_id, "now": now}
        query = self._statements.insert()
        if within is not None:
            rows = await within.fetch(query, values)
        else:
            rows = await self._db.write(query, values, writer=user_id)
        return rows[0]

    async def update(
        self,
        user_id: uuid.UUID,
        task_id: uuid.UUID,
        changes: dict[str, Any],
        now: datetime,
        expected: int | None = None,
    ) -> TaskRow | None:
        """Write `changes` (column: value) in one statement, if the task is at revision
        `expected` (when given); None when there is no such task at that revision."""
        query = self._statements.update(frozenset(changes), conditional=expected is not None)
        values = {f"new_{column}": value for column, value in changes.items()}
        values |= {"owner_id": user_id, "task_id": task_id, "now": now}
        if expected is not None:
            values["expected_revision"] = expected
        rows = await self._db.write(query, values, writer=user_id)
        return rows[0] if rows else None

    async def delete(
        self, user_id: uuid.UUID, task_id: uuid.UUID, expected: int | None = None
    ) -> bool:
        """Delete the task, if it is at revision `expected` (when given)."""
        query = self._statements.delete(conditional=expected is not None)
        values: dict[str, Any] = {"owner_id": user_id, "task_id": task_id}
        if expected is not None:
            values["expected_revision"] = expected
        return bool(await self._db.write(query, values, writer=user_id))

    async def changes(
        self, user_id: uuid.UUID, after: ChangePosition, limit: int
    ) -> tuple[int, Rows, int]:
        """The owner's clock revision, then the tasks written and deleted after `after` in
        revision order (queries.CHANGE_*), then the newest revision whose tombstone is gone.

        Read in that order on one server: the revision is no newer than the changes, and
        tombstones forgotten before the changes were read show in the last."""
        values = {
            "owner_id": user_id,
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
        clock, rows, forgotten = await self._db.read_all(queries, values, reader=user_id)
        return int(clock[0][0]) if clock else 0, rows, int(forgotten[0][0]) if forgotten else 0

    async def forget_tombstones(self, older_than: datetime) -> int:
        """Delete tombstones of deletions before `older_than`, and remember per owner up to
        which revision they are gone, in one transaction; how many were deleted."""
        async with self._db.session() as session:
            gone = await session.execute(
                delete(TaskTombstone)
                .where(TaskTombstone.deleted_at < older_than)
                .returning(TaskTombstone.owner_id, TaskTombstone.revision)
            )
            newest: dict[uuid.UUID, int] = {}
            count = 0
            for owner_id, revision in gone:
                newest[owner_id] = max(revision, newest.get(owner_id, 0))
                count += 1
            for owner_id, revision in newest.items():
                await session.execute(
                    update(ChangeClock)
                    .where(ChangeClock.owner_id == owner_id)
                    .where(ChangeClock.forgotten_through < revision)
                    .values(forgotten_through=revision)
                )
            await session.commit()
        return count
