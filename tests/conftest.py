"""Fixtures: every API test runs twice, on the embedded defaults (SQLite, in-memory store)
and on the production parts (a throwaway PostgreSQL database, Redis under a throwaway prefix)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from redis import Redis as SyncRedis
from sqlalchemy.engine import make_url
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from taskmaster.app import create_app
from taskmaster.auth.passwords import PasswordHasher
from taskmaster.cache.base import StoreUnavailable
from taskmaster.cache.redis import RedisKeyValue
from taskmaster.config import Environment, Settings
from taskmaster.db import migrate
from taskmaster.db.base import Base
from taskmaster.db.failures import DatabaseUnavailable
from taskmaster.db.models import MODEL_MODULES
from taskmaster.ratelimit import Rate
from taskmaster.runtime import Runtime
from tests.db.servers import PgBouncer, RedisServer, scratch_dir, worker

# A primary and its streaming replica, for the tests of replicas and of a scaled-out topology.
pytest_plugins = ("tests.db.replication",)

# An admin connection to the PostgreSQL server the tests create their databases on.
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# How long a test waits on the shared Redis, which is up: long enough for a busy machine.
PATIENT_SECONDS = 10.0
assert MODEL_MODULES, "every table is registered on Base.metadata"
DEFAULT_BACKENDS = ("sqlite", "postgres")
TEST_HASH_MEMORY_KIB = 64


def lifespan(app: Any) -> LifespanManager:
    """`app` started and, after the block, stopped, as a server does: with time for a busy
    machine (asgi-lifespan's own limits are 5 s)."""
    return LifespanManager(
        app, startup_timeout=3 * PATIENT_SECONDS, shutdown_timeout=3 * PATIENT_SECONDS
    )


@dataclass
class FakeClock:
    """A clock tests move by hand: expiry is tested without sleeping."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of its own for this run (each xdist worker has one), dropped at the end."""
    name = f"taskmaster_test_{worker()}_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+asyncpg", database=name)
    rendered = url.render_as_string(hide_password=False)
    try:
        yield rendered
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sqlite') / 'taskmaster.db'}"


@pytest.fixture(scope="session")
def pgbouncer() -> Iterator[PgBouncer]:
    """PgBouncer in front of the shared server: transaction mode, 4 connections per database
    (one PgBouncer per xdist worker, on a port of the worker's own)."""
    upstream = make_url(POSTGRES_ADMIN_URL)  # must trust user postgres from 127.0.0.1
    workdir = scratch_dir("taskmaster-pgbouncer-")
    with PgBouncer.start(
        workdir, upstream.host or "127.0.0.1", upstream.port or 5432, default_pool_size=4
    ) as bouncer:
        yield bouncer


@pytest.fixture(scope="session")
def pgbouncer_url(postgres_url: str, pgbouncer: PgBouncer) -> str:
    """The run's PostgreSQL database, reached through PgBouncer."""
    database = make_url(postgres_url).database or ""
    return (
        make_url(pgbouncer.url(database))
        .set(drivername="postgresql+asyncpg")
        .render_as_string(hide_password=False)
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test on a database runs on each backend; a module may name more (BACKENDS)."""
    if "db_backend" in metafunc.fixturenames:
        backends = getattr(metafunc.module, "BACKENDS", DEFAULT_BACKENDS)
        metafunc.parametrize("db_backend", backends, indirect=True, scope="session")


@pytest.fixture(scope="session")
def db_backend(request: pytest.FixtureRequest) -> str:
    """sqlite, postgres, or pgbouncer (postgres in transaction pooling mode)."""
    name: str = request.param
    return name


@pytest.fixture(scope="session")
def database_url(db_backend: str, request: pytest.FixtureRequest) -> str:
    """The backend's database, migrated to the newest schema once per run."""
    url: str = request.getfixturevalue(f"{db_backend}_url")
    if db_backend != "pgbouncer":  # the same database as postgres, migrated there
        migrate.upgrade(url)
    return url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of the test's own; whatever was written under it (by the test, or by the
    instances it served) is deleted afterwards."""
    prefix = f"taskmaster-test:{uuid.uuid4().hex}:"
    yield prefix
    with SyncRedis.from_url(REDIS_URL) as redis:
        keys = list(redis.scan_iter(f"{prefix}*"))
        if keys:
            redis.delete(*keys)


async def forget(store: RedisKeyValue) -> None:
    """Delete every key under the store's prefix: tests leave nothing behind."""
    keys = [key async for key in store.redis.scan_iter(f"{store.prefix}*")]
    if keys:
        await store.redis.delete(*keys)


async def store_down(*args: object, **kwargs: object) -> Any:
    """Stands for any method of a store that is down (monkeypatch it in)."""
    raise StoreUnavailable("down")


async def database_down(*args: object, **kwargs: object) -> Any:
    """Stands for any method of a database connection that is lost (monkeypatch it in)."""
    raise DatabaseUnavailable()


@pytest.fixture
def redis_process() -> Iterator[RedisServer]:
    """A Redis server of the test's own, which it may stop, pause, flush or lock."""
    with RedisServer(scratch_dir("taskmaster-redis-")) as server:
        server.start()
        yield server


@pytest.fixture
async def redis_store(redis_prefix: str) -> AsyncIterator[RedisKeyValue]:
    """The Redis backend under a prefix of its own."""
    store = RedisKeyValue.from_url(REDIS_URL, redis_prefix, timeout=PATIENT_SECONDS)
    try:
        yield store
    finally:
        await forget(store)
        await store.close()


@pytest.fixture
def settings(db_backend: str, database_url: str, redis_prefix: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        environment=Environment.TEST,
        database_url=database_url,
        db_transaction_pooler=db_backend == "pgbouncer",
        redis_url=None if db_backend == "sqlite" else REDIS_URL,
        redis_prefix=redis_prefix,
        data_dir=tmp_path,
        # A test process hosts many apps one after another: the collector's policy for a
        # long-lived server (tests/test_heap.py tests it) would freeze their garbage.
        gc_freeze_survivors=False,
        drain_seconds=0,  # the test process's SIGTERM is pytest's
        # Generous limits: the tests register and sign in many times from one address.
        # tests/auth/test_throttle.py sets the real ones.
        rate_register_ip=Rate(10_000, 3600),
        rate_login_ip=Rate(10_000, 3600),
    )


@pytest.fixture
async def runtime(settings: Settings, clock: FakeClock) -> AsyncIterator[Runtime]:
    runtime = Runtime.build(settings, clock=clock)
    # The suite hashes thousands of passwords: at the cheapest argon2id cost it spends its
    # time on behaviour. tests/auth/test_passwords.py holds the production cost to its bar.
    runtime.hasher = PasswordHasher(memory_kib=TEST_HASH_MEMORY_KIB, time_cost=1)
    try:
        yield runtime
    finally:
        async with runtime.db.engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(table.delete())
        if isinstance(runtime.store, RedisKeyValue):
            await forget(runtime.store)
        await runtime.close()


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime=runtime)
    async with lifespan(app) as manager:
        # As in production behind a proxy: uvicorn takes the client address from X-Forwarded-For.
        behind_proxy: Any = ProxyHeadersMiddleware(cast(Any, manager.app), "127.0.0.1")
        transport = httpx.ASGITransport(app=behind_proxy)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@pytest.fixture
async def second_instance(settings: Settings, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    """Another API instance on the same database and store, with a runtime of its own."""
    runtime = Runtime.build(settings, clock=clock)
    try:
        async with lifespan(create_app(runtime=runtime)) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                yield c
    finally:
        await runtime.close()


@dataclass
class Account:
    """A registered user and their access token, ready to call the API."""

    id: str
    email: str
    password: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def register(
    client: httpx.AsyncClient, email: str, password: str = "correct horse 1"
) -> Account:
    response = await client.post(
        "/api/v1/auth/register", json={"email": email, "password": password, "name": "Tess Ter"}
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return Account(data["user"]["id"], email, password, data["token"])


@pytest.fixture
async def alice(client: httpx.AsyncClient) -> Account:
    return await register(client, "alice@example.com")


@pytest.fixture
async def bob(client: httpx.AsyncClient) -> Account:
    return await register(client, "bob@example.com")
