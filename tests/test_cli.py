"""The taskmaster command: migrate, seed and serve, on a throwaway SQLite data directory."""

from __future__ import annotations

import asyncio
import os
import runpy
import sys
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from taskmaster import cli
from taskmaster.auth.models import User
from taskmaster.cli import TASKS_PER_USER, metrics_shared_by
from taskmaster.config import Settings
from taskmaster.db.base import Base
from taskmaster.observe.metrics import MULTIPROCESS_DIR
from taskmaster.seed.bulk import DEFAULT_PASSWORD, seed_email
from taskmaster.tasks.models import Task

POSTGRES = "postgresql://postgres@127.0.0.1:5432/unused"  # never connected to: serve is recorded
ANOTHER_HOST = "127.0.0.9"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """DATA_DIR set to a fresh folder; the working directory has no .env to leak in."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    monkeypatch.setenv("DATA_DIR", str(data))
    return data


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def database_url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{data_dir / 'taskmaster.db'}"


def tables(data_dir: Path) -> set[str]:
    async def read() -> set[str]:
        engine = create_async_engine(database_url(data_dir))
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        finally:
            await engine.dispose()

    return asyncio.run(read())


def counts(data_dir: Path) -> tuple[int, int]:
    async def read() -> tuple[int, int]:
        engine = create_async_engine(database_url(data_dir))
        try:
            async with engine.connect() as connection:
                users = await connection.scalar(select(func.count()).select_from(User))
                tasks = await connection.scalar(select(func.count()).select_from(Task))
                return int(users or 0), int(tasks or 0)
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_migrate_creates_the_schema(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(cli.app, ["migrate"])
    assert result.exit_code == 0, result.output
    assert "Database upgraded to head" in result.output
    assert tables(data_dir) == set(Base.metadata.tables) | {"alembic_version"}


def test_migrate_down_to_base_and_back(runner: CliRunner, data_dir: Path) -> None:
    assert runner.invoke(cli.app, ["migrate"]).exit_code == 0
    result = runner.invoke(cli.app, ["migrate", "--down", "base"])
    assert result.exit_code == 0, result.output
    assert "Database downgraded to base" in result.output
    assert tables(data_dir) == {"alembic_version"}
    assert runner.invoke(cli.app, ["migrate", "head"]).exit_code == 0
    assert tables(data_dir) == set(Base.metadata.tables) | {"alembic_version"}


def test_seed_demo_twice(runner: CliRunner, data_dir: Path) -> None:
    assert runner.invoke(cli.app, ["migrate"]).exit_code == 0
    first = runner.invoke(cli.app, ["seed", "--demo"])
    assert first.exit_code == 0, first.output
    assert "Created demo@taskmaster.com with 5 tasks" in first.output
    assert counts(data_dir) == (1, 5)

    second = runner.invoke(cli.app, ["seed", "--demo"])
    assert second.exit_code == 0, second.output
    assert "already exists" in second.output
    assert counts(data_dir) == (1, 5)


def test_seed_without_demo_or_users_fails(runner: CliRunner, data_dir: Path) -> None:
    assert runner.invoke(cli.app, ["migrate"]).exit_code == 0
    result = runner.invoke(cli.app, ["seed"])
    assert result.exit_code == 2
    assert "--demo" in result.output
    assert "--users" in result.output
    assert counts(data_dir) == (0, 0)


def test_seed_users_in_bulk_twice(runner: CliRunner, data_dir: Path) -> None:
    assert runner.invoke(cli.app, ["migrate"]).exit_code == 0
    first = runner.invoke(cli.app, ["seed", "--users", "3", "--tasks-per-user", "4", "--seed", "9"])
    assert first.exit_code == 0, first.output
    assert "Seeded 3 users and 12 tasks" in first.output
    assert "seed 9" in first.output
    assert f"'{DEFAULT_PASSWORD}'" in first.output
    assert counts(data_dir) == (3, 12)

    second = runner.invoke(cli.app, ["seed", "--users", "2", "--password", "another secret"])
    assert second.exit_code == 0, second.output
    assert f"Seeded 2 users and {2 * TASKS_PER_USER} tasks" in second.output
    assert "'another secret'" in second.output
    assert counts(data_dir) == (5, 12 + 2 * TASKS_PER_USER)


def test_seed_a_named_batch_once(runner: CliRunner, data_dir: Path) -> None:
    assert runner.invoke(cli.app, ["migrate"]).exit_code == 0
    arguments = ["seed", "--users", "2", "--tasks-per-user", "3", "--batch", "e2e"]
    first = runner.invoke(cli.app, arguments)
    assert first.exit_code == 0, first.output
    assert f"Sign in as {seed_email(1, 'e2e')} … {seed_email(2, 'e2e')}" in first.output
    again = runner.invoke(cli.app, arguments)
    assert again.exit_code == 1
    assert isinstance(again.exception, SystemExit)  # a message, not a traceback
    assert "The batch 'e2e' was seeded already" in again.output
    assert counts(data_dir) == (2, 6)


def test_seed_in_bulk_asks_for_the_schema_first(runner: CliRunner, data_dir: Path) -> None:
    result = runner.invoke(cli.app, ["seed", "--users", "1"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert "run `taskmaster migrate` first" in " ".join(result.output.split())


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--demo", "--users", "2"], "--users N"),
        (["--tasks-per-user", "2"], "--users N"),
        (["--demo", "--seed", "1"], "need --users"),
        (["--demo", "--batch", "x"], "need --users"),
        (["--users", "1", "--batch", "Not-Hex!"], "--batch"),
        (["--users", "1", "--batch", "x" * 17], "--batch"),
        (["--users", "0"], "--users"),
        (["--users", "1", "--tasks-per-user", "-1"], "--tasks-per-user"),
        (["--users", "1", "--password", "short"], "--password"),
        (["--users", "1", "--password", "password1"], "too common"),
    ],
)
def test_seed_refuses_options_that_do_not_fit(
    runner: CliRunner, data_dir: Path, arguments: list[str], message: str
) -> None:
    assert runner.invoke(cli.app, ["migrate"]).exit_code == 0
    result = runner.invoke(cli.app, ["seed", *arguments])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert counts(data_dir) == (0, 0)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """uvicorn.run replaced by a recorder: serve returns instead of blocking."""
    calls: list[dict[str, Any]] = []

    def record(app: str, **options: Any) -> None:
        calls.append({"app": app, **options})

    monkeypatch.setattr(uvicorn, "run", record)
    return calls


def test_serve_defaults(runner: CliRunner, data_dir: Path, served: list[dict[str, Any]]) -> None:
    result = runner.invoke(cli.app, ["serve"])
    assert result.exit_code == 0, result.output
    [call] = served
    assert call["app"] == "taskmaster.app:create_app"
    assert call["factory"] is True
    assert (call["host"], call["port"], call["workers"]) == ("127.0.0.1", 8000, 1)
    assert "http://127.0.0.1:8000" in result.output
    # The embedded database is migrated before serving.
    assert "users" in tables(data_dir)


def test_serve_takes_host_and_port_from_the_environment(
    runner: CliRunner,
    data_dir: Path,
    served: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOST", ANOTHER_HOST)
    monkeypatch.setenv("PORT", "9100")
    monkeypatch.setenv("WORKERS", "3")
    monkeypatch.setenv("DATABASE_URL", POSTGRES)  # several workers need PostgreSQL
    assert runner.invoke(cli.app, ["serve", "--no-migrate"]).exit_code == 0
    [call] = served
    assert (call["host"], call["port"], call["workers"]) == (ANOTHER_HOST, 9100, 3)


def test_serve_options_win_over_the_environment(
    runner: CliRunner,
    data_dir: Path,
    served: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOST", ANOTHER_HOST)
    monkeypatch.setenv("PORT", "9100")
    monkeypatch.setenv("DATABASE_URL", POSTGRES)
    result = runner.invoke(
        cli.app,
        ["serve", "--host", "127.0.0.2", "--port", "9200", "--workers", "2", "--no-migrate"],
    )
    assert result.exit_code == 0, result.output
    [call] = served
    assert (call["host"], call["port"], call["workers"]) == ("127.0.0.2", 9200, 2)
    assert "http://127.0.0.2:9200" in result.output


def test_serve_without_migrating_leaves_the_database_alone(
    runner: CliRunner, data_dir: Path, served: list[dict[str, Any]]
) -> None:
    assert runner.invoke(cli.app, ["serve", "--no-migrate"]).exit_code == 0
    assert not (data_dir / "taskmaster.db").exists()


def test_serve_refuses_an_invalid_port(
    runner: CliRunner, data_dir: Path, served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORT", "not a port")
    result = runner.invoke(cli.app, ["serve", "--no-migrate"])
    assert result.exit_code != 0
    assert served == []


def test_python_dash_m_taskmaster(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["taskmaster", "--help"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("taskmaster", run_name="__main__")
    assert exited.value.code == 0
    output = capsys.readouterr().out
    for command in ("serve", "migrate", "seed"):
        assert command in output


def test_serve_refuses_several_workers_on_sqlite(
    runner: CliRunner, data_dir: Path, served: list[dict[str, Any]]
) -> None:
    result = runner.invoke(cli.app, ["serve", "--workers", "2"])
    assert result.exit_code != 0
    assert "WORKERS > 1 needs PostgreSQL" in str(result.exception)
    assert served == []


@pytest.mark.parametrize("workers", [1, 2])
def test_several_workers_get_a_fresh_metrics_folder_for_the_run(
    workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MULTIPROCESS_DIR, raising=False)
    with metrics_shared_by(workers):
        folder = os.environ.get(MULTIPROCESS_DIR)
        assert (folder is not None) == (workers > 1)
        if folder is not None:
            assert Path(folder).is_dir()
    assert MULTIPROCESS_DIR not in os.environ
    if folder is not None:
        assert not Path(folder).exists()
