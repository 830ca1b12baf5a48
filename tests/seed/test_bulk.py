"""Bulk seeding: the generator's rows, and writing them to SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from email_validator import validate_email
from sqlalchemy import Row, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from taskmaster.auth.passwords import PasswordHasher
from taskmaster.auth.service import normalize_email
from taskmaster.db.base import Base
from taskmaster.ids import uuid7_at
from taskmaster.runtime import Runtime
from taskmaster.seed.bulk import EMAIL_DOMAIN, BulkPlan, BulkRows, TaskRow, UserRow, seed_email
from taskmaster.seed.load import SchemaMissing, seed_bulk
from tests.conftest import FakeClock
from tests.events.outbox import written

USERS, TASKS_PER_USER = 4, 6
BATCH_ROWS = 5  # several batches even for a few rows: the batching is under test too
NOW = datetime.fromisoformat("2026-06-15T12:34:56.789999+00:00")
YEAR = timedelta(days=365)


def millis(moment: datetime) -> int:
    return (moment - datetime.fromtimestamp(0, moment.tzinfo)) // timedelta(milliseconds=1)


def whole_millis(moment: datetime | None) -> bool:
    return moment is None or moment.microsecond % 1000 == 0


def generated(plan: BulkPlan, batch_rows: int = 1000) -> tuple[list[UserRow], list[TaskRow]]:
    rows = BulkRows(plan, "hash", NOW, batch_rows)
    return rows.users(), list(itertools.chain.from_iterable(rows.task_batches()))


# The generator, without a database.


def test_uuid7_at_carries_the_given_millisecond() -> None:
    value = uuid7_at(1_800_000_000_123, entropy=(1 << 74) - 1)
    assert (value.version, value.variant) == (7, uuid.RFC_4122)
    assert value.int >> 80 == 1_800_000_000_123
    assert value.int & ((1 << 62) - 1) == (1 << 62) - 1  # the entropy's bits, all of them
    assert uuid7_at(1, entropy=5) == uuid7_at(1, entropy=5)
    assert uuid7_at(1) != uuid7_at(1)
    for wrong in (-1, 1 << 48):
        with pytest.raises(ValueError, match="milliseconds"):
            uuid7_at(wrong)


def test_the_numbers_look_like_a_year_of_use() -> None:
    users, tasks = generated(BulkPlan(users=200, tasks_per_user=50, seed=1))
    count = len(tasks)
    statuses = Counter(task[4] for task in tasks)
    assert 0.5 < statuses["completed"] / count < 0.8
    assert 0.1 < statuses["pending"] / count < 0.35
    assert 0.05 < statuses["in-progress"] / count < 0.25
    priorities = Counter(task[5] for task in tasks)
    assert priorities.most_common(1)[0][0] == "medium"
    assert priorities["low"] > 0.1 * count
    assert priorities["high"] > 0.1 * count
    dues = [task[6] for task in tasks if task[6] is not None]
    assert 0.55 < len(dues) / count < 0.65
    assert 0.05 < sum(due > NOW for due in dues) / len(dues) < 0.5  # some ahead, most behind
    created = [task[7] for task in tasks]
    assert NOW - YEAR <= min(created) < NOW - timedelta(days=300)
    assert NOW - timedelta(days=7) < max(created) <= NOW
    assert len({task[2] for task in tasks}) > count / 10  # titles repeat, as people's do
    assert min(user[4] for user in users) >= NOW - YEAR


@pytest.mark.parametrize("word", ["report", "invoice", "meeting", "acme"])
def test_a_search_for_a_common_word_finds_a_few_percent(word: str) -> None:
    _users, tasks = generated(BulkPlan(users=100, tasks_per_user=50, seed=2))
    found = sum(word in f"{task[2]} {task[3]}".lower() for task in tasks)
    assert 0.01 < found / len(tasks) < 0.1


def test_tasks_come_in_creation_order_with_ids_stamped_at_creation() -> None:
    users, tasks = generated(BulkPlan(users=20, tasks_per_user=30, seed=3))
    assert [task[7] for task in tasks] == sorted(task[7] for task in tasks)
    for task in tasks:
        assert task[0].version == 7
        assert task[0].int >> 80 == millis(task[7])
    joined = {user[0]: user[4] for user in users}
    for user in users:
        assert user[0].int >> 80 == millis(user[4])
    assert all(task[7] >= joined[task[1]] for task in tasks)


def test_the_batch_size_changes_no_row() -> None:
    plan = BulkPlan(users=7, tasks_per_user=9, seed=4)
    assert generated(plan, batch_rows=4) == generated(plan, batch_rows=1000)


@pytest.mark.parametrize(("users", "tasks_per_user"), [(0, 1), (1, -1)])
def test_a_plan_has_a_user_and_no_negative_tasks(users: int, tasks_per_user: int) -> None:
    with pytest.raises(ValueError, match="at least one user"):
        BulkPlan(users=users, tasks_per_user=tasks_per_user)
    assert BulkPlan(users=1, tasks_per_user=0).tasks == 0


def test_seeded_emails_are_ones_registration_accepts() -> None:
    email = seed_email(12, "ab12cd34")
    assert email == f"user12.ab12cd34@{EMAIL_DOMAIN}"
    assert email == normalize_email(email)
    validate_email(email, check_deliverability=False)


# Writing, on SQLite and PostgreSQL.


async def seed(runtime: Runtime, plan: BulkPlan) -> None:
    hasher = PasswordHasher(memory_kib=1024, time_cost=1)  # cheap: the hash is not under test
    await seed_bulk(runtime.db.engine, hasher, plan, now=runtime.clock(), batch_rows=BATCH_ROWS)


async def stored(engine: AsyncEngine, batch: str) -> tuple[Sequence[Row[Any]], Sequence[Row[Any]]]:
    """The users and tasks of one run, each in a stable order."""
    users, tasks = Base.metadata.tables["users"], Base.metadata.tables["tasks"]
    of_batch = users.c.email.like(f"%.{batch}@{EMAIL_DOMAIN}")
    async with engine.connect() as connection:
        user_rows = (
            await connection.execute(select(users).where(of_batch).order_by(users.c.created_at))
        ).all()
        task_rows = (
            await connection.execute(
                select(tasks, users.c.email)
                .join(users, tasks.c.created_by == users.c.id)
                .where(of_batch)
                .order_by(tasks.c.created_at, users.c.email)
            )
        ).all()
    return user_rows, task_rows


async def test_seeds_n_users_with_m_tasks_each(runtime: Runtime, clock: FakeClock) -> None:
    clock.now = NOW
    plan = BulkPlan(users=USERS, tasks_per_user=TASKS_PER_USER, seed=5)
    await seed(runtime, plan)

    users, tasks = await stored(runtime.db.engine, plan.batch)
    assert sorted(user.email for user in users) == sorted(
        f"user{number}.{plan.batch}@{EMAIL_DOMAIN}" for number in range(1, USERS + 1)
    )
    assert Counter(task.created_by for task in tasks) == {user.id: TASKS_PER_USER for user in users}
    assert all(task.project_id == task.created_by for task in tasks), "each in its author's Inbox"
    assert len({task.id for task in tasks}) == USERS * TASKS_PER_USER
    joined = {user.id: user.created_at for user in users}
    for task in tasks:
        assert all(whole_millis(at) for at in (task.created_at, task.updated_at, task.due_date))
        assert joined[task.project_id] <= task.created_at <= task.updated_at <= NOW
        assert task.id.int >> 80 == millis(task.created_at)
    for user in users:
        assert whole_millis(user.created_at)
        assert user.updated_at == user.created_at
    assert await written(runtime) == [], "a load is no live change: it tells no one"


async def test_a_seeded_user_signs_in_and_sees_their_tasks(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    plan = BulkPlan(users=2, tasks_per_user=3, password="seeded secret 1", seed=6)
    await seed(runtime, plan)

    login = await client.post(
        "/api/v1/auth/login",
        json={"email": seed_email(2, plan.batch).upper(), "password": "seeded secret 1"},
    )
    assert login.status_code == 200, login.text
    token = login.json()["data"]["token"]
    listed = await client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200, listed.text
    assert len(listed.json()["data"]) == 3
    wrong = await client.post(
        "/api/v1/auth/login",
        json={"email": seed_email(1, plan.batch), "password": "seeded secret 2"},
    )
    assert wrong.status_code == 401


def content(users: Sequence[Row[Any]], tasks: Sequence[Row[Any]], batch: str) -> object:
    """What a seed decides: everything but the run's token in emails and ids."""
    return (
        [(user.email.replace(batch, "*"), user.name, user.created_at) for user in users],
        [
            (
                task.email.replace(batch, "*"),
                task.title,
                task.description,
                task.status,
                task.priority,
                task.due_date,
                task.created_at,
                task.updated_at,
            )
            for task in tasks
        ],
    )


async def test_two_runs_with_one_seed_add_the_same_rows_twice(
    runtime: Runtime, clock: FakeClock
) -> None:
    clock.now = NOW
    first, second, other = (BulkPlan(users=3, tasks_per_user=4, seed=seed) for seed in (7, 7, 8))
    for plan in (first, second, other):
        await seed(runtime, plan)

    runs = [(plan, await stored(runtime.db.engine, plan.batch)) for plan in (first, second, other)]
    assert len({plan.batch for plan, _rows in runs}) == 3
    for _plan, (users, tasks) in runs:
        assert (len(users), len(tasks)) == (3, 12)
    [one, again, different] = [content(*rows, plan.batch) for plan, rows in runs]
    assert one == again
    assert one != different


async def test_seeding_needs_the_schema(tmp_path: Path) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(SchemaMissing, match="run `taskmaster migrate` first"):
            await seed_bulk(engine, PasswordHasher(), BulkPlan(users=1, tasks_per_user=1), now=NOW)
    finally:
        await engine.dispose()


async def index_definitions(engine: AsyncEngine) -> list[tuple[str, str]]:
    """The tasks table's indexes as the database would recreate them."""
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            query = (
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tasks'"
            )
        else:
            query = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'tasks'"
        rows = (await connection.execute(text(query))).all()
    return sorted((str(row[0]), str(row[1])) for row in rows)


async def test_the_schema_is_the_same_after_seeding(runtime: Runtime, clock: FakeClock) -> None:
    before = await index_definitions(runtime.db.engine)
    assert before  # else this test compares nothing
    await seed(runtime, BulkPlan(users=2, tasks_per_user=10, seed=9))  # more than the table has
    await seed(runtime, BulkPlan(users=1, tasks_per_user=3, seed=9))  # fewer
    assert await index_definitions(runtime.db.engine) == before


async def test_a_failed_seed_leaves_nothing_behind(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = await index_definitions(runtime.db.engine)
    real_batches = BulkRows.task_batches

    def a_bad_task_last(rows: BulkRows) -> Iterator[list[TaskRow]]:
        batches = list(real_batches(rows))
        task = batches[-1][-1]
        batches[-1][-1] = (*task[:4], "bogus", *task[5:])
        yield from batches

    monkeypatch.setattr(BulkRows, "task_batches", a_bad_task_last)
    plan = BulkPlan(users=2, tasks_per_user=10, seed=10)
    with pytest.raises((DBAPIError, asyncpg.CheckViolationError)):
        await seed(runtime, plan)
    assert await stored(runtime.db.engine, plan.batch) == ([], [])
    assert await index_definitions(runtime.db.engine) == before
