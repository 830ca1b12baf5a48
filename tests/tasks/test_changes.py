"""Revisions, tombstones and the delta query: every change is seen once it commits, in order."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from taskmaster.errors import CursorExpired, NotFound, PreconditionFailed
from taskmaster.runtime import Runtime
from taskmaster.tasks.filters import THE_BEGINNING, ChangePosition
from taskmaster.tasks.queries import CHANGE_DELETED, REVISION
from taskmaster.tasks.service import ChangePage, TaskChanges, TaskDraft
from tests.conftest import Account, FakeClock

BACKENDS = ("sqlite", "postgres", "pgbouncer")
RETENTION = timedelta(days=30)


@pytest.fixture
def owner(alice: Account) -> uuid.UUID:
    return uuid.UUID(alice.id)


async def new_task(runtime: Runtime, owner: uuid.UUID, title: str = "A task") -> uuid.UUID:
    return uuid.UUID((await runtime.tasks.create(owner, TaskDraft(title=title)))[0])


async def changes_of(
    runtime: Runtime, owner: uuid.UUID, position: ChangePosition, limit: int
) -> tuple[ChangePage, ChangePosition]:
    """A page of the changes to the owner's Inbox (whose id is the owner's) after `position`,
    and the position after it."""
    positions = {} if position is THE_BEGINNING else {owner: position}
    page = await runtime.tasks.changes(owner, positions, limit=limit)
    return page, page.positions[owner]


async def changes_after(
    runtime: Runtime, owner: uuid.UUID, position: ChangePosition = THE_BEGINNING
) -> list[tuple[str, int, bool]]:
    """(id, revision, deleted) of every change after `position`, read a page of 2 at a time."""
    seen: list[tuple[str, int, bool]] = []
    while True:
        page, after = await changes_of(runtime, owner, position, limit=2)
        seen += [(row[0], row[REVISION], bool(row[CHANGE_DELETED])) for row in page.rows]
        assert page.more is (len(page.rows) == 2)
        if not page.rows:
            return seen
        position = after


async def test_every_write_takes_the_owners_next_revision(
    runtime: Runtime, owner: uuid.UUID, bob: Account
) -> None:
    created = await runtime.tasks.create(owner, TaskDraft(title="First"))
    task_id = uuid.UUID(created[0])
    changed = await runtime.tasks.update(owner, task_id, TaskChanges(title="Second"))
    await new_task(runtime, uuid.UUID(bob.id))  # another owner's clock: no effect on alice's
    other = await runtime.tasks.create(owner, TaskDraft(title="Other"))
    assert [created[REVISION], changed[REVISION], other[REVISION]] == [1, 2, 3]
    assert (await runtime.tasks.get(owner, task_id))[REVISION] == 2  # as answered, so stored
    await runtime.tasks.delete(owner, task_id)
    assert await changes_after(runtime, owner) == [(other[0], 3, False), (created[0], 4, True)]


async def test_the_delta_from_a_position_holds_exactly_what_changed_after_it(
    runtime: Runtime, owner: uuid.UUID
) -> None:
    ids = [await new_task(runtime, owner, f"Task {n}") for n in range(5)]
    assert [change[0] for change in await changes_after(runtime, owner)] == [str(i) for i in ids]
    page, synced = await changes_of(runtime, owner, THE_BEGINNING, limit=100)
    assert not page.more
    await runtime.tasks.update(owner, ids[1], TaskChanges(title="Changed"))
    await runtime.tasks.delete(owner, ids[3])
    await runtime.tasks.update(owner, ids[1], TaskChanges(title="Changed again"))
    assert await changes_after(runtime, owner, synced) == [
        (str(ids[3]), 7, True),
        (str(ids[1]), 8, False),  # changed twice: seen once, as it is now
    ]


async def test_an_empty_delta_keeps_the_position(runtime: Runtime, owner: uuid.UUID) -> None:
    await new_task(runtime, owner)
    _, position = await changes_of(runtime, owner, THE_BEGINNING, limit=10)
    again, after = await changes_of(runtime, owner, position, limit=10)
    assert (list(again.rows), after, again.more) == ([], position, False)


async def test_forgotten_deletions_expire_older_positions(
    runtime: Runtime, owner: uuid.UUID, clock: FakeClock
) -> None:
    kept, doomed = await new_task(runtime, owner), await new_task(runtime, owner)
    _, early = await changes_of(runtime, owner, THE_BEGINNING, limit=1)
    _, synced = await changes_of(runtime, owner, THE_BEGINNING, limit=10)
    await runtime.tasks.delete(owner, doomed)
    _, late = await changes_of(runtime, owner, synced, limit=10)
    assert await runtime.tasks.forget_tombstones(clock.now - RETENTION) == 0  # too recent
    clock.advance(days=31)
    assert await runtime.tasks.forget_tombstones(clock.now - RETENTION) == 1
    # Synced before the deletion, or midway through a first sync begun before it: their
    # copies may hold the deleted task.
    for position in (early, synced):
        with pytest.raises(CursorExpired):
            await changes_of(runtime, owner, position, limit=10)
    assert list((await changes_of(runtime, owner, late, limit=10))[0].rows) == []
    # Starting over works, page by page: no deletion it could miss is forgotten.
    assert [c[0] for c in await changes_after(runtime, owner)] == [str(kept)]


async def test_a_conditional_write_needs_the_revision_it_names(
    runtime: Runtime, owner: uuid.UUID
) -> None:
    task_id = await new_task(runtime, owner)  # revision 1
    with pytest.raises(PreconditionFailed):
        await runtime.tasks.update(owner, task_id, TaskChanges(title="x"), expected=frozenset({7}))
    changed = await runtime.tasks.update(
        owner, task_id, TaskChanges(title="Now"), expected=frozenset({1})
    )
    assert changed[REVISION] == 2
    with pytest.raises(PreconditionFailed):  # no change to make, and still stale
        await runtime.tasks.update(owner, task_id, TaskChanges(), expected=frozenset({1}))
    with pytest.raises(PreconditionFailed):  # several named, none current
        await runtime.tasks.delete(owner, task_id, expected=frozenset({1, 3}))
    with pytest.raises(PreconditionFailed):
        await runtime.tasks.delete(owner, task_id, expected=frozenset({1}))
    await runtime.tasks.delete(owner, task_id, expected=frozenset({1, 2}))
    with pytest.raises(NotFound):  # gone: not found, whatever it names
        await runtime.tasks.delete(owner, task_id, expected=frozenset({2}))
    with pytest.raises(NotFound):
        await runtime.tasks.update(owner, task_id, TaskChanges(title="x"), expected=frozenset({2}))


async def test_another_owners_task_is_not_found_whatever_revision(
    runtime: Runtime, owner: uuid.UUID, bob: Account
) -> None:
    theirs = await new_task(runtime, uuid.UUID(bob.id))
    with pytest.raises(NotFound):
        await runtime.tasks.update(owner, theirs, TaskChanges(title="x"), expected=frozenset({1}))
    with pytest.raises(NotFound):
        await runtime.tasks.delete(owner, theirs, expected=frozenset({1}))
    assert await changes_after(runtime, owner) == []
