"""Where a task insert's tail comes from: TaskMaster's insert at a fixed rate, straight to
PostgreSQL, with every index of our migrations, without the two trigram GIN indexes, and with
them but `fastupdate = off` (no pending list to clean up in one go).

Usage: .venv/bin/python bench/insert_tail.py [--users 2000] [--tasks-per-user 100]
       [--rate 1000] [--seconds 30] [--rounds 2]
Creates a throwaway PostgreSQL database (dropped at the end), seeds it with `taskmaster seed`,
then for each variant in turn, each round: inserts at the rate (open loop, bench/fixed_rate.py's
`offer`: timed from when each insert was due) on a pool of 14 and prints p50, p99 and the
worst, in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
from fixed_rate import offer
from seeded import migrated_database, seed

from taskmaster.clock import whole_millis
from taskmaster.db.query import asyncpg_dialect
from taskmaster.ids import uuid7
from taskmaster.tasks.models import Priority, Status
from taskmaster.tasks.queries import Statements

INSERT_SQL, INSERT_NAMES = Statements().insert(assigned=False).compiled(asyncpg_dialect())
TRIGRAMS = ("ix_tasks_title_trigrams", "ix_tasks_description_trigrams")
VARIANTS: dict[str, list[str]] = {
    "every index (fastupdate on, the default)": [],
    "trigram indexes with fastupdate = off": [
        f"ALTER INDEX {name} SET (fastupdate = off)" for name in TRIGRAMS
    ],
    "no trigram indexes": [f"DROP INDEX {name}" for name in TRIGRAMS],
}


def values(project: uuid.UUID) -> list[Any]:
    named: dict[str, Any] = {
        "new_id": uuid7(),
        "caller_id": project,
        "project_id": project,  # a user's Inbox has the user's id
        "new_title": "Bench task with a title of a usual length",
        "new_description": "",
        "new_status": Status.PENDING.value,
        "new_priority": Priority.MEDIUM.value,
        "new_due_date": None,
        "now": whole_millis(datetime.now(UTC)),
    }
    return [named[name] for name in INSERT_NAMES]


async def insert_at_rate(
    pool: asyncpg.Pool, projects: list[uuid.UUID], rate: float, seconds: float
) -> list[float]:
    latencies: list[float] = []

    async def insert(project: uuid.UUID, due: float) -> None:
        await pool.fetchrow(INSERT_SQL, *values(project))
        latencies.append((time.perf_counter() - due) * 1000)

    await offer(rate, seconds, lambda i, due: insert(projects[i % len(projects)], due))
    return sorted(latencies)


async def main(arguments: argparse.Namespace) -> None:
    async with migrated_database("bench_insert_tail") as url:
        await asyncio.to_thread(seed, url, arguments.users, arguments.tasks_per_user)
        pool = await asyncpg.create_pool(url, min_size=14, max_size=14)
        projects = [row["id"] for row in await pool.fetch("SELECT id FROM projects LIMIT 200")]
        print(
            f"{arguments.users * arguments.tasks_per_user:,} tasks; {arguments.rate:,.0f}"
            f" inserts/s for {arguments.seconds:.0f} s a round; latency in ms"
        )
        print(f"{'variant':<42} round    p50     p99   worst")
        for variant, statements in VARIANTS.items():
            for statement in statements:
                await pool.execute(statement)
            await pool.execute("VACUUM tasks")  # every variant starts with no pending list
            for round_ in range(1, arguments.rounds + 1):
                times = await insert_at_rate(pool, projects, arguments.rate, arguments.seconds)
                p99 = times[int(len(times) * 0.99)]
                print(
                    f"{variant:<42} {round_:>5} {statistics.median(times):>6.2f}"
                    f" {p99:>7.2f} {times[-1]:>7.2f}"
                )
        await pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--tasks-per-user", type=int, default=100)
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    asyncio.run(main(parser.parse_args()))
