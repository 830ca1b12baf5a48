"""Migrations: up, down and up again on a fresh database of each backend; schema == models."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, insert, inspect, select
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from taskmaster.auth.models import User
from taskmaster.auth.passwords import PasswordHasher
from taskmaster.db import migrate
from taskmaster.db.base import Base
from taskmaster.db.models import MODEL_MODULES
from taskmaster.projects.models import Membership, Project
from taskmaster.seed.bulk import BulkPlan
from taskmaster.seed.load import seed_bulk
from taskmaster.tasks.models import EXPRESSION_INDEXES, Task
from tests.conftest import POSTGRES_ADMIN_URL, _admin

T = TypeVar("T")
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
assert MODEL_MODULES, "importing taskmaster.db.models registers every table"


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own, never migrated, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh' / 'taskmaster.db'}"
        return
    name = f"taskmaster_migrations_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+asyncpg", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def on(url: str, work: Callable[[Connection], T]) -> T:
    """Run `work` on a synchronous view of a connection to `url`."""

    async def run() -> T:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def tables(url: str) -> set[str]:
    return on(url, lambda connection: set(inspect(connection).get_table_names()))


def schema_differences(url: str) -> list[Any]:
    def compare(connection: Connection) -> list[Any]:
        def compared(item: Any, name: str | None, kind: str, *_: Any) -> bool:
            return not (kind == "index" and name in EXPRESSION_INDEXES)

        opts = {"compare_type": True, "include_object": compared}
        context = MigrationContext.configure(connection, opts=opts)
        return list(compare_metadata(context, Base.metadata))

    return on(url, compare)


def current_revision(url: str) -> str | None:
    return on(url, lambda connection: MigrationContext.configure(connection).get_current_revision())


def head() -> str | None:
    return ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_current_head()


def test_there_is_one_head() -> None:
    heads = ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1


def test_upgrade_downgrade_upgrade(fresh_url: str) -> None:
    model_tables = set(Base.metadata.tables)
    assert model_tables >= {"users", "tasks"}

    migrate.upgrade(fresh_url)
    assert tables(fresh_url) == model_tables | {"alembic_version"}
    assert current_revision(fresh_url) == head()

    migrate.downgrade(fresh_url, "base")
    assert tables(fresh_url) == {"alembic_version"}
    assert current_revision(fresh_url) is None

    migrate.upgrade(fresh_url)
    assert tables(fresh_url) == model_tables | {"alembic_version"}
    assert current_revision(fresh_url) == head()


def test_upgrade_twice_is_a_no_op(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    migrate.upgrade(fresh_url)
    assert current_revision(fresh_url) == head()


def test_the_migrated_schema_matches_the_models(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    assert schema_differences(fresh_url) == []


def test_the_comparison_sees_a_missing_table(fresh_url: str) -> None:
    """The check above can fail: with nothing migrated, every table is reported missing."""
    migrate.upgrade(fresh_url)
    migrate.downgrade(fresh_url, "base")
    added = {diff[1].name for diff in schema_differences(fresh_url) if diff[0] == "add_table"}
    assert added == set(Base.metadata.tables)


def test_the_schema_keeps_its_constraints(fresh_url: str) -> None:
    """What autogenerate does not compare: check constraints and cascades, by behaviour."""
    migrate.upgrade(fresh_url)
    table = Base.metadata.tables
    users, projects, members, tasks = (
        table[name] for name in ("users", "projects", "project_members", "tasks")
    )
    user_id = uuid.uuid4()
    now = datetime.now(UTC)

    def task(status: str) -> dict[str, Any]:
        return {
            "id": uuid.uuid4(),
            "project_id": user_id,
            "created_by": user_id,
            "title": "t",
            "description": "",
            "status": status,
            "priority": "low",
            "created_at": now,
            "updated_at": now,
        }

    def count(connection: Connection, of: Any, *where: Any) -> int:
        return int(
            connection.execute(select(func.count()).select_from(of).where(*where)).scalar_one()
        )

    def exercise(connection: Connection) -> tuple[bool, list[int]]:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        stamps = {"created_at": now, "updated_at": now}
        connection.execute(
            users.insert().values(
                id=user_id, email="a@example.com", name="A", password_hash="x", **stamps
            )
        )
        connection.execute(
            projects.insert().values(
                id=user_id,
                name="Inbox",
                color="#000000",
                description="",
                inbox=True,
                version=1,
                **stamps,
            )
        )
        connection.execute(
            members.insert().values(
                project_id=user_id, user_id=user_id, role="owner", joined_at=now
            )
        )
        refused = False
        try:
            with connection.begin_nested():
                connection.execute(tasks.insert().values(task("done")))
        except IntegrityError:
            refused = True
        connection.execute(tasks.insert().values(task("pending")))
        counts = [count(connection, tasks)]
        connection.execute(users.delete())
        counts += [
            count(connection, members),
            count(connection, tasks, tasks.c.created_by.is_(None)),
        ]
        connection.execute(projects.delete())
        counts.append(count(connection, tasks))
        connection.rollback()
        return refused, counts

    refused, counts = on(fresh_url, exercise)
    assert refused, "the status check constraint refuses an unknown status"
    # A deleted account leaves its projects (its service deletes those it alone owns) and its
    # tasks, unauthored; a deleted project takes its tasks.
    assert counts == [1, 0, 1, 0]


async def _seeded(url: str) -> None:
    """A copy filled as `taskmaster seed --users 12 --tasks-per-user 7` fills one, and one
    project shared by two of its users, with a task of each."""
    engine = create_async_engine(url)
    try:
        hasher = PasswordHasher(memory_kib=1024, time_cost=1)
        await seed_bulk(engine, hasher, BulkPlan(users=12, tasks_per_user=7, seed=9), now=NOW)
        async with engine.begin() as connection:
            first, second = (
                await connection.execute(select(User.id).order_by(User.id).limit(2))
            ).scalars()
            shared = uuid.uuid4()
            stamps = {"created_at": NOW, "updated_at": NOW}
            await connection.execute(
                insert(Project).values(
                    id=shared,
                    name="Shared",
                    color="#123456",
                    description="",
                    inbox=False,
                    version=1,
                    **stamps,
                )
            )
            for member, role in ((first, "owner"), (second, "editor")):
                await connection.execute(
                    insert(Membership).values(
                        project_id=shared, user_id=member, role=role, joined_at=NOW
                    )
                )
            for author in (first, second, None):
                await connection.execute(
                    insert(Task).values(
                        id=uuid.uuid4(),
                        project_id=shared,
                        created_by=author,
                        title="Shared",
                        description="",
                        status="pending",
                        priority="low",
                        **stamps,
                    )
                )
    finally:
        await engine.dispose()


def _id(value: Any) -> uuid.UUID | None:
    """A UUID as a raw query returns it: asyncpg's own, or SQLite's 32 hex digits."""
    return None if value is None else uuid.UUID(str(value))


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    return on(url, lambda connection: [tuple(row) for row in connection.exec_driver_sql(sql)])


# Each task's owner column (user_id before 0005, project_id after), revision and title.
TASK_HOMES = {
    "user_id": "SELECT id, user_id, revision, title FROM tasks",
    "project_id": "SELECT id, project_id, revision, title FROM tasks",
}


def _task_homes(url: str, owner: str) -> dict[uuid.UUID | None, tuple[Any, ...]]:
    rows = _rows(url, TASK_HOMES[owner])
    return {_id(task): (_id(home), revision, title) for task, home, revision, title in rows}


def test_a_seeded_database_goes_down_and_up_again(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    asyncio.run(_seeded(fresh_url))
    before = _task_homes(fresh_url, "project_id")
    authors = {
        _id(task): _id(author)
        for task, author in _rows(fresh_url, "SELECT id, created_by FROM tasks")
    }
    [(shared_owner,)] = _rows(
        fresh_url,
        "SELECT user_id FROM project_members m JOIN projects p ON p.id = m.project_id "
        "WHERE NOT p.inbox AND m.role = 'owner'",
    )

    migrate.downgrade(fresh_url, "0004")
    down = _task_homes(fresh_url, "user_id")
    assert set(down) == set(before)
    clocks = {
        _id(owner): revision
        for owner, revision in _rows(fresh_url, "SELECT owner_id, revision FROM change_clocks")
    }
    for task_id, (owner, revision, title) in down.items():
        if title == "Shared":  # back to its author's Inbox, or the owner's when none
            assert owner == (authors[task_id] or _id(shared_owner))
        else:  # an Inbox task stays its owner's, unchanged
            assert (owner, revision) == before[task_id][:2]
        assert clocks[owner] >= revision, "no task is ahead of its owner's clock"

    migrate.upgrade(fresh_url)
    assert _task_homes(fresh_url, "project_id") == down, "every task in its owner's Inbox"
    assert schema_differences(fresh_url) == []
    [(users,)] = _rows(fresh_url, "SELECT count(*) FROM users")
    [(projects, inboxes)] = _rows(
        fresh_url, "SELECT count(*), sum(CASE WHEN inbox THEN 1 ELSE 0 END) FROM projects"
    )
    assert (projects, inboxes) == (users, users)
