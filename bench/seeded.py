"""A throwaway PostgreSQL database, migrated and seeded with `taskmaster seed`, for the
benchmarks that talk to PostgreSQL directly (bench/indexes.py, bench/insert_tail.py).
BENCH_POSTGRES_URL names the server's admin database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from taskmaster.db import migrate

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def seed(url: str, users: int, tasks_per_user: int) -> float:
    """Seed `users` with `tasks_per_user` tasks each into the database at `url`; seconds taken."""
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own command, arguments built here
        [
            f"{sys.prefix}/bin/taskmaster",
            "seed",
            "--users",
            str(users),
            "--tasks-per-user",
            str(tasks_per_user),
        ],
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


@asynccontextmanager
async def migrated_database(name: str) -> AsyncIterator[str]:
    """A new database `name`_<random>, migrated to head, dropped on the way out; its URL."""
    database = f"{name}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{database}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{database}"
    try:
        await asyncio.to_thread(
            migrate.upgrade, url.replace("postgresql://", "postgresql+asyncpg://")
        )
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()
