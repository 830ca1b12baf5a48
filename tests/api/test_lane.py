"""The fast lane: task routes served outside FastAPI's machinery, yet answering exactly as
every other route does (headers, CORS, errors, methods)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response

from taskmaster.api.lane import Lane, LaneApp, LaneRoute
from taskmaster.app import create_app
from taskmaster.runtime import Runtime
from tests.conftest import Account, lifespan

TASKS = "/api/v1/tasks"


async def test_lane_answers_carry_the_security_headers(
    client: httpx.AsyncClient, alice: Account
) -> None:
    response = await client.get(TASKS, headers=alice.auth)
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


async def test_head_is_answered_wherever_get_is(client: httpx.AsyncClient, alice: Account) -> None:
    created = await client.post(TASKS, json={"title": "t"}, headers=alice.auth)
    task_id = created.json()["data"]["id"]
    for path in (TASKS, f"{TASKS}/summary", f"{TASKS}/{task_id}", "/api/tasks"):
        response = await client.head(path, headers=alice.auth)
        assert response.status_code == 200, path
        assert response.content == b""


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", TASKS),
        ("POST", f"{TASKS}/summary"),
        ("GET", f"{TASKS}/"),
        ("GET", "/api/v10/tasks"),
    ],
)
async def test_what_the_lane_does_not_serve_answers_as_before(
    client: httpx.AsyncClient, alice: Account, method: str, path: str
) -> None:
    response = await client.request(method, path, headers=alice.auth)
    assert response.status_code == 404
    assert response.json() == {"success": False, "error": f"Route {path} not found"}
    assert response.headers["x-frame-options"] == "DENY"


async def test_lane_errors_render_as_the_frameworks(
    client: httpx.AsyncClient, alice: Account
) -> None:
    assert (await client.get(TASKS)).json() == {
        "success": False,
        "error": "No token provided. Access denied.",
    }
    response = await client.post(
        TASKS, content=b"{nope", headers={**alice.auth, "Content-Type": "application/json"}
    )
    assert (response.status_code, response.json()["error"]) == (
        400,
        "Malformed JSON in request body",
    )


async def test_an_unexpected_failure_in_the_lane_is_a_500_envelope() -> None:
    async def explode(_: Request) -> Response:
        raise RuntimeError("hunter2")

    async def framework(scope: Any, receive: Any, send: Any) -> None:
        pytest.fail("the lane's route went on to the framework")

    app = LaneApp(framework, Lane([LaneRoute("GET", "/boom/{task_id}", explode)]))
    transport = httpx.ASGITransport(app=cast(Any, app))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/boom/1")
    assert (response.status_code, response.json()) == (
        500,
        {"success": False, "error": "Internal server error"},
    )
    assert "hunter2" not in response.text


@pytest.fixture
async def cross_origin(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    settings = runtime.settings.model_copy(update={"cors_origin": ("https://app.example",)})
    runtime.settings = settings
    async with lifespan(create_app(runtime=runtime)) as manager:
        transport = httpx.ASGITransport(app=cast(Any, manager.app))
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            yield client


async def test_lane_answers_allow_exactly_the_configured_origin(
    cross_origin: httpx.AsyncClient,
) -> None:
    register = await cross_origin.post(
        "/api/v1/auth/register",
        json={"email": "o@example.com", "password": "correct horse 1", "name": "O"},
    )
    token = register.json()["data"]["token"]
    for origin, allowed in (("https://app.example", True), ("https://evil.example", False)):
        response = await cross_origin.get(
            TASKS, headers={"Authorization": f"Bearer {token}", "Origin": origin}
        )
        assert response.status_code == 200
        assert (response.headers.get("access-control-allow-origin") == origin) is allowed
    preflight = await cross_origin.options(
        TASKS,
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-credentials"] == "true"
