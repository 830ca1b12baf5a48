"""Tasks in the database; lists select plain columns, never hydrated objects."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, case, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from taskmaster.tasks.filters import SortKey, TaskFilter
from taskmaster.tasks.models import Priority, Status, Task

LIST_COLUMNS = (
    Task.id,
    Task.user_id,
    Task.title,
    Task.description,
    Task.status,
    Task.priority,
    Task.due_date,
    Task.created_at,
    Task.updated_at,
)

PRIORITY_RANK = case(
    {Priority.LOW.value: 0, Priority.MEDIUM.value: 1, Priority.HIGH.value: 2},
    value=Task.priority,
)

# One row of a task list: the LIST_COLUMNS, in order.
TaskRow = Row[uuid.UUID, uuid.UUID, str, str, str, str, datetime | None, datetime, datetime]

ORDER_BY: dict[SortKey, ColumnElement[Any]] = {
    SortKey.CREATED_AT: Task.created_at.expression,
    SortKey.UPDATED_AT: Task.updated_at.expression,
    SortKey.DUE_DATE: Task.due_date.expression,
    SortKey.TITLE: func.lower(Task.title),
    SortKey.PRIORITY: PRIORITY_RANK,
}


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class TaskRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _conditions(self, user_id: uuid.UUID, task_filter: TaskFilter) -> list[ColumnElement[bool]]:
        conditions = [Task.user_id == user_id]
        if task_filter.status is not None:
            conditions.append(Task.status == task_filter.status.value)
        if task_filter.priority is not None:
            conditions.append(Task.priority == task_filter.priority.value)
        if task_filter.search:
            pattern = f"%{_escape_like(task_filter.search.lower())}%"
            conditions.append(
                or_(
                    func.lower(Task.title).like(pattern, escape="\\"),
                    func.lower(Task.description).like(pattern, escape="\\"),
                )
            )
        return conditions

    async def page(self, user_id: uuid.UUID, task_filter: TaskFilter) -> Sequence[TaskRow]:
        key = ORDER_BY[task_filter.sort]
        order = (
            (key.desc(), Task.id.desc()) if task_filter.descending else (key.asc(), Task.id.asc())
        )
        query = (
            select(*LIST_COLUMNS)
            .where(*self._conditions(user_id, task_filter))
            .order_by(*order)
            .limit(task_filter.limit)
            .offset(task_filter.offset)
        )
        return (await self._session.execute(query)).all()

    async def count(self, user_id: uuid.UUID, task_filter: TaskFilter) -> int:
        query = (
            select(func.count()).select_from(Task).where(*self._conditions(user_id, task_filter))
        )
        return int(await self._session.scalar(query) or 0)

    async def status_counts(self, user_id: uuid.UUID) -> dict[str, int]:
        query = (
            select(Task.status, func.count()).where(Task.user_id == user_id).group_by(Task.status)
        )
        return dict((await self._session.execute(query)).all())

    async def overdue_count(self, user_id: uuid.UUID, now: datetime) -> int:
        query = select(func.count()).where(
            Task.user_id == user_id,
            Task.status != Status.COMPLETED.value,
            Task.due_date < now,
        )
        return int(await self._session.scalar(query) or 0)

    async def get(self, user_id: uuid.UUID, task_id: uuid.UUID) -> Task | None:
        return await self._session.scalar(
            select(Task).where(Task.id == task_id, Task.user_id == user_id)
        )

    async def add(self, task: Task) -> None:
        self._session.add(task)
        await self._session.flush()

    async def delete(self, user_id: uuid.UUID, task_id: uuid.UUID) -> bool:
        result = await self._session.execute(
            delete(Task).where(Task.id == task_id, Task.user_id == user_id)
        )
        return bool(getattr(result, "rowcount", 0))

    async def flush(self) -> bool:
        """Write pending changes; False when a changed row was deleted meanwhile."""
        try:
            await self._session.flush()
        except StaleDataError:
            return False
        return True
