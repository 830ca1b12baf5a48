"""On realistic data every task statement reads through an index, never a whole table."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson
import pytest
from sqlalchemy.engine import make_url

from taskmaster.db import migrate
from taskmaster.db.query import Query, asyncpg_dialect
from taskmaster.tasks.filters import After, Ordering, SortKey, TaskFilter
from taskmaster.tasks.models import Status
from taskmaster.tasks.queries import SORT_VALUES, Statements
from tests.conftest import POSTGRES_ADMIN_URL, _admin

USERS, TASKS_PER_USER, HEAVY_USER_TASKS = 4_000, 25, 5_000
HEAVY = uuid.uuid4()
PAGE = 50

# 100,000 tasks of 4,000 users, and one user with 5,000: enough for the planner to prefer
# indexes as it would at a million rows, in about two seconds.
FILL = f"""
INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
SELECT gen_random_uuid(), 'user' || n || '@plans.test', 'User ' || n, 'x', now(), now()
FROM generate_series(1, {USERS}) AS n;
INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
VALUES ($1, 'heavy@plans.test', 'Heavy', 'x', now(), now());
INSERT INTO projects (id, name, color, description, inbox, created_at, updated_at, version)
SELECT id, 'Inbox', '#64748b', '', true, created_at, created_at, 1 FROM users;
INSERT INTO project_members (project_id, user_id, role, joined_at)
SELECT id, id, 'owner', created_at FROM users;
INSERT INTO tasks (id, project_id, created_by, title, description, status, priority, due_date,
                   created_at, updated_at)
SELECT gen_random_uuid(), u.id, u.id,
       (ARRAY['Write report', 'Pay invoice', 'Call Anna', 'Plan sprint', 'Fix bug'])[1 + n % 5]
           || ' ' || n,
       (ARRAY['', 'quarterly numbers', 'before Friday', 'see the thread'])[1 + n % 4],
       (ARRAY['pending', 'in-progress', 'completed'])[1 + n % 3],
       (ARRAY['low', 'medium', 'high'])[1 + n % 3],
       CASE WHEN n % 3 = 0 THEN NULL ELSE t.created + (n % 97) * interval '1 day' END,
       t.created,
       t.created + (n % 13) * interval '1 hour'
FROM users u
CROSS JOIN LATERAL generate_series(1, CASE WHEN u.email = 'heavy@plans.test'
                                           THEN {HEAVY_USER_TASKS} ELSE {TASKS_PER_USER} END) n
-- Creation times spread over a year, every user's as every other's.
CROSS JOIN LATERAL (
    SELECT date_trunc('milliseconds', now()) - interval '1 minute'
        * ((n::bigint * 7919 + abs(hashtext(u.email)::bigint)) % 525600) AS created
) t;
ANALYZE users;
ANALYZE project_members;
ANALYZE tasks;
"""  # noqa: S608 (numbers of our own, no input)


@pytest.fixture(scope="module")
def filled_url() -> Iterator[str]:
    name = f"taskmaster_plans_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name)
    rendered = url.render_as_string(hide_password=False)

    async def fill() -> None:
        connection = await asyncpg.connect(rendered)
        try:
            await connection.execute(FILL.replace("$1", f"'{HEAVY}'"))
        finally:
            await connection.close()

    try:
        migrate.upgrade(url.set(drivername="postgresql+asyncpg").render_as_string(False))
        asyncio.run(fill())
        yield rendered
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def connection(filled_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(filled_url)
    try:
        yield connection
    finally:
        await connection.close()


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


async def plan_of(connection: asyncpg.Connection, query: Query, values: dict[str, Any]) -> Any:
    sql, names = query.compiled(asyncpg_dialect())
    explained = await connection.fetchval(
        f"EXPLAIN (FORMAT JSON) {sql}", *[values[name] for name in names]
    )
    return orjson.loads(explained)[0]["Plan"]


def task_filters() -> Iterator[TaskFilter]:
    for sort, descending, status, search, deep in itertools.product(
        SortKey, (False, True), (None, Status.PENDING), (None, "invoice"), (False, True)
    ):
        after = None
        if deep:
            value: Any = {
                SortKey.TITLE: "pay invoice 4000",
                SortKey.PRIORITY: 1,
            }.get(sort, datetime(2026, 6, 1, tzinfo=UTC))
            after = After(values=(value,), task_id=uuid.uuid4())
        order = (Ordering(sort, descending),)
        yield TaskFilter(order=order, status=status, search=search, after=after, limit=50)


@pytest.mark.parametrize("owner", ["typical", "heavy"])
async def test_no_list_reads_the_whole_table(connection: asyncpg.Connection, owner: str) -> None:
    statements = Statements()
    user_id = HEAVY
    if owner == "typical":
        user_id = await connection.fetchval("SELECT id FROM users ORDER BY email LIMIT 1")
    scans: dict[str, list[str]] = {}
    for task_filter in task_filters():
        values: dict[str, Any] = {"caller_id": user_id, "limit": PAGE, "offset": 0}
        values |= {"status": Status.PENDING.value, "pattern": "%invoice%"}
        if task_filter.after is not None:
            values |= {"after_0": task_filter.after.values[0], "after_id": uuid.uuid4()}
        plan = await plan_of(connection, statements.page(task_filter), values)
        kinds = [node["Node Type"] for node in nodes(plan) if node.get("Relation Name") == "tasks"]
        scans[repr(task_filter)] = kinds
    whole_table = {name: kinds for name, kinds in scans.items() if "Seq Scan" in kinds}
    assert whole_table == {}
    assert all(kinds for kinds in scans.values())


async def test_counts_and_single_tasks_use_indexes(connection: asyncpg.Connection) -> None:
    statements = Statements()
    for query, values in (
        (statements.summary(TaskFilter()), {"caller_id": HEAVY, "now": datetime.now(UTC)}),
        (statements.one(), {"caller_id": HEAVY, "task_id": uuid.uuid4()}),
        (statements.count(TaskFilter(status=Status.PENDING)), {"caller_id": HEAVY, "status": "x"}),
    ):
        plan = await plan_of(connection, query, values)
        kinds = [node["Node Type"] for node in nodes(plan) if node.get("Relation Name") == "tasks"]
        assert kinds, plan
        assert "Seq Scan" not in kinds, plan


async def test_keyset_pages_deep_in_a_list_read_only_their_rows(
    connection: asyncpg.Connection,
) -> None:
    """EXPLAIN ANALYZE: page 61 of the heavy user's 100 reads a page of rows, no more. The
    heavy user has their Inbox alone, read as one project (as the repository reads it)."""
    statements = Statements()
    for sort in SortKey:
        order = (Ordering(sort, descending=True),)
        first = TaskFilter(order=order, project_id=HEAVY)
        values: dict[str, Any] = {"caller_id": HEAVY, "project_id": HEAVY, "offset": 0}
        sql, names = statements.page(first).compiled(asyncpg_dialect())
        pages = values | {"limit": 60 * PAGE}
        last = (await connection.fetch(sql, *[pages[name] for name in names]))[-1]
        after = After(values=(last[SORT_VALUES],), task_id=uuid.UUID(last[0]))
        values |= {"limit": PAGE, "after_0": after.values[0], "after_id": after.task_id}
        deep = TaskFilter(order=order, after=after, project_id=HEAVY)
        sql, names = statements.page(deep).compiled(asyncpg_dialect())
        analyzed = await connection.fetchval(
            f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", *[values[name] for name in names]
        )
        plan = orjson.loads(analyzed)[0]["Plan"]
        summary = [(n["Node Type"], n.get("Index Name"), n["Actual Rows"]) for n in nodes(plan)]
        assert max(node["Actual Rows"] for node in nodes(plan)) == PAGE, (sort, summary)
