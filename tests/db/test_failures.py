"""A pool with no free connection, a killed connection and a restarting primary: 503 with
Retry-After for the requests they touch, never a hang, and recovery without a restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import asyncpg
import httpx
import pytest
from sqlalchemy.exc import DBAPIError

from taskmaster.app import create_app
from taskmaster.config import Environment, Settings
from taskmaster.db.failures import is_unavailable
from taskmaster.ratelimit import Rate
from taskmaster.runtime import Runtime
from tests.conftest import Account, lifespan, register
from tests.db.replication import PrimaryAndReplica, asyncpg_url

BUSY = {"success": False, "error": "Server busy. Please try again."}


@pytest.fixture
async def runtime(
    primary_and_replica: PrimaryAndReplica, database: str, tmp_path: Path
) -> AsyncIterator[Runtime]:
    """An instance on the tests' own primary (no replica): a small pool, a short wait."""
    settings = Settings(
        _env_file=None,
        environment=Environment.TEST,
        database_url=asyncpg_url(primary_and_replica.primary.url(database)),
        db_pool_max=2,
        db_pool_min=2,
        db_pool_timeout=0.5,
        data_dir=tmp_path,
        rate_register_ip=Rate(10_000, 3600),
        # The tests count the requests' waits for the pool: the relay, a user of the pool
        # too, would add its own.
        outbox_relay="external",
    )
    runtime = Runtime.build(settings)
    yield runtime
    await runtime.close()


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    async with lifespan(create_app(runtime=runtime)) as manager:
        transport = httpx.ASGITransport(app=cast(Any, manager.app))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


@pytest.fixture
async def alice(client: httpx.AsyncClient) -> Account:
    return await register(client, "alice@example.com")


async def tasks(client: httpx.AsyncClient, alice: Account) -> httpx.Response:
    return await client.get("/api/v1/tasks", headers=alice.auth)


def assert_busy(response: httpx.Response) -> None:
    assert (response.status_code, response.json()) == (503, BUSY)
    assert response.headers["retry-after"] == "1"


async def test_a_full_pool_answers_503_after_the_timeout(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime
) -> None:
    async with runtime.db.engine.connect(), runtime.db.engine.connect():  # the whole pool
        assert_busy(await asyncio.wait_for(tasks(client, alice), 5))
        assert runtime.db.stats()["pool"]["timeouts"] == 1
        assert runtime.db.stats()["pool"]["inUse"] == 2
    assert (await tasks(client, alice)).status_code == 200


def kill_every_connection(primary_and_replica: PrimaryAndReplica) -> None:
    primary_and_replica.primary.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
    )


async def test_killed_connections_are_replaced_without_failing_reads(
    client: httpx.AsyncClient, alice: Account, primary_and_replica: PrimaryAndReplica
) -> None:
    assert (await tasks(client, alice)).status_code == 200
    kill_every_connection(primary_and_replica)
    # A read meeting a dead connection is run again on a fresh one; the pool drops the rest.
    for _ in range(4):
        assert (await tasks(client, alice)).status_code == 200


async def test_a_write_on_a_killed_connection_answers_503_then_the_next_succeeds(
    client: httpx.AsyncClient, alice: Account, primary_and_replica: PrimaryAndReplica
) -> None:
    assert (await tasks(client, alice)).status_code == 200
    kill_every_connection(primary_and_replica)
    # Not run again: had it reached the server, a retry would create the task twice.
    assert_busy(await client.post("/api/v1/tasks", json={"title": "t"}, headers=alice.auth))
    created = await client.post("/api/v1/tasks", json={"title": "t"}, headers=alice.auth)
    assert created.status_code == 201


async def test_a_restarting_primary_answers_503_then_the_service_recovers(
    client: httpx.AsyncClient, alice: Account, primary_and_replica: PrimaryAndReplica
) -> None:
    primary = primary_and_replica.primary
    primary.stop()
    for _ in range(3):  # refused, not hung
        assert_busy(await asyncio.wait_for(tasks(client, alice), 10))
    created = await client.post("/api/v1/tasks", json={"title": "t"}, headers=alice.auth)
    assert_busy(created)
    signing_in = await client.post(
        "/api/v1/auth/login", json={"email": alice.email, "password": alice.password}
    )
    assert_busy(signing_in)  # the account flows, on the ORM, answer alike
    primary.start()
    assert (await tasks(client, alice)).status_code == 200
    created = await client.post("/api/v1/tasks", json={"title": "t"}, headers=alice.auth)
    assert created.status_code == 201


class Orig(Exception):
    """What a driver adapter raises, its cause the driver's own error."""


def wrapped(message: str, cause: BaseException | None = None) -> DBAPIError:
    orig = Orig(message)
    orig.__cause__ = cause
    return DBAPIError("SELECT 1", {}, orig)


def test_which_errors_mean_try_again() -> None:
    invalidated = wrapped("gone")
    invalidated.connection_invalidated = True
    assert is_unavailable(invalidated)
    assert is_unavailable(wrapped("closed", asyncpg.ConnectionDoesNotExistError("closed")))
    assert is_unavailable(wrapped("database is locked"))  # SQLite's busy timeout ran out
    assert is_unavailable(ConnectionRefusedError())
    assert is_unavailable(asyncpg.CannotConnectNowError("starting up"))
    assert not is_unavailable(wrapped("syntax error", asyncpg.PostgresSyntaxError("oops")))
    assert not is_unavailable(ValueError("a bug"))
