"""Task list statements on a million rows: plans and latency with our indexes, with the
scaling strategy's four, and with none; keyset against offset deep in a long list.

Usage: .venv/bin/python bench/indexes.py [--users 10000] [--tasks-per-user 100]
       [--heavy-tasks 60000] [--runs 25]
Creates a throwaway PostgreSQL database (dropped at the end), seeds it with `taskmaster seed`,
and prints Markdown: the figures for bench/README.md and the EXPLAIN (ANALYZE, BUFFERS) plans.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import asyncpg
from seeded import migrated_database, seed

from taskmaster.db.query import asyncpg_dialect
from taskmaster.tasks.filters import After, Ordering, SortKey, TaskFilter
from taskmaster.tasks.models import Status
from taskmaster.tasks.queries import SORT_VALUES, Statements

PAGE = 50
DEEP_PAGE = 1_000
OURS = "ours (migration 0003)"
STRATEGYS = "the strategy's four"
NONE = "none (primary key only)"

# The scaling strategy's Path 3, Solution A, on the project that took the owner's place (a
# user's tasks are their Inbox's, whose id is theirs).
STRATEGY_INDEXES = (
    "CREATE INDEX idx_tasks_user_id ON tasks(project_id)",
    "CREATE INDEX idx_tasks_status ON tasks(status)",
    "CREATE INDEX idx_tasks_created_at ON tasks(created_at DESC)",
    "CREATE INDEX idx_tasks_user_status ON tasks(project_id, status)",
)


@dataclass(frozen=True)
class Scenario:
    name: str
    task_filter: TaskFilter
    values: dict[str, Any] = field(default_factory=dict)


SCENARIOS = (
    Scenario("newest first (the default)", TaskFilter(limit=PAGE)),
    Scenario(
        "pending, newest first",
        TaskFilter(status=Status.PENDING, limit=PAGE),
        {"status": Status.PENDING.value},
    ),
    Scenario("by title", TaskFilter(order=(Ordering(SortKey.TITLE),), limit=PAGE)),
    Scenario("by due date", TaskFilter(order=(Ordering(SortKey.DUE_DATE),), limit=PAGE)),
    Scenario(
        "by priority",
        TaskFilter(order=(Ordering(SortKey.PRIORITY, descending=True),), limit=PAGE),
    ),
    Scenario(
        "search 'invoice'", TaskFilter(search="invoice", limit=PAGE), {"pattern": "%invoice%"}
    ),
)


def sql_of(task_filter: TaskFilter) -> tuple[str, tuple[str, ...]]:
    """A page of one user's Inbox, as TaskMaster reads a user who has no other project."""
    return (
        Statements()
        .page(replace(task_filter, project_id=uuid.UUID(int=0)))
        .compiled(asyncpg_dialect())
    )


def owned_by(owner: uuid.UUID) -> dict[str, Any]:
    return {"caller_id": owner, "project_id": owner}


async def median_ms(run: Callable[[], Awaitable[object]], runs: int) -> float:
    await run()  # warm: plan cache, buffers
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def list_ms(
    connection: asyncpg.Connection, scenario: Scenario, owner: uuid.UUID, runs: int
) -> float:
    sql, names = sql_of(scenario.task_filter)
    values = {**owned_by(owner), "limit": PAGE, "offset": 0, **scenario.values}
    return await median_ms(lambda: connection.fetch(sql, *[values[n] for n in names]), runs)


async def plan(connection: asyncpg.Connection, scenario: Scenario, owner: uuid.UUID) -> str:
    sql, names = sql_of(scenario.task_filter)
    values = {**owned_by(owner), "limit": PAGE, "offset": 0, **scenario.values}
    rows = await connection.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", *[values[n] for n in names])
    return "\n".join(row[0] for row in rows)


async def with_indexes(
    connection: asyncpg.Connection, which: str, measure: Callable[[], Awaitable[None]]
) -> None:
    """Measure inside a transaction that swaps the indexes and is rolled back."""
    transaction = connection.transaction()
    await transaction.start()
    try:
        if which != OURS:
            names = await connection.fetch(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'tasks'"
                " AND indexname <> 'pk_tasks'"
            )
            for row in names:
                await connection.execute(f'DROP INDEX "{row[0]}"')
        if which == STRATEGYS:
            for statement in STRATEGY_INDEXES:
                await connection.execute(statement)
            await connection.execute("ANALYZE tasks")
        await measure()
    finally:
        await transaction.rollback()


async def keyset_against_offset(
    connection: asyncpg.Connection, heavy: uuid.UUID, runs: int
) -> list[tuple[str, float]]:
    task_filter = TaskFilter(limit=PAGE)
    sql, names = sql_of(task_filter)
    base = {**owned_by(heavy), "limit": PAGE}

    async def by_offset(page: int) -> list[asyncpg.Record]:
        values = {**base, "offset": (page - 1) * PAGE}
        rows: list[asyncpg.Record] = await connection.fetch(sql, *[values[n] for n in names])
        return rows

    before = (await by_offset(DEEP_PAGE - 1))[-1]  # the last row of the page before
    after = After(values=(before[SORT_VALUES],), task_id=uuid.UUID(before[0]))
    keyset_sql, keyset_names = sql_of(TaskFilter(limit=PAGE, after=after))
    keyset_values = {**base, "offset": 0, "after_0": after.values[0], "after_id": after.task_id}
    keyset_rows = await connection.fetch(keyset_sql, *[keyset_values[n] for n in keyset_names])
    assert [r[0] for r in keyset_rows] == [r[0] for r in await by_offset(DEEP_PAGE)]
    return [
        ("page 1", await median_ms(lambda: by_offset(1), runs)),
        (f"page {DEEP_PAGE:,} by offset", await median_ms(lambda: by_offset(DEEP_PAGE), runs)),
        (
            f"page {DEEP_PAGE:,} by keyset",
            await median_ms(
                lambda: connection.fetch(keyset_sql, *[keyset_values[n] for n in keyset_names]),
                runs,
            ),
        ),
    ]


async def main(arguments: argparse.Namespace) -> None:
    async with migrated_database("bench_indexes") as url:
        seconds = await asyncio.to_thread(seed, url, arguments.users, arguments.tasks_per_user)
        await asyncio.to_thread(seed, url, 1, arguments.heavy_tasks)
        connection = await asyncpg.connect(url)
        total = await connection.fetchval("SELECT count(*) FROM tasks")
        print(
            f"seeded {arguments.users:,} users x {arguments.tasks_per_user} tasks in "
            f"{seconds:.1f} s; {total:,} tasks in all, {datetime.now(UTC):%Y-%m-%d}\n"
        )
        heavy = await connection.fetchval(
            "SELECT project_id FROM tasks GROUP BY project_id ORDER BY count(*) DESC LIMIT 1"
        )
        typical = await connection.fetchval(
            "SELECT project_id FROM tasks WHERE project_id <> $1 LIMIT 1 OFFSET 5000", heavy
        )
        figures: dict[str, dict[str, float]] = {}
        plans: dict[str, dict[str, str]] = {}
        for which in (OURS, STRATEGYS, NONE):

            async def measure(which: str = which) -> None:
                figures[which] = {}
                plans[which] = {}
                for scenario in SCENARIOS:
                    figures[which][scenario.name] = await list_ms(
                        connection, scenario, typical, arguments.runs
                    )
                    plans[which][scenario.name] = await plan(connection, scenario, typical)

            await with_indexes(connection, which, measure)
        print(
            "| list of a typical user (100 tasks), page of 50 | "
            + " | ".join(f"{which}, ms" for which in figures)
            + " | none / ours |"
        )
        print("|---|" + "---|" * (len(figures) + 1))
        for scenario in SCENARIOS:
            row = [figures[which][scenario.name] for which in figures]
            print(
                f"| {scenario.name} | "
                + " | ".join(f"{ms:.2f}" for ms in row)
                + f" | {row[-1] / row[0]:.0f}x |"
            )
        print(f"\n| keyset vs offset, user with {arguments.heavy_tasks:,} tasks | median ms |")
        print("|---|---|")
        for label, ms in await keyset_against_offset(connection, heavy, arguments.runs):
            print(f"| {label} | {ms:.2f} |")
        for which in (OURS, NONE):
            print(f"\n### Plans, indexes: {which}\n")
            for scenario in SCENARIOS:
                print(f"{scenario.name}:\n```\n{plans[which][scenario.name]}\n```")
        await connection.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--tasks-per-user", type=int, default=100)
    parser.add_argument("--heavy-tasks", type=int, default=60_000)
    parser.add_argument("--runs", type=int, default=25)
    asyncio.run(main(parser.parse_args()))
