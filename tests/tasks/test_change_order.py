"""The delta query never skips a change, also when transactions commit in another order than
they began: on PostgreSQL, with real concurrent transactions on connections of their own."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from taskmaster.db.query import Query, asyncpg_dialect
from taskmaster.ids import uuid7
from taskmaster.runtime import Runtime
from taskmaster.tasks.filters import THE_BEGINNING, ChangePosition
from taskmaster.tasks.queries import CHANGE_DELETED, REVISION, Statements, UpdateShape
from tests.conftest import Account
from tests.db.replication import asyncpg_url
from tests.waiting import eventually

BACKENDS = ("postgres",)
STATEMENTS = Statements()


async def run(connection: asyncpg.Connection, query: Query, **values: Any) -> list[Any]:
    """A statement of the task repository, on a connection of the test's own."""
    sql, names = query.compiled(asyncpg_dialect())
    rows: list[Any] = await connection.fetch(sql, *[values[name] for name in names])
    return rows


async def insert(connection: asyncpg.Connection, owner: uuid.UUID, title: str) -> uuid.UUID:
    task_id = uuid7()
    await run(
        connection,
        STATEMENTS.insert(assigned=False),
        new_id=task_id,
        new_title=title,
        new_description="",
        new_status="pending",
        new_priority="medium",
        new_due_date=None,
        caller_id=owner,
        project_id=owner,  # the owner's Inbox
        now=datetime.now(UTC),
    )
    return task_id


@pytest.fixture
async def connections(runtime: Runtime) -> AsyncIterator[list[asyncpg.Connection]]:
    url = asyncpg_url(runtime.settings.resolved_database_url).replace("+asyncpg", "")
    opened = [await asyncpg.connect(url) for _ in range(7)]
    try:
        yield opened
    finally:
        for connection in opened:
            await connection.close()


class Reader:
    """A syncing client: applies each delta page to its copy of the owner's tasks."""

    def __init__(self, runtime: Runtime, owner: uuid.UUID) -> None:
        self.runtime, self.owner = runtime, owner
        self.position: ChangePosition = THE_BEGINNING
        self.copy: dict[str, int] = {}
        self.revisions: list[int] = []

    async def sync(self) -> list[str]:
        """Read every page there is now; the ids of the live tasks it learnt of."""
        learnt: list[str] = []
        while True:
            positions = {} if self.position is THE_BEGINNING else {self.owner: self.position}
            page = await self.runtime.tasks.changes(self.owner, positions, limit=3)
            for row in page.rows:
                self.revisions.append(row[REVISION])
                if row[CHANGE_DELETED]:
                    self.copy.pop(row[0], None)
                else:
                    self.copy[row[0]] = row[REVISION]
                    learnt.append(row[0])
            self.position = page.positions[self.owner]
            if not page.more:
                return learnt


async def waits_on_a_lock(watcher: asyncpg.Connection, blocked: asyncpg.Connection) -> bool:
    pid = blocked.get_server_pid()
    kind = await watcher.fetchval("SELECT wait_event_type FROM pg_stat_activity WHERE pid=$1", pid)
    return bool(kind == "Lock")


@pytest.mark.parametrize("first_to_write", [0, 1])
async def test_a_transaction_that_began_first_and_committed_last_is_not_skipped(
    runtime: Runtime, alice: Account, connections: list[asyncpg.Connection], first_to_write: int
) -> None:
    owner = uuid.UUID(alice.id)
    reader = Reader(runtime, owner)
    began_first, began_second, watcher = connections[:3]
    transactions = [began_first.transaction(), began_second.transaction()]
    for transaction in transactions:
        await transaction.start()
    writers = (began_first, began_second)
    leading, trailing = writers[first_to_write], writers[1 - first_to_write]
    lead_id = await insert(leading, owner, "leading")
    # The other write waits for the clock until the leading transaction ends.
    trailing_write = asyncio.create_task(insert(trailing, owner, "trailing"))
    await eventually(lambda: waits_on_a_lock(watcher, trailing), what="the second write waits")
    assert await reader.sync() == []
    await transactions[first_to_write].commit()
    trail_id = await trailing_write
    assert await reader.sync() == [str(lead_id)]
    await transactions[1 - first_to_write].commit()
    assert await reader.sync() == [str(trail_id)]
    assert reader.revisions == [1, 2]


async def test_interleaved_writers_and_a_reader_miss_nothing(
    runtime: Runtime, alice: Account, connections: list[asyncpg.Connection]
) -> None:
    """Six writers, each in transactions of one to three writes that begin, write and commit
    in random interleavings; a reader syncs all along. Its copy ends equal to the table."""
    owner = uuid.UUID(alice.id)
    reader = Reader(runtime, owner)
    done = asyncio.Event()

    async def writer(connection: asyncpg.Connection, seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 (an interleaving, not a secret)
        mine: list[uuid.UUID] = []
        for _ in range(12):
            async with connection.transaction():
                for _ in range(rng.randint(1, 3)):
                    await asyncio.sleep(0)  # let the others begin, write or commit between
                    if mine and rng.random() < 0.3:
                        await run(
                            connection,
                            STATEMENTS.delete(),
                            caller_id=owner,
                            task_id=mine.pop(rng.randrange(len(mine))),
                        )
                    elif mine and rng.random() < 0.4:
                        await run(
                            connection,
                            STATEMENTS.update(UpdateShape(frozenset({"title"}))),
                            caller_id=owner,
                            task_id=rng.choice(mine),
                            new_title="changed",
                            now=datetime.now(UTC),
                        )
                    else:
                        mine.append(await insert(connection, owner, f"writer {seed}"))

    async def read_all_along() -> None:
        while not done.is_set():
            await reader.sync()

    reading = asyncio.create_task(read_all_along())
    await asyncio.gather(*(writer(c, seed) for seed, c in enumerate(connections[1:])))
    done.set()
    await reading
    await reader.sync()
    table = await connections[0].fetch("SELECT id, revision FROM tasks WHERE project_id=$1", owner)
    assert reader.copy == {str(row["id"]): row["revision"] for row in table}
    assert reader.revisions == sorted(reader.revisions)  # in revision order, each seen once
    assert len(set(reader.revisions)) == len(reader.revisions)
