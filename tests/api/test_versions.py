"""Choosing the API version by path or by the API-Version header, and v1's announced end:
Deprecation, Sunset and Link on every v1 answer, and 410 once it is retired."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy import func, select
from starlette.types import Message, Receive, Scope, Send

from taskmaster.api import versions as versions_module
from taskmaster.api.v1_usage import ClientUse, V1Usage, read_usage
from taskmaster.api.versions import ORIGINAL_PATH, ApiVersions
from taskmaster.app import create_app
from taskmaster.auth.models import User
from taskmaster.cache.memory import MemoryKeyValue
from taskmaster.config import Environment, Settings
from taskmaster.runtime import Runtime
from tests.conftest import Account, FakeClock, lifespan

DEPRECATION = "@1796083200"  # 2026-12-01T00:00:00Z, the day v2 shipped
SUNSET = "Wed, 01 Dec 2027 00:00:00 GMT"
PROBLEM = "application/problem+json"
UNSUPPORTED = {
    "type": "/api/v2/problems/unsupported-version",
    "title": "The requested API version does not exist",
    "status": 400,
    "detail": "Unsupported API version; the supported versions are v1, v2",
    "errors": [{"header": "API-Version", "detail": "must be one of v1, v2"}],
}
LIFECYCLE = ("deprecation", "sunset", "link")


def link_to(path: str) -> str:
    return f'<{path}>; rel="successor-version"'


def varies_on_version(response: httpx.Response) -> bool:
    values = ",".join(response.headers.get_list("vary")).split(",")
    return "api-version" in {value.strip().lower() for value in values}


@asynccontextmanager
async def serving(
    runtime: Runtime, **update: Any
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app over `runtime`, its settings changed by `update`, and a client for it."""
    runtime.settings = runtime.settings.model_copy(update=update)
    app = create_app(runtime=runtime)
    async with lifespan(app) as manager:
        transport = httpx.ASGITransport(app=cast(Any, manager.app))
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            yield app, client


# Choosing the version


async def test_without_the_header_the_unversioned_api_is_v1(
    client: httpx.AsyncClient, alice: Account
) -> None:
    await client.post("/api/tasks", json={"title": "old client"}, headers=alice.auth)
    unversioned = await client.get("/api/tasks", headers=alice.auth)
    versioned = await client.get("/api/v1/tasks", headers=alice.auth)
    assert unversioned.status_code == versioned.status_code == 200
    assert unversioned.content == versioned.content
    assert [task["title"] for task in unversioned.json()["data"]] == ["old client"]
    assert varies_on_version(unversioned)
    assert not varies_on_version(versioned)


@pytest.mark.parametrize("asked", ["v1", "V1", "v1 "])
async def test_the_header_chooses_v1(client: httpx.AsyncClient, alice: Account, asked: str) -> None:
    response = await client.get("/api/auth/profile", headers={**alice.auth, "API-Version": asked})
    assert response.status_code == 200
    assert response.json()["data"]["email"] == alice.email
    assert response.headers["deprecation"] == DEPRECATION


async def test_a_v1_unknown_route_names_the_path_the_client_asked_for(
    client: httpx.AsyncClient,
) -> None:
    for path, headers in (
        ("/api/nope", {}),
        ("/api/nope", {"API-Version": "v1"}),
        ("/api", {}),
        ("/api/v10/tasks", {}),
    ):
        response = await client.get(path, headers=headers)
        assert response.status_code == 404, path
        assert response.json() == {"success": False, "error": f"Route {path} not found"}
        assert varies_on_version(response)


@pytest.mark.parametrize("asked", ["v2", "V2", " v2\t"])
async def test_the_header_chooses_v2(client: httpx.AsyncClient, asked: str) -> None:
    response = await client.get("/api/nope", headers={"API-Version": asked})
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"] == "No resource at /api/nope"
    assert response.json()["type"] == "/api/v2/problems/not-found"
    assert varies_on_version(response)
    for name in LIFECYCLE:
        assert name not in response.headers


async def test_the_path_wins_over_the_header(client: httpx.AsyncClient) -> None:
    v1 = await client.get("/api/v1/nope", headers={"API-Version": "v2"})
    assert v1.json() == {"success": False, "error": "Route /api/v1/nope not found"}
    v2 = await client.get("/api/v2/nope", headers={"API-Version": "v3"})
    assert v2.headers["content-type"] == PROBLEM
    assert v2.json()["detail"] == "No resource at /api/v2/nope"
    assert not varies_on_version(v1)
    assert not varies_on_version(v2)


@pytest.mark.parametrize(
    "asked",
    [
        b"",
        b"v3",
        b"v0",
        b"2",
        b"v2.0",
        b"v 2",
        b"v1,v2",
        b"latest",
        "v²".encode(),
        "v2\u00e9".encode(),
        b"\xff\xfe",
        b"v" * 10_000,
    ],
)
async def test_an_unknown_version_is_refused_naming_the_supported_ones(
    client: httpx.AsyncClient, alice: Account, asked: bytes
) -> None:
    before = await client.get("/api/v1/tasks", headers=alice.auth)
    response = await client.post(
        "/api/tasks",
        json={"title": "never"},
        headers={b"Authorization": f"Bearer {alice.token}".encode(), b"API-Version": asked},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json() == UNSUPPORTED
    assert varies_on_version(response)
    assert response.headers["x-frame-options"] == "DENY"
    assert "deprecation" not in response.headers
    after = await client.get("/api/v1/tasks", headers=alice.auth)
    assert after.content == before.content  # nothing reached the app


async def test_two_version_headers_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/nope", headers=[("API-Version", "v1"), ("API-Version", "v1")])
    assert (response.status_code, response.json()) == (400, UNSUPPORTED)


async def test_the_schema_documents_v1_once(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/api/v1/openapi.json")).json()["paths"]
    assert "/api/v1/auth/login" in paths
    assert "/api/auth/login" not in paths
    assert {path.split("/")[2] for path in paths} == {"v1"}


# v1's announced end


@pytest.mark.parametrize(
    ("path", "successor"),
    [
        ("/api/v1/tasks", "/api/v2/tasks"),
        ("/api/tasks", "/api/v2/tasks"),
        ("/api/v1/tasks?status=pending&limit=5", "/api/v2/tasks"),
        ("/api/tasks/summary?x=1", "/api/v2/tasks/summary"),
        ("/api/v1", "/api/v2"),
        ("/api", "/api/v2"),
        ("/api/v1/nope/a%20b", "/api/v2/nope/a%20b"),
        ("/api/nope/%3E%22%C3%A9", "/api/v2/nope/%3E%22%C3%A9"),
    ],
)
async def test_v1_answers_announce_its_end(
    client: httpx.AsyncClient, path: str, successor: str
) -> None:
    response = await client.get(path)
    assert response.status_code in (401, 404)
    assert response.headers["deprecation"] == DEPRECATION
    assert response.headers["sunset"] == SUNSET
    assert response.headers["link"] == link_to(successor)


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/api/v2/tasks", {}),
        ("/api/v2", {}),
        ("/api/tasks", {"API-Version": "v2"}),
        ("/health", {}),
        ("/dashboard", {}),
        ("/.well-known/jwks.json", {}),
        ("/apiary", {}),
    ],
)
async def test_other_answers_do_not(
    client: httpx.AsyncClient, path: str, headers: dict[str, str]
) -> None:
    response = await client.get(path, headers=headers)
    for name in LIFECYCLE:
        assert name not in response.headers, (path, name)


async def test_the_dates_come_from_the_settings(runtime: Runtime) -> None:
    deprecated = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    sunset = datetime(2031, 6, 7, 8, 9, 10, tzinfo=UTC)
    async with serving(runtime, api_v1_deprecated_at=deprecated, api_v1_sunset_at=sunset) as (
        _,
        client,
    ):
        response = await client.get("/api/v1/tasks")
    assert response.headers["deprecation"] == f"@{int(deprecated.timestamp())}"
    assert response.headers["sunset"] == "Sat, 07 Jun 2031 08:09:10 GMT"


async def test_without_dates_only_the_successor_is_named(runtime: Runtime) -> None:
    async with serving(runtime, api_v1_deprecated_at=None, api_v1_sunset_at=None) as (_, client):
        response = await client.get("/api/tasks")
    assert "deprecation" not in response.headers
    assert "sunset" not in response.headers
    assert response.headers["link"] == link_to("/api/v2/tasks")


async def test_v1_is_gone_after_its_sunset_when_configured(
    runtime: Runtime, clock: FakeClock
) -> None:
    sunset = clock.now + timedelta(minutes=1)
    gone = {
        "success": False,
        "error": f"API v1 was retired on {sunset.date().isoformat()}; "
        "use /api/v2 (see docs/api-v1-to-v2.md)",
    }
    account = {"email": "late@example.com", "password": "correct horse 1", "name": "Late"}
    async with serving(runtime, api_v1_sunset_at=sunset, api_v1_gone_after_sunset=True) as (
        _,
        client,
    ):
        before = await client.get("/api/v1/tasks")
        assert before.status_code == 401
        clock.advance(minutes=1)
        for path in ("/api/v1/auth/register", "/api/auth/register"):
            response = await client.post(path, json=account)
            assert (response.status_code, response.json()) == (410, gone), path
            assert response.headers["link"] == link_to("/api/v2/auth/register")
            assert response.headers["sunset"] == sunset.strftime("%a, %d %b %Y %H:%M:%S GMT")
            assert response.headers["deprecation"] == DEPRECATION
            assert response.headers["x-frame-options"] == "DENY"
        assert varies_on_version(response)
        async with runtime.db.engine.connect() as connection:  # nothing reached the app
            assert await connection.scalar(select(func.count()).select_from(User)) == 0
        v2 = await client.get("/api/nope", headers={"API-Version": "v2"})
        assert v2.status_code == 404
        assert (await client.get("/health")).status_code == 200


async def test_after_sunset_v1_still_answers_unless_configured_gone(
    runtime: Runtime, clock: FakeClock
) -> None:
    sunset = clock.now - timedelta(days=1)
    async with serving(runtime, api_v1_deprecated_at=None, api_v1_sunset_at=sunset) as (
        _,
        client,
    ):
        response = await client.get("/api/tasks")
    assert response.status_code == 401
    assert response.headers["sunset"] == sunset.strftime("%a, %d %b %Y %H:%M:%S GMT")


async def test_cross_origin_clients_may_read_the_lifecycle_headers(runtime: Runtime) -> None:
    async with serving(runtime, cors_origin=("https://app.example",)) as (_, client):
        origin = {"Origin": "https://app.example"}
        response = await client.get("/api/tasks", headers=origin)
        refused = await client.get("/api/tasks", headers={**origin, "API-Version": "v9"})
    exposed = {
        name.strip().lower()
        for name in response.headers["access-control-expose-headers"].split(",")
    }
    assert {"deprecation", "sunset", "link"} <= exposed
    vary = {value.strip().lower() for value in response.headers["vary"].split(",")}
    assert {"origin", "api-version"} <= vary
    assert refused.status_code == 400
    assert refused.headers["access-control-allow-origin"] == "https://app.example"


# Counting v1 use per client


async def test_v1_use_is_counted_per_client(runtime: Runtime, clock: FakeClock) -> None:
    requests = [
        ("/api/tasks", "old-mobile/1.0", {}),
        ("/api/auth/profile", "old-mobile/1.0", {}),
        ("/api/v1/tasks", "old-mobile/1.0", {}),
        ("/api/v1/nope", "cron-script", {}),
        ("/api/tasks", "cron-script", {"API-Version": "v1"}),
        ("/api/tasks", "moved-on/2.0", {"API-Version": "v2"}),
        ("/api/v2/tasks", "moved-on/2.0", {}),
        ("/health", "probe", {}),
        ("/api/tasks", "confused", {"API-Version": "v3"}),
    ]
    async with serving(runtime) as (app, client):
        for path, agent, headers in requests:
            await client.get(path, headers={"User-Agent": agent, **headers})
        usage: V1Usage = app.state.v1_usage
        await usage.flush()
        today = clock.now.date()
        assert await read_usage(runtime.store, today, 1) == [
            ClientUse("old-mobile/1.0", 3, today),
            ClientUse("cron-script", 2, today),
        ]


# The middleware on its own


def recording() -> tuple[list[Scope], Any]:
    seen: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(dict(scope))
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"vary", b"Origin")]}
        )
        await send({"type": "http.response.body", "body": b"ok"})

    return seen, app


def versions(app: Any, **settings: Any) -> ApiVersions:
    clock = FakeClock()
    configured = Settings(_env_file=None, environment=Environment.TEST, **settings)
    return ApiVersions(
        app, settings=configured, clock=clock, usage=V1Usage(MemoryKeyValue(clock), clock)
    )


async def call(
    middleware: ApiVersions, path: str, raw_path: bytes | None, headers: list[tuple[bytes, bytes]]
) -> list[Message]:
    scope: dict[str, Any] = {"type": "http", "method": "GET", "path": path, "headers": headers}
    if raw_path is not None:
        scope["raw_path"] = raw_path
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await middleware(scope, receive, send)
    return sent


@pytest.mark.parametrize(
    ("path", "raw_path", "asked", "routed", "raw_routed"),
    [
        ("/api/tasks", b"/api/tasks", None, "/api/v1/tasks", b"/api/v1/tasks"),
        ("/api", b"/api", b"v2", "/api/v2", b"/api/v2"),
        ("/api/a b", b"/api/a%20b", b"V2", "/api/v2/a b", b"/api/v2/a%20b"),
        ("/api/x", b"/%61pi/x", None, "/api/v1/x", b"/api/v1/x"),
        ("/api/é", None, None, "/api/v1/é", None),
    ],
)
async def test_the_unversioned_path_is_rewritten_keeping_the_original(
    path: str, raw_path: bytes | None, asked: bytes | None, routed: str, raw_routed: bytes | None
) -> None:
    seen, app = recording()
    headers = [(b"api-version", asked)] if asked is not None else []
    await call(versions(app), path, raw_path, headers)
    [scope] = seen
    assert scope["path"] == routed
    assert scope.get("raw_path") == raw_routed
    assert scope[ORIGINAL_PATH] == path


async def test_versioned_and_other_paths_pass_untouched() -> None:
    for path in ("/api/v1/tasks", "/api/v2/tasks", "/health", "/apiary", "/"):
        seen, app = recording()
        await call(versions(app), path, path.encode(), [(b"api-version", b"v9")])
        [scope] = seen
        assert (scope["path"], scope["raw_path"]) == (path, path.encode())
        assert ORIGINAL_PATH not in scope


async def test_other_scopes_pass_untouched() -> None:
    seen, app = recording()
    scope = {"type": "websocket", "path": "/api/socket", "headers": [(b"api-version", b"v9")]}

    async def nothing() -> Message:
        return {}

    async def ignore(message: Message) -> None:
        return None

    await versions(app)(scope, nothing, ignore)
    assert seen == [scope]


async def test_vary_joins_the_header_the_app_set() -> None:
    _, app = recording()
    [start, _] = await call(versions(app), "/api/tasks", None, [])
    assert [value for name, value in start["headers"] if name == b"vary"] == [
        b"Origin, API-Version"
    ]


def link_of(start: Message) -> bytes:
    [link] = [value for name, value in start["headers"] if name == b"link"]
    assert isinstance(link, bytes)
    return link


@pytest.mark.parametrize(
    ("path", "raw_path", "successor"),
    [
        ("/api/v1/a b", b"/api/v1/a%20b", b"/api/v2/a%20b"),
        ("/api/v1/a/b", b"/api/v1/a%2Fb", b"/api/v2/a%2Fb"),  # as the client spelled it
        ('/api/v1/a">b', b'/api/v1/a">b', b"/api/v2/a%22%3Eb"),  # never breaks the header
        ("/api/v1/a%zz", b"/api/v1/a%zz", b"/api/v2/a%25zz"),
        ("/api/v1/é", "/api/v1/é".encode(), b"/api/v2/%C3%A9"),
        ("/api/v1/é", None, b"/api/v2/%C3%A9"),
        ("/api/v1/x", b"/%61pi/v1/x", b"/api/v2/x"),
    ],
)
async def test_the_successor_link_is_a_valid_uri(
    path: str, raw_path: bytes | None, successor: bytes
) -> None:
    _, app = recording()
    middleware = versions(app)
    for _ in range(2):  # computed, then remembered
        [start, _] = await call(middleware, path, raw_path, [])
        assert link_of(start) == b"<" + successor + b'>; rel="successor-version"'


async def test_remembered_links_are_forgotten_past_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(versions_module, "LINKS_KEPT", 2)
    _, app = recording()
    middleware = versions(app)
    for _ in range(2):
        for task in "abcde":
            path = f"/api/v1/tasks/{task}"
            [start, _] = await call(middleware, path, path.encode(), [])
            assert link_of(start) == f'</api/v2/tasks/{task}>; rel="successor-version"'.encode()
            assert len(middleware._links) <= 2  # bounded, whatever the paths asked for


async def test_a_retired_v1_never_calls_the_app() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        pytest.fail("a retired v1 request reached the app")

    past = datetime(2020, 1, 1, tzinfo=UTC)
    middleware = versions(
        app, api_v1_deprecated_at=past, api_v1_sunset_at=past, api_v1_gone_after_sunset=True
    )
    [start, body] = await call(middleware, "/api/v1/tasks", None, [])
    assert start["status"] == 410
    assert body["body"] == (
        b'{"success":false,"error":"API v1 was retired on 2020-01-01; '
        b'use /api/v2 (see docs/api-v1-to-v2.md)"}'
    )


# Settings


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


def test_the_dates_default_to_the_strategy(env: pytest.MonkeyPatch) -> None:
    settings = Settings(_env_file=None)
    assert settings.api_v1_deprecated_at == datetime(2026, 12, 1, tzinfo=UTC)
    assert settings.api_v1_sunset_at == datetime(2027, 12, 1, tzinfo=UTC)
    assert settings.api_v1_gone_after_sunset is False


def test_an_empty_date_switches_its_header_off(env: pytest.MonkeyPatch) -> None:
    env.setenv("API_V1_DEPRECATED_AT", "")
    env.setenv("API_V1_SUNSET_AT", "  ")
    settings = Settings(_env_file=None)
    assert (settings.api_v1_deprecated_at, settings.api_v1_sunset_at) == (None, None)


def test_dates_are_read_in_utc(env: pytest.MonkeyPatch) -> None:
    env.setenv("API_V1_DEPRECATED_AT", "2030-01-01T02:00:00+02:00")
    env.setenv("API_V1_SUNSET_AT", "2031-01-01T00:00:00")
    settings = Settings(_env_file=None)
    assert settings.api_v1_deprecated_at == datetime(2030, 1, 1, tzinfo=UTC)
    assert settings.api_v1_sunset_at == datetime(2031, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"API_V1_DEPRECATED_AT": "2030-01-02", "API_V1_SUNSET_AT": "2030-01-01"},
            "API_V1_SUNSET_AT must not be before API_V1_DEPRECATED_AT",
        ),
        (
            {"API_V1_SUNSET_AT": "", "API_V1_GONE_AFTER_SUNSET": "true"},
            "API_V1_GONE_AFTER_SUNSET needs API_V1_SUNSET_AT",
        ),
        ({"API_V1_SUNSET_AT": "next year"}, "api_v1_sunset_at"),
    ],
)
def test_inconsistent_dates_are_refused(
    env: pytest.MonkeyPatch, variables: dict[str, str], message: str
) -> None:
    for name, value in variables.items():
        env.setenv(name, value)
    with pytest.raises(ValidationError, match=message):
        Settings(_env_file=None)
