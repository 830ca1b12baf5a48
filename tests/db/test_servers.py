"""The servers the tests build really work: streaming replication, a delayed replica, a stopped
replica, and PgBouncer in transaction mode under concurrent asyncpg and SQLAlchemy clients."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import POSTGRES_ADMIN_URL
from tests.db.replication import PrimaryAndReplica
from tests.db.servers import PgBouncer, ServerError, scratch_dir
from tests.waiting import eventually

CLIENTS, QUERIES = 20, 50  # against a pool of 4 server connections


async def fetchval(url: str, sql: str, *args: object) -> object:
    connection = await asyncpg.connect(url, statement_cache_size=0)
    try:
        return await connection.fetchval(sql, *args)
    finally:
        await connection.close()


@pytest.fixture
async def servers(primary_and_replica: PrimaryAndReplica) -> PrimaryAndReplica:
    """The primary and replica with an empty table `notes`, already on the replica."""
    await fetchval(primary_and_replica.primary.url(), "DROP TABLE IF EXISTS notes")
    await fetchval(primary_and_replica.primary.url(), "CREATE TABLE notes (n int PRIMARY KEY)")
    primary_and_replica.replica.catch_up()
    return primary_and_replica


async def notes_on(url: str) -> object:
    return await fetchval(url, "SELECT count(*) FROM notes")


async def test_the_replica_is_a_hot_standby_of_the_primary(
    primary_and_replica: PrimaryAndReplica,
) -> None:
    primary, replica = primary_and_replica.primary, primary_and_replica.replica
    assert await fetchval(primary.url(), "SELECT pg_is_in_recovery()") is False
    assert await fetchval(replica.url(), "SELECT pg_is_in_recovery()") is True
    assert replica.port != primary.port
    senders = "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"
    assert await fetchval(primary.url(), senders) == 1


async def test_a_row_written_on_the_primary_is_read_on_the_replica(
    servers: PrimaryAndReplica,
) -> None:
    await fetchval(servers.primary.url(), "INSERT INTO notes VALUES ($1)", 7)

    async def replicated() -> bool:
        return await fetchval(servers.replica.url(), "SELECT n FROM notes") == 7

    await eventually(replicated)
    with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
        await fetchval(servers.replica.url(), "INSERT INTO notes VALUES (8)")


async def test_a_delayed_replica_lags_then_catches_up(servers: PrimaryAndReplica) -> None:
    servers.replica.set(recovery_min_apply_delay="1s")
    await fetchval(servers.primary.url(), "INSERT INTO notes VALUES (1)")

    async def replicated() -> bool:
        return await notes_on(servers.replica.url()) == 1

    assert not await replicated()
    assert await eventually(replicated) > 0.5


async def test_a_stopped_replica_catches_up_when_started_again(
    servers: PrimaryAndReplica,
) -> None:
    primary, replica = servers.primary, servers.replica
    replica.stop()
    assert not replica.is_running
    with pytest.raises(OSError, match="Connect call failed"):
        await fetchval(replica.url(), "SELECT 1")
    await fetchval(primary.url(), "INSERT INTO notes SELECT generate_series(1, 100)")

    replica.start()
    replica.catch_up()
    assert replica.is_running
    assert await notes_on(replica.url()) == 100
    assert await fetchval(replica.url(), "SELECT pg_is_in_recovery()") is True


async def test_a_closed_server_is_stopped_and_its_directory_removed(
    primary_and_replica: PrimaryAndReplica,
) -> None:
    base = scratch_dir("taskmaster-test-")
    try:
        with primary_and_replica.primary.replica(base / "second") as second:
            assert await fetchval(second.url(), "SELECT pg_is_in_recovery()") is True
        assert not second.workdir.exists()
        with pytest.raises(OSError, match="Connect call failed"):
            await fetchval(second.url(), "SELECT 1")
    finally:
        base.rmdir()


def test_a_failure_says_why(primary_and_replica: PrimaryAndReplica) -> None:
    with pytest.raises(ServerError, match="unrecognized configuration parameter"):
        primary_and_replica.primary.set(no_such_setting="1")
    with pytest.raises(ValueError, match="not a setting name"):
        primary_and_replica.primary.set(**{"work_mem = 1; DROP": "1"})


async def test_pgbouncer_shares_few_server_connections_among_many_clients(
    pgbouncer: PgBouncer,
) -> None:
    """Transaction pooling: ten idle clients need no server connection of their own."""
    clients = [await asyncpg.connect(pgbouncer.url(), statement_cache_size=0) for _ in range(10)]
    try:
        backends = [await client.fetchval("SELECT pg_backend_pid()") for client in clients]
        assert len(set(backends)) <= 4
        upstream = make_url(POSTGRES_ADMIN_URL).port or 5432
        assert await clients[0].fetchval("SELECT inet_server_port()") == upstream
    finally:
        for client in clients:
            await client.close()


@pytest.mark.parametrize("in_transaction", [False, True], ids=["autocommit", "transaction"])
async def test_asyncpg_without_a_statement_cache_works_through_pgbouncer(
    pgbouncer: PgBouncer, in_transaction: bool
) -> None:
    """asyncpg's unnamed statements survive transaction pooling."""
    # Each client's query text is its own: one run on another client's statement answers wrong.

    async def client(number: int) -> list[int]:
        connection = await asyncpg.connect(pgbouncer.url(), statement_cache_size=0)
        query = f"SELECT $1::int * 1000 + {number}"
        answers = []
        try:
            for i in range(QUERIES):
                if in_transaction:
                    async with connection.transaction():
                        answers.append(await connection.fetchval(query, i))
                else:
                    answers.append(await connection.fetchval(query, i))
        finally:
            await connection.close()
        return answers

    results = await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    assert results == [[i * 1000 + n for i in range(QUERIES)] for n in range(CLIENTS)]


@pytest.mark.parametrize("isolation_level", ["AUTOCOMMIT", None], ids=["autocommit", "default"])
async def test_sqlalchemy_without_statement_caches_works_through_pgbouncer(
    pgbouncer: PgBouncer, isolation_level: str | None
) -> None:
    url = pgbouncer.url().replace("postgresql://", "postgresql+asyncpg://")
    engine = create_async_engine(
        url,
        connect_args={"statement_cache_size": 0, "prepared_statement_cache_size": 0},
        pool_size=CLIENTS,
        max_overflow=0,
        **({"isolation_level": isolation_level} if isolation_level else {}),
    )

    async def client(number: int) -> list[int]:
        query = text(f"SELECT CAST(:i AS int) * 1000 + {number}")
        answers = []
        for i in range(QUERIES):
            async with engine.connect() as connection:
                answers.append((await connection.execute(query, {"i": i})).scalar_one())
                await connection.commit()
        return answers

    try:
        results = await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    finally:
        await engine.dispose()
    assert results == [[i * 1000 + n for i in range(QUERIES)] for n in range(CLIENTS)]
