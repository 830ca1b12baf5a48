"""Every answer carries a request id; a served instance logs one JSON line per request, naming
its route, status, duration and user, and nothing secret."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from taskmaster.app import create_app
from taskmaster.config import Settings
from taskmaster.observe.requests import (
    UNMATCHED,
    RequestLog,
    add_request_id,
    given_id,
    route_template,
)
from taskmaster.runtime import Runtime
from tests.conftest import lifespan, register
from tests.instances import fleet
from tests.waiting import eventually

BACKENDS = ("postgres",)
PASSWORD = "correct horse 1"


@pytest.mark.parametrize("value", ["abc-123", "a" * 128, "trace:1.2_x"])
def test_a_proxys_request_id_is_taken_as_it_is(value: str) -> None:
    assert given_id([(b"x-request-id", value.encode())]) == value


@pytest.mark.parametrize("value", ["", "a" * 129, "two words", "caf\u00e9", "new\nline", '{"x":1}'])
def test_a_request_id_a_log_line_cannot_carry_is_replaced(value: str) -> None:
    assert given_id([(b"x-request-id", value.encode())]) is None


def test_a_request_no_route_took_is_unmatched() -> None:
    assert route_template({"type": "http"}) == UNMATCHED


async def test_every_answer_carries_an_id_of_its_own(client: httpx.AsyncClient) -> None:
    answers = [
        await client.get("/health"),
        await client.get("/api/v2/tasks"),  # refused: 401
        await client.get("/no/such/page.json"),
        await client.options("/api/v2/tasks"),
    ]
    ids = [answer.headers["x-request-id"] for answer in answers]
    assert all(len(id_) == 16 and int(id_, 16) >= 0 for id_ in ids)
    assert len(set(ids)) == len(ids)


async def test_a_clients_request_id_is_not_believed(client: httpx.AsyncClient) -> None:
    answer = await client.get("/health", headers={"X-Request-ID": "chosen-by-the-client"})
    assert answer.headers["x-request-id"] != "chosen-by-the-client"


async def test_behind_a_trusted_proxy_its_request_id_is_kept(settings: Settings) -> None:
    runtime = Runtime.build(settings.model_copy(update={"trusted_proxy_hops": 1}))
    try:
        async with lifespan(create_app(runtime=runtime)) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
                given = await client.get("/health", headers={"X-Request-ID": "from-nginx-7"})
                mangled = await client.get("/health", headers={"X-Request-ID": "bad id"})
    finally:
        await runtime.close()
    assert given.headers["x-request-id"] == "from-nginx-7"
    assert mangled.headers["x-request-id"] != "bad id"


async def test_a_line_written_while_a_request_runs_names_its_id() -> None:
    written: dict[str, Any] = {}
    sent: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        written.update(add_request_id(None, "info", {"event": "inside"}))
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def keep(message: Message) -> None:
        sent.append(message)

    async def nothing() -> Message:
        return {"type": "http.request"}

    scope = {"type": "http", "method": "GET", "path": "/x", "headers": []}
    await RequestLog(app, trust_given_id=False, lines=False)(scope, nothing, keep)
    assert dict(sent[0]["headers"])[b"x-request-id"].decode() == written["request_id"]
    assert "request_id" not in add_request_id(None, "info", {"event": "outside"})


def lines_of(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


async def test_a_served_instance_logs_each_request_once_and_nothing_secret(
    settings: Settings, tmp_path: Path
) -> None:
    log = tmp_path / "instance.log"
    async with fleet(settings) as started:
        instance = await started.serve(log=log, LOG_LEVEL="info", TRUSTED_PROXY_HOPS="1")
        async with httpx.AsyncClient(base_url=instance.url) as api:
            alice = await register(api, "log.alice@example.com", PASSWORD)
            cookies = [cookie.value for cookie in api.cookies.jar if cookie.value]
            headers = {**alice.auth, "X-Request-ID": "trace-42"}
            created = await api.post("/api/v2/tasks", json={"title": "x"}, headers=alice.auth)
            task = created.json()["id"]
            read = await api.get(f"/api/v2/tasks/{task}?q={PASSWORD}", headers=headers)
            assert read.headers["x-request-id"] == "trace-42"
            await api.get("/health")
            await api.get("/api/tasks", headers=alice.auth)  # the MVP's path: v1's route
            await api.get("/dashboard")  # the web app's
            await api.get("/api/v2/no-such-thing")

        def logged() -> list[dict[str, Any]]:
            return [line for line in lines_of(log) if line.get("request_id") == "trace-42"]

        await eventually(lambda: len(logged()) == 1, what="the request's line")
    line = logged()[0]
    assert line["event"] == "request"
    assert line["level"] == "info"
    assert line["method"] == "GET"
    assert line["route"] == "/api/v2/tasks/{task_id}"
    assert line["status"] == 200
    assert line["user_id"] == alice.id
    assert line["duration_ms"] > 0
    requests = [entry for entry in lines_of(log) if entry["event"] == "request"]
    assert [entry["route"] for entry in requests] == [
        "/api/v1/auth/register",
        "/api/v2/tasks",
        "/api/v2/tasks/{task_id}",
        "/api/v1/tasks",
        "/{path:path}",
        "/{path:path}",
    ], "one line a request; the probe's is debug"
    text = log.read_text()
    for secret in (PASSWORD, alice.token, *cookies, task):
        assert secret not in text


async def test_the_relay_process_logs_json_lines_too(settings: Settings, tmp_path: Path) -> None:
    log = tmp_path / "relay.log"
    async with fleet(settings) as started:
        started.relay(log=log, LOG_LEVEL="info")

        def relaying() -> bool:
            return any(line["event"] == "relaying the outbox's events" for line in lines_of(log))

        await eventually(relaying, within=30, what="the relay's first line")
    assert all(line.startswith("{") for line in log.read_text().splitlines())
