"""Bulk rows into SQLite: executemany in batches, all in one transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from taskmaster.auth.models import User
from taskmaster.events.models import OutboxEvent
from taskmaster.projects.models import Membership, Project
from taskmaster.seed.bulk import (
    MEMBER_COLUMNS,
    PROJECT_COLUMNS,
    TASK_COLUMNS,
    USER_COLUMNS,
    BulkRows,
)
from taskmaster.seed.progress import Report
from taskmaster.tasks.models import Task


def _mappings(
    columns: Sequence[str], rows: Sequence[tuple[object, ...]]
) -> list[dict[str, object]]:
    return [dict(zip(columns, row, strict=True)) for row in rows]


async def write(engine: AsyncEngine, rows: BulkRows, report: Report) -> None:
    """Insert the users and their Inboxes, then the tasks, through the tables' own column
    types, and forget the events the triggers wrote for them (a load is no live change); then
    ANALYZE."""
    async with engine.begin() as connection:
        before = await connection.scalar(select(func.coalesce(func.max(OutboxEvent.id), 0)))
        seeded = rows.users()
        await connection.execute(insert(User), _mappings(USER_COLUMNS, seeded))
        projects, members = rows.inboxes()
        await connection.execute(insert(Project), _mappings(PROJECT_COLUMNS, projects))
        await connection.execute(insert(Membership), _mappings(MEMBER_COLUMNS, members))
        report.advance(len(seeded))
        for batch in rows.task_batches():
            await connection.execute(insert(Task), _mappings(TASK_COLUMNS, batch))
            report.advance(len(batch))
        await connection.execute(delete(OutboxEvent).where(OutboxEvent.id > before))
        report.stage("Analyzing")
        await connection.exec_driver_sql("ANALYZE")
