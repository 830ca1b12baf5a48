"""The pool: at most DB_POOL_MAX connections, DB_POOL_MIN opened at start and kept, the rest
closed once idle for DB_POOL_IDLE_SECONDS; on the run's PostgreSQL database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from sqlalchemy.util import greenlet_spawn

from taskmaster.config import Settings
from taskmaster.db.database import Database
from taskmaster.db.engine import postgres_engine
from taskmaster.db.pool import TrimmingPool
from taskmaster.db.replicas import PRIMARY_POSITION
from tests.waiting import eventually


@pytest.fixture
async def database(postgres_url: str, tmp_path: Path) -> AsyncIterator[Database]:
    settings = Settings(_env_file=None, database_url=postgres_url, data_dir=tmp_path)
    engine = postgres_engine(
        settings.resolved_database_url, settings.model_copy(update={"db_pool_max": 4})
    )
    database = Database(engine, keep_open=2, idle_seconds=0.2)
    yield database
    await database.dispose()


async def use_all(database: Database, count: int) -> None:
    """Hold `count` connections at once, then give them back."""
    async with AsyncExitStack() as stack:
        for _ in range(count):
            await stack.enter_async_context(database.engine.connect())


def expected(*, in_use: int, idle: int) -> dict[str, int]:
    """The stats of the fixture's pool (at most 4) with nobody waiting and no timeout."""
    open_ = in_use + idle
    return {"max": 4, "open": open_, "inUse": in_use, "idle": idle, "waiting": 0, "timeouts": 0}


def pool_of(database: Database) -> TrimmingPool:
    pool = database.engine.pool
    assert isinstance(pool, TrimmingPool)
    return pool


async def test_the_floor_is_opened_at_start_and_kept(database: Database) -> None:
    database.start()
    # Opened and given back: the keeper holds them all at once while it opens them.
    await eventually(
        lambda: database.stats()["pool"] == expected(in_use=0, idle=2), what="the floor opened"
    )
    # What the keeper does every few seconds: at the floor, nothing is closed however idle.
    assert await greenlet_spawn(pool_of(database).trim, 2, 0.0) == 0
    assert database.stats()["pool"] == expected(in_use=0, idle=2)


async def test_idle_connections_above_the_floor_are_closed(database: Database) -> None:
    await use_all(database, 4)
    assert database.stats()["pool"]["open"] == 4
    pool = pool_of(database)
    assert await greenlet_spawn(pool.trim, 2, 60.0) == 0  # none idle for a minute yet
    assert await greenlet_spawn(pool.trim, 2, 0.0) == 2
    assert database.stats()["pool"]["open"] == 2
    await use_all(database, 4)  # closed slots reconnect when needed
    assert database.stats()["pool"]["open"] == 4


async def test_connections_in_use_count_towards_the_floor(database: Database) -> None:
    await use_all(database, 4)
    pool = pool_of(database)
    async with database.engine.connect(), database.engine.connect():
        assert await greenlet_spawn(pool.trim, 2, 0.0) == 2  # both idle ones: 2 are in use
        assert database.stats()["pool"] == expected(in_use=2, idle=0)


async def test_the_newest_connection_is_reused_first(database: Database) -> None:
    await use_all(database, 3)
    async with database.engine.connect() as first:
        taken = await first.get_raw_connection()
        newest = taken.driver_connection
    async with database.engine.connect() as second:
        assert (await second.get_raw_connection()).driver_connection is newest


async def test_requests_waiting_for_a_connection_are_served_in_turn(database: Database) -> None:
    await use_all(database, 4)
    served: list[int] = []

    async def read(n: int) -> None:
        await database.read(PRIMARY_POSITION, {})
        served.append(n)

    held = [await database.engine.connect() for _ in range(4)]
    waiting = []

    def in_line() -> int:
        count: int = database.stats()["pool"]["waiting"]
        return count

    for n in range(3):
        waiting.append(asyncio.create_task(read(n)))
        await eventually(lambda: in_line() == len(waiting), what="in line before the next")
    await held.pop().close()  # one connection comes back ...
    waiting.append(asyncio.create_task(read(3)))  # ... as a newcomer arrives: it waits its turn
    await asyncio.gather(*waiting)
    assert served == [0, 1, 2, 3]
    for connection in held:
        await connection.close()
