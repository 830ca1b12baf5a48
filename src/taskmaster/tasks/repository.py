"""Tasks in the database: one statement per call, rows rendered by the database."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from taskmaster.db.database import Database
from taskmaster.db.query import Rows
from taskmaster.tasks.filters import TaskFilter
from taskmaster.tasks.queries import Statements

# A task as RENDERED columns (id, userId, title, description, status, priority, dueDate,
# createdAt, updatedAt); a list page's rows carry their sort value after them.
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
    return values


class TaskRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._statements = Statements()

    async def page(self, user_id: uuid.UUID, task_filter: TaskFilter) -> Rows:
        values = _filter_values(user_id, task_filter)
        values |= {"limit": task_filter.limit, "offset": task_filter.offset}
        if task_filter.after is not None:
            values |= {
                "after_value": task_filter.after.value,
                "after_id": task_filter.after.task_id,
            }
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

    async def add(self, user_id: uuid.UUID, columns: dict[str, Any], now: datetime) -> TaskRow:
        values = {f"new_{column}": value for column, value in columns.items()}
        values |= {"owner_id": user_id, "now": now}
        rows = await self._db.write(self._statements.insert(), values, writer=user_id)
        return rows[0]

    async def update(
        self, user_id: uuid.UUID, task_id: uuid.UUID, changes: dict[str, Any], now: datetime
    ) -> TaskRow | None:
        """Write `changes` (column: value) in one statement; None when there is no such task."""
        query = self._statements.update(frozenset(changes))
        values = {f"new_{column}": value for column, value in changes.items()}
        values |= {"owner_id": user_id, "task_id": task_id, "now": now}
        rows = await self._db.write(query, values, writer=user_id)
        return rows[0] if rows else None

    async def delete(self, user_id: uuid.UUID, task_id: uuid.UUID) -> bool:
        values = {"owner_id": user_id, "task_id": task_id}
        return bool(await self._db.write(self._statements.delete(), values, writer=user_id))
