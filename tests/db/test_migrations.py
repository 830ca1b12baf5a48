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
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from taskmaster.db import migrate
from taskmaster.db.base import Base
from taskmaster.db.models import MODEL_MODULES
from taskmaster.tasks.models import EXPRESSION_INDEXES
from tests.conftest import POSTGRES_ADMIN_URL, _admin

T = TypeVar("T")
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
    """What autogenerate does not compare: check constraints and the cascade, by behaviour."""
    migrate.upgrade(fresh_url)
    users, tasks = Base.metadata.tables["users"], Base.metadata.tables["tasks"]
    user_id = uuid.uuid4()
    now = datetime.now(UTC)

    def task(status: str) -> dict[str, Any]:
        return {
            "id": uuid.uuid4(),
            "user_id": user_id,
            "title": "t",
            "description": "",
            "status": status,
            "priority": "low",
            "created_at": now,
            "updated_at": now,
        }

    def exercise(connection: Connection) -> tuple[bool, int, int]:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.execute(
            users.insert().values(
                id=user_id,
                email="a@example.com",
                name="A",
                password_hash="x",
                created_at=now,
                updated_at=now,
            )
        )
        refused = False
        try:
            with connection.begin_nested():
                connection.execute(tasks.insert().values(task("done")))
        except IntegrityError:
            refused = True
        connection.execute(tasks.insert().values(task("pending")))
        before = connection.execute(select(func.count()).select_from(tasks)).scalar_one()
        connection.execute(users.delete())
        after = connection.execute(select(func.count()).select_from(tasks)).scalar_one()
        connection.rollback()
        return refused, before, after

    refused, before, after = on(fresh_url, exercise)
    assert refused, "the status check constraint refuses an unknown status"
    assert (before, after) == (1, 0), "deleting a user deletes their tasks"
