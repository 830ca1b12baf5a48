"""Bulk rows into PostgreSQL: binary COPY, the next batch made while the last is copied.

Adding many tasks for the table's size, the task indexes that back no constraint are
dropped first and built again at the end, in the same transaction: keeping them up to date
row by row (two trigram indexes among them) took 53 µs a row here, building them afresh 16 µs
a row of the whole table. The schema after commit is the one before, index for index; a
failure rolls all of it back. Dropping an index locks the table until commit, so seed a
database no one is using.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterator
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from taskmaster.seed.bulk import (
    MEMBER_COLUMNS,
    PROJECT_COLUMNS,
    TASK_COLUMNS,
    USER_COLUMNS,
    BulkRows,
)
from taskmaster.seed.progress import Report

T = TypeVar("T")

# Indexes of the tasks table that no constraint needs: the primary key and unique indexes
# stay, so the load is checked as it goes.
SECONDARY_INDEXES = """
SELECT entry.indexrelid::regclass::text, pg_get_indexdef(entry.indexrelid)
FROM pg_index AS entry
WHERE entry.indrelid = 'tasks'::regclass AND NOT entry.indisunique
  AND NOT EXISTS (SELECT FROM pg_constraint WHERE conindid = entry.indexrelid)
ORDER BY 1
"""
# Whether the table holds fewer rows than $1, without counting past $1.
FEWER_THAN = "SELECT count(*) < $1 FROM (SELECT FROM tasks LIMIT $1) AS sample"
# A load is no live change: the outbox's triggers (migration 0007) write no events for it.
QUIET = "SET LOCAL taskmaster.quiet = 'on'"
REBUILD_BELOW = 2  # rebuild when the table holds fewer than twice the rows added
BUILD_MEMORY = "256MB"  # maintenance_work_mem for the index builds (the default is 64MB)


@dataclass(frozen=True)
class Index:
    name: str
    definition: str


async def made_ahead(items: Iterator[T]) -> AsyncGenerator[T, None]:
    """`items`, each made in a thread while the caller works on the one before."""
    pending = asyncio.ensure_future(asyncio.to_thread(next, items, None))
    try:
        while (item := await pending) is not None:
            pending = asyncio.ensure_future(asyncio.to_thread(next, items, None))
            yield item
    finally:
        await asyncio.wait([pending])  # a thread cannot be cancelled: let it finish


async def _set_aside(driver: Any, adding: int) -> list[Index]:
    """Drop the secondary indexes if building them again after `adding` rows costs less than
    keeping them up to date; say which."""
    if not adding or not await driver.fetchval(FEWER_THAN, REBUILD_BELOW * adding):
        return []
    indexes = [Index(*row) for row in await driver.fetch(SECONDARY_INDEXES)]
    for index in indexes:
        await driver.execute(f"DROP INDEX {index.name}")  # regclass text: quoted as needed
    return indexes


async def _rebuild(driver: Any, indexes: list[Index], report: Report) -> None:
    if not indexes:
        return
    await driver.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
    for number, index in enumerate(indexes, start=1):
        report.stage(f"Building index {number} of {len(indexes)}")
        await driver.execute(index.definition)


async def write(engine: AsyncEngine, rows: BulkRows, report: Report) -> None:
    """Copy the users and their Inboxes, then the tasks, in one transaction; then refresh
    the statistics."""
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection  # the asyncpg connection, for its COPY
        async with driver.transaction():
            await driver.execute(QUIET)
            users = await asyncio.to_thread(rows.users)
            await driver.copy_records_to_table("users", records=users, columns=USER_COLUMNS)
            projects, members = rows.inboxes()
            await driver.copy_records_to_table(
                "projects", records=projects, columns=PROJECT_COLUMNS
            )
            await driver.copy_records_to_table(
                "project_members", records=members, columns=MEMBER_COLUMNS
            )
            report.advance(len(users))
            set_aside = await _set_aside(driver, rows.plan.tasks)
            async with aclosing(made_ahead(rows.task_batches())) as batches:
                async for batch in batches:
                    await driver.copy_records_to_table("tasks", records=batch, columns=TASK_COLUMNS)
                    report.advance(len(batch))
            await _rebuild(driver, set_aside, report)
        report.stage("Analyzing")
        await driver.execute("ANALYZE users, projects, project_members, tasks")
