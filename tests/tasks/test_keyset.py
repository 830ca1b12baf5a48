"""Keyset pages: walking a list page by page gives exactly the list, for every order."""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from taskmaster.runtime import Runtime
from taskmaster.tasks.filters import Ordering, SortKey, TaskFilter
from taskmaster.tasks.models import Priority, Status
from taskmaster.tasks.service import TaskDraft
from tests.conftest import Account, FakeClock

BACKENDS = ("sqlite", "postgres", "pgbouncer")  # also behind PgBouncer (transaction pooling)
ID, DUE = 0, 6


@pytest.fixture
async def owner(alice: Account, runtime: Runtime, clock: FakeClock) -> uuid.UUID:
    """40 tasks with many ties: shared creation times, titles equal but for case, repeated
    priorities and due dates, a third without a due date."""
    user_id = uuid.UUID(alice.id)
    rng = random.Random(7)  # noqa: S311 (test data, not secrets)
    for n in range(40):
        if n % 3 == 0:
            clock.advance(seconds=1)  # the others share their creation time with a neighbour
        due = None if n % 3 == 1 else clock.now + timedelta(days=rng.choice([1, 2, 3]))
        draft = TaskDraft(
            title=rng.choice(["alpha", "Alpha", "beta", "Émile", "gamma report"]),
            description=rng.choice(["", "a report", "notes"]),
            status=rng.choice(list(Status)),
            priority=rng.choice(list(Priority)),
            due_date=due,
        )
        await runtime.tasks.create(user_id, draft)
    return user_id


async def walk(runtime: Runtime, owner: uuid.UUID, task_filter: TaskFilter) -> list[str]:
    ids: list[str] = []
    page_filter = replace(task_filter, limit=6)
    while True:
        page = await runtime.tasks.list(owner, page_filter)
        ids += [row[ID] for row in page.rows]
        assert (page.total is None) is (page_filter.after is not None)  # keyset: no count
        if page.after is None:
            return ids
        page_filter = replace(page_filter, after=page.after)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", list(SortKey))
async def test_pages_after_a_position_add_up_to_the_list(
    runtime: Runtime, owner: uuid.UUID, sort: SortKey, descending: bool
) -> None:
    for task_filter in (
        TaskFilter(order=(Ordering(sort, descending),)),
        TaskFilter(order=(Ordering(sort, descending),), status=Status.PENDING),
        TaskFilter(order=(Ordering(sort, descending),), search="REPORT"),
    ):
        whole = await runtime.tasks.list(owner, task_filter)
        assert whole.total == len(whole.rows) > 0
        assert await walk(runtime, owner, task_filter) == [row[ID] for row in whole.rows]


async def test_an_undated_task_sorts_after_every_dated_one(
    runtime: Runtime, owner: uuid.UUID
) -> None:
    soonest_first = await runtime.tasks.list(owner, TaskFilter(order=(Ordering(SortKey.DUE_DATE),)))
    dues = [row[DUE] for row in soonest_first.rows]
    dated = sorted(due for due in dues if due is not None)
    assert len(dated) < len(dues)
    assert dues == [*dated, *[None] * (len(dues) - len(dated))]
    latest_first = await runtime.tasks.list(
        owner, TaskFilter(order=(Ordering(SortKey.DUE_DATE, descending=True),))
    )
    assert [row[DUE] for row in latest_first.rows] == list(reversed(dues))
