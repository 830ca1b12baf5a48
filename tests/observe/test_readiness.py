"""/ready: 200 while the database answers at the schema's head, Redis answers (when
configured) and the instance is not draining; 503, naming what is wrong, otherwise."""

from __future__ import annotations

from pathlib import Path

import httpx

from taskmaster.cache.redis import RedisKeyValue
from taskmaster.config import Settings
from taskmaster.db.engine import create_engine
from taskmaster.observe.readiness import Readiness, head_revision
from taskmaster.runtime import Runtime
from tests.db.servers import free_port


async def test_a_migrated_instance_is_ready(client: httpx.AsyncClient, settings: Settings) -> None:
    answer = await client.get("/ready")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    expected = {"database": "ok"} | ({"redis": "ok"} if settings.redis_url else {})
    assert answer.json() == {"success": True, "data": expected}


async def test_a_draining_instance_is_not_ready_but_alive(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    runtime.readiness.draining = True
    answer = await client.get("/ready")
    assert answer.status_code == 503
    assert answer.json()["data"]["instance"] == "draining"
    assert (await client.get("/health")).status_code == 200


async def test_a_database_never_migrated_is_not_ready(tmp_path: Path) -> None:
    bare = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'bare.db'}")
    engine = create_engine(bare)
    try:
        verdict = await Readiness(engine, None).verdict()
    finally:
        await engine.dispose()
    assert not verdict.ready
    assert verdict.checks == {"database": f"schema at nothing, code needs {head_revision()}"}


async def test_an_unreachable_database_or_redis_is_not_ready(redis_prefix: str) -> None:
    nowhere = f"postgresql://postgres@127.0.0.1:{free_port()}/taskmaster"
    engine = create_engine(Settings(_env_file=None, database_url=nowhere, db_connect_timeout=1))
    store = RedisKeyValue.from_url(f"redis://127.0.0.1:{free_port()}", redis_prefix)
    try:
        verdict = await Readiness(engine, store).verdict()
    finally:
        await engine.dispose()
        await store.close()
    assert not verdict.ready
    assert verdict.checks == {"database": "unreachable", "redis": "unreachable"}
