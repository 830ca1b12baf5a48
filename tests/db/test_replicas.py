"""Reads on a streaming replica, read-your-writes from every instance, and a replica that
stops or lags being skipped: against a real primary and hot standby built by the tests."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import httpx
import pytest

from taskmaster.app import create_app
from taskmaster.cache.redis import RedisKeyValue
from taskmaster.config import Environment, Settings
from taskmaster.db.replicas import Replica
from taskmaster.ratelimit import Rate
from taskmaster.runtime import Runtime
from tests.conftest import REDIS_URL, Account, lifespan, register
from tests.db.replication import PrimaryAndReplica, asyncpg_url
from tests.waiting import eventually

DELAY = "1500ms"  # the replica's apply delay in the tests that slow it


@pytest.fixture
def replicated_settings(
    primary_and_replica: PrimaryAndReplica,
    database: str,
    redis_store: RedisKeyValue,
    tmp_path: Path,
) -> Settings:
    """Settings for instances on the tests' primary and replica; `redis_store` deletes the
    keys they leave under its prefix when the test ends."""
    return Settings(
        _env_file=None,
        environment=Environment.TEST,
        database_url=asyncpg_url(primary_and_replica.primary.url(database)),
        database_replica_urls=primary_and_replica.replica.url(database),
        db_replica_check_seconds=0.05,
        db_replica_max_lag_seconds=5,
        redis_url=REDIS_URL,
        redis_prefix=redis_store.prefix,
        data_dir=tmp_path,
        rate_register_ip=Rate(10_000, 3600),
        rate_login_ip=Rate(10_000, 3600),
    )


@dataclass
class Instance:
    """One API instance: its runtime and a client."""

    runtime: Runtime
    client: httpx.AsyncClient

    @property
    def replica(self) -> Replica:
        assert self.runtime.db.replicas is not None
        return self.runtime.db.replicas.replicas[0]

    async def until(self, healthy: bool) -> None:
        state = "healthy" if healthy else "unhealthy"
        await eventually(lambda: self.replica.healthy is healthy, what=f"the replica {state}")


@pytest.fixture
async def instances(replicated_settings: Settings) -> AsyncIterator[list[Instance]]:
    """Two API instances on the same primary, replica and Redis."""
    async with AsyncExitStack() as stack:
        made = []
        for _ in range(2):
            runtime = Runtime.build(replicated_settings)
            app = create_app(runtime=runtime)
            manager = await stack.enter_async_context(lifespan(app))
            transport = httpx.ASGITransport(app=cast(Any, manager.app))
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://testserver")
            )
            made.append(Instance(runtime, client))
        for instance in made:
            await instance.until(healthy=True)
        yield made


async def titles(instance: Instance, account: Account) -> list[str]:
    response = await instance.client.get("/api/v1/tasks", headers=account.auth)
    assert response.status_code == 200, response.text
    return [task["title"] for task in response.json()["data"]]


async def add(instance: Instance, account: Account, title: str) -> None:
    response = await instance.client.post(
        "/api/v1/tasks", json={"title": title}, headers=account.auth
    )
    assert response.status_code == 201, response.text


async def served_by_replica(
    instance: Instance, account: Account, servers: PrimaryAndReplica, database: str
) -> bool:
    """Whether the account's list comes from the replica, once it has caught up: with its
    replay paused, titles changed on the primary behind the API's back show only there."""
    servers.replica.catch_up()
    caught_up = time.monotonic()
    replica = instance.replica
    await eventually(  # a check begun since then: the instance knows it caught up
        lambda: replica.healthy and replica.checked_at >= caught_up, what="a check since"
    )
    marker = f"changed-{uuid.uuid4().hex[:8]}"
    servers.replica.query("SELECT pg_wal_replay_pause()")
    try:
        servers.primary.query(
            # psql takes no parameters; both values are made here (a hex string, a UUID).
            f"UPDATE tasks SET title = '{marker}' WHERE project_id = '{account.id}'",  # noqa: S608
            database,
        )
        listed = await titles(instance, account)
    finally:
        servers.replica.query("SELECT pg_wal_replay_resume()")
    assert listed, "the probe needs a task to change"
    return marker not in listed


async def test_reads_are_served_by_the_replica(
    instances: list[Instance], primary_and_replica: PrimaryAndReplica, database: str
) -> None:
    one, _ = instances
    alice = await register(one.client, "alice@example.com")
    await add(one, alice, "Before")
    assert await served_by_replica(one, alice, primary_and_replica, database)
    summary = await one.client.get("/api/v1/tasks/summary", headers=alice.auth)
    assert (summary.status_code, summary.json()["data"]["total"]) == (200, 1)


async def test_a_user_reads_their_write_at_once_from_any_instance(
    instances: list[Instance], primary_and_replica: PrimaryAndReplica, database: str
) -> None:
    one, other = instances
    alice = await register(one.client, "alice@example.com")
    bob = await register(one.client, "bob@example.com")
    await add(one, bob, "Bob's")
    primary_and_replica.replica.catch_up()
    primary_and_replica.replica.set(recovery_min_apply_delay=DELAY)
    for n in range(3):
        await add(one, alice, f"Task {n}")
        # Written through one instance, read through the other, before the replica has it.
        assert await titles(other, alice) == [f"Task {k}" for k in reversed(range(n + 1))]
    primary_and_replica.replica.set(recovery_min_apply_delay=None)
    # Once the replica has replayed Alice's writes, her reads return to it; Bob's never left.
    assert await served_by_replica(other, alice, primary_and_replica, database)
    assert await served_by_replica(other, bob, primary_and_replica, database)


async def test_a_stopped_replica_is_skipped_and_taken_back(
    instances: list[Instance], primary_and_replica: PrimaryAndReplica, database: str
) -> None:
    one, _ = instances
    alice = await register(one.client, "alice@example.com")
    await add(one, alice, "Before")
    primary_and_replica.replica.stop()
    assert await titles(one, alice) == ["Before"]  # at once, before any check noticed
    await one.until(healthy=False)
    assert await titles(one, alice) == ["Before"]
    primary_and_replica.replica.start()
    assert await served_by_replica(one, alice, primary_and_replica, database)


async def test_a_replica_lagging_past_the_bound_is_skipped(
    replicated_settings: Settings, primary_and_replica: PrimaryAndReplica
) -> None:
    settings = replicated_settings.model_copy(update={"db_replica_max_lag_seconds": 0.5})
    runtime = Runtime.build(settings)
    try:
        await runtime.start()
        replicas = runtime.db.replicas
        assert replicas is not None
        replica = replicas.replicas[0]
        await eventually(lambda: replica.healthy, what="the replica healthy")
        primary_and_replica.replica.set(recovery_min_apply_delay="3s")
        primary_and_replica.primary.query("CREATE TABLE lag_probe (n int); DROP TABLE lag_probe")
        await eventually(lambda: not replica.healthy, what="the replica skipped")
        assert "behind" in (replica.problem or "")
        assert runtime.db.stats()["replicas"][0]["healthy"] is False
    finally:
        await runtime.close()


async def test_an_unreachable_replica_at_start_up_is_skipped(
    replicated_settings: Settings,
) -> None:
    settings = replicated_settings.model_copy(
        update={"database_replica_urls": ("postgresql+asyncpg://postgres@127.0.0.1:1/none",)}
    )
    runtime = Runtime.build(settings)
    app = create_app(runtime=runtime)
    async with (
        lifespan(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=cast(Any, manager.app)), base_url="http://t"
        ) as client,
    ):
        alice = await register(client, "alice@example.com")
        listed = await client.get("/api/v1/tasks", headers=alice.auth)
        assert listed.status_code == 200
        assert runtime.db.replicas is not None
        assert not runtime.db.replicas.replicas[0].healthy
