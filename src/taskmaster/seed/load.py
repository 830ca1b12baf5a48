"""Seeding in bulk: check the schema, hash the one password, write the rows."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from taskmaster.auth.models import User
from taskmaster.auth.passwords import PasswordHasher
from taskmaster.seed import postgres, sqlite
from taskmaster.seed.bulk import BATCH_ROWS, BulkPlan, BulkRows, seed_email
from taskmaster.seed.progress import Quiet, Report

TABLES = ("users", "projects", "project_members", "tasks")


class CannotSeed(Exception):
    """Seeding would fail half-way: nothing is written, and this says why."""


class SchemaMissing(CannotSeed):
    """The database has not been migrated: seeding writes rows, never tables."""


class BatchTaken(CannotSeed):
    """The plan's batch was seeded before: its addresses are taken."""


@dataclass(frozen=True)
class BulkResult:
    users: int
    tasks: int
    batch: str
    seed: int
    first_email: str
    last_email: str


def _missing_tables(connection: Connection) -> list[str]:
    found = inspect(connection)
    return [name for name in TABLES if not found.has_table(name)]


async def check_schema(engine: AsyncEngine) -> None:
    """SchemaMissing unless the tables seeding writes to exist."""
    async with engine.connect() as connection:
        missing = await connection.run_sync(_missing_tables)
    if missing:
        raise SchemaMissing(
            f"The database has no {' or '.join(missing)} table: run `taskmaster migrate` first"
        )


async def check_batch_unused(engine: AsyncEngine, batch: str) -> None:
    """BatchTaken if `batch`'s first address belongs to an account already."""
    async with engine.connect() as connection:
        taken = await connection.scalar(
            select(User.id).where(User.email == seed_email(1, batch)).limit(1)
        )
    if taken is not None:
        raise BatchTaken(f"The batch {batch!r} was seeded already: name another one")


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Rows are millions of tuples with no cycles among them, which the cycle collector
    would otherwise walk again and again: it took a third of the generator's time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def seed_bulk(
    engine: AsyncEngine,
    hasher: PasswordHasher,
    plan: BulkPlan,
    *,
    now: datetime,
    report: Report | None = None,
    batch_rows: int = BATCH_ROWS,
) -> BulkResult:
    """Write `plan`'s users and tasks, every user with the same password (hashed once: ten
    thousand argon2 hashes would take minutes)."""
    await check_schema(engine)
    await check_batch_unused(engine, plan.batch)
    rows = BulkRows(plan, await hasher.hash(plan.password), now, batch_rows)
    backend = postgres if engine.dialect.name == "postgresql" else sqlite
    with _cycle_collector_paused():
        await backend.write(engine, rows, report or Quiet())
    return BulkResult(
        users=plan.users,
        tasks=plan.tasks,
        batch=plan.batch,
        seed=plan.seed,
        first_email=seed_email(1, plan.batch),
        last_email=seed_email(plan.users, plan.batch),
    )
