"""Every failure is rendered in the v1 envelope, whatever raised it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from taskmaster.app import create_app
from taskmaster.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    TaskMasterError,
    Unauthorized,
    Unavailable,
    UnsupportedMediaType,
)
from taskmaster.runtime import Runtime
from tests.conftest import lifespan

RAISED: dict[str, Exception] = {
    "invalid": Invalid("Bad thing"),
    "unauthorized": Unauthorized("Who are you"),
    "forbidden": Forbidden("Not yours"),
    "not-found": NotFound("Nothing here"),
    "conflict": Conflict("Already there"),
    "too-large": PayloadTooLarge("Too much"),
    "rate-limited": RateLimited("Slow down", retry_after=42),
    "teapot": HTTPException(418, "I'm a teapot"),
    "unavailable": Unavailable("Down for a moment", retry_after=7),
    "unsupported": UnsupportedMediaType("Say JSON"),
    "pool-exhausted": PoolTimeout("QueuePool limit reached"),
    "client-gone": ClientDisconnect(),
}


@pytest.fixture
async def raising(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime=runtime)

    async def fail(kind: str) -> None:
        raise RAISED[kind]

    app.add_api_route("/raise/{kind}", fail, methods=["POST"])
    async with (
        lifespan(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://testserver"
        ) as client,
    ):
        yield client


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("invalid", 400),
        ("unauthorized", 401),
        ("forbidden", 403),
        ("not-found", 404),
        ("conflict", 409),
        ("too-large", 413),
        ("rate-limited", 429),
        ("unsupported", 415),
        ("unavailable", 503),
    ],
)
async def test_domain_errors_keep_their_status_and_message(
    raising: httpx.AsyncClient, kind: str, status: int
) -> None:
    error = RAISED[kind]
    assert isinstance(error, TaskMasterError)
    response = await raising.post(f"/raise/{kind}")
    assert response.status_code == status
    assert response.json() == {"success": False, "error": error.message}


async def test_rate_limited_says_when_to_retry(raising: httpx.AsyncClient) -> None:
    response = await raising.post("/raise/rate-limited")
    assert response.headers["retry-after"] == "42"
    assert "retry-after" not in (await raising.post("/raise/conflict")).headers


async def test_other_http_errors_keep_their_status_in_the_envelope(
    raising: httpx.AsyncClient,
) -> None:
    response = await raising.post("/raise/teapot")
    assert (response.status_code, response.json()) == (
        418,
        {"success": False, "error": "I'm a teapot"},
    )


async def test_an_exhausted_connection_pool_is_busy_not_broken(raising: httpx.AsyncClient) -> None:
    response = await raising.post("/raise/pool-exhausted")
    assert (response.status_code, response.json()) == (
        503,
        {"success": False, "error": "Server busy. Please try again."},
    )
    assert response.headers["retry-after"] == "1"
    assert (await raising.post("/raise/unavailable")).headers["retry-after"] == "7"


async def test_a_client_that_left_mid_body_is_no_server_error(raising: httpx.AsyncClient) -> None:
    response = await raising.post("/raise/client-gone")
    assert (response.status_code, response.content) == (400, b"")
