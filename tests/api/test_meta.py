"""Health, the 500 envelope, and an app that builds its own runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from starlette.routing import BaseRoute

from taskmaster.app import create_app
from taskmaster.config import Settings
from taskmaster.runtime import Runtime
from tests.conftest import Account, FakeClock, lifespan


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """No relay in the API: its polls borrow a pooled connection now and then, which the
    pool's counts below would catch in use."""
    return settings.model_copy(update={"outbox_relay": "external"})


async def test_health(client: httpx.AsyncClient, clock: FakeClock) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "success": True,
        "message": "Server is running",
        "timestamp": clock.now.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }


async def test_health_reports_the_clock_with_milliseconds(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    clock.advance(seconds=90, microseconds=123_999)
    timestamp = (await client.get("/health")).json()["timestamp"]
    assert timestamp == clock.now.strftime("%Y-%m-%dT%H:%M:%S.123Z")


async def test_database_health_shows_the_pool(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime
) -> None:
    assert (await client.get("/api/v1/tasks", headers=alice.auth)).status_code == 200
    response = await client.get("/health/database")
    assert response.status_code == 200
    pool = response.json()["data"]["pool"]
    assert pool["max"] == (1 if runtime.settings.uses_sqlite else runtime.settings.db_pool_max)
    assert (pool["inUse"], pool["waiting"], pool["timeouts"]) == (0, 0, 0)
    assert pool["open"] >= 1
    assert "replicas" not in response.json()["data"]


def first(app: FastAPI, route: BaseRoute) -> None:
    """Put a route ahead of the web app's catch-all, which would otherwise answer first."""
    app.router.routes.remove(route)
    app.router.routes.insert(0, route)


@pytest.fixture
async def failing_app(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime=runtime)

    async def explode() -> None:
        raise RuntimeError("database password is hunter2")

    app.add_api_route("/api/v1/explode", explode, methods=["GET", "POST"])
    first(app, app.router.routes[-1])
    async with (
        lifespan(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app, raise_app_exceptions=False),
            base_url="http://testserver",
        ) as client,
    ):
        yield client


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_an_unexpected_exception_is_a_500_envelope(
    failing_app: httpx.AsyncClient, method: str
) -> None:
    response = await failing_app.request(method, "/api/v1/explode")
    assert response.status_code == 500
    assert response.json() == {"success": False, "error": "Internal server error"}
    assert "hunter2" not in response.text
    assert response.headers["content-type"] == "application/json"


async def test_the_app_keeps_answering_after_a_500(failing_app: httpx.AsyncClient) -> None:
    assert (await failing_app.get("/api/v1/explode")).status_code == 500
    assert (await failing_app.get("/health")).status_code == 200


async def test_create_app_builds_and_closes_its_own_runtime(settings: Settings) -> None:
    app = create_app(settings)
    runtime: Runtime = app.state.runtime
    assert runtime.settings is settings
    async with (
        lifespan(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://testserver"
        ) as client,
    ):
        pool = runtime.db.engine.pool
        response = await client.get("/health")
        assert response.json()["message"] == "Server is running"
        jwks = (await client.get("/.well-known/jwks.json")).json()
        assert [key["kid"] for key in jwks["keys"]] == [runtime.keys.kid]
    # Shutting down disposed of the engine: its pool of connections was replaced.
    assert runtime.db.engine.pool is not pool
