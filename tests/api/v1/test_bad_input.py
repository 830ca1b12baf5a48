"""Bad input never gives a 500 and never leaves a half-written change (rule 4)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Column, Table, func, select

from taskmaster.auth.models import SecurityEvent, User
from taskmaster.db.base import Base
from taskmaster.events.models import OutboxEvent
from taskmaster.runtime import Runtime
from tests.conftest import Account

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
JSON = {"Content-Type": "application/json"}
TASKS = "/api/v1/tasks"
LIMIT = 1024 * 1024
TOO_LARGE = "Request body is too large (limit 1024 KiB)"
MALFORMED = "Malformed JSON in request body"
NOT_AN_OBJECT = "Request body must be a JSON object"
STATUSES = "Invalid status. Must be one of: pending, in-progress, completed"
PRIORITIES = "Invalid priority. Must be one of: low, medium, high"
DUE_DATE = "Due date must be an ISO 8601 date-time or null"

Rows = dict[str, list[tuple[Any, ...]]]


def _written(table: Table) -> list[Column[Any]]:
    """The columns a request writes: not when the relay sent an event, which it does
    whenever it runs."""
    return [column for column in table.columns if column is not OutboxEvent.__table__.c.sent_at]


async def everything(runtime: Runtime) -> Rows:
    """Every row of every table but the security log: what "nothing was written" is checked
    against. (A failed attempt on an account is logged; the tests of it say so.)"""
    async with runtime.db.session() as session:
        return {
            table.name: [
                tuple(row)
                for row in (
                    await session.execute(
                        select(*_written(table)).order_by(*table.primary_key.columns)
                    )
                ).all()
            ]
            for table in Base.metadata.sorted_tables
            if table is not SecurityEvent.__table__
        }


def envelope(response: httpx.Response) -> tuple[int, Any]:
    return response.status_code, response.json()


def failure(status: int, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"success": False, "error": message}


@pytest.fixture
async def task(client: httpx.AsyncClient, alice: Account) -> dict[str, Any]:
    response = await client.post(
        TASKS, json={"title": "Original", "description": "as it was"}, headers=alice.auth
    )
    assert response.status_code == 201
    data: dict[str, Any] = response.json()["data"]
    return data


@pytest.fixture
def targets(alice: Account, task: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, str]]]:
    """Every endpoint that takes a body: method, path and headers."""
    return {
        "register": ("POST", REGISTER, {}),
        "login": ("POST", LOGIN, {}),
        "create": ("POST", TASKS, alice.auth),
        "update": ("PUT", f"{TASKS}/{task['id']}", alice.auth),
    }


ENDPOINTS = ["register", "login", "create", "update"]


async def send_raw(
    client: httpx.AsyncClient,
    target: tuple[str, str, dict[str, str]],
    content: bytes,
) -> httpx.Response:
    method, path, headers = target
    return await client.request(
        method, path, content=content, headers={**headers, "Content-Type": "application/json"}
    )


MALFORMED_BODIES = [
    b"{",
    b'{"title": }',
    b'{"title": "x",}',
    b"{'title': 'x'}",
    b"title=x&email=a",
    b"NaN",
    b'{"title": NaN}',
    b'{"title": Infinity}',
    b'{"n": 1e400}',
    b'{"title": "\xff\xfe"}',
    b"\xef\xbb\xbf{}",
    b'{"title": "x"} trailing',
    b"[" * 10_000,
]
NOT_OBJECTS = [b"[]", b'[{"title": "x"}]', b'"title"', b"42", b"-1.5", b"true", b"null"]


async def expect_refusals(
    client: httpx.AsyncClient,
    runtime: Runtime,
    target: tuple[str, str, dict[str, str]],
    cases: list[tuple[dict[str, Any] | bytes, str]],
    status: int = 400,
) -> None:
    """Each case (a JSON payload, or raw bytes sent as JSON) is refused and writes nothing."""
    method, path, headers = target
    before = await everything(runtime)
    for payload, message in cases:
        if isinstance(payload, bytes):
            response = await send_raw(client, target, payload)
        else:
            response = await client.request(method, path, json=payload, headers=headers)
        assert envelope(response) == failure(status, message), payload
        assert await everything(runtime) == before, payload


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_malformed_json(
    client: httpx.AsyncClient,
    runtime: Runtime,
    targets: dict[str, tuple[str, str, dict[str, str]]],
    endpoint: str,
) -> None:
    cases: list[tuple[dict[str, Any] | bytes, str]] = [(b, MALFORMED) for b in MALFORMED_BODIES]
    await expect_refusals(client, runtime, targets[endpoint], cases)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_a_body_that_is_not_an_object(
    client: httpx.AsyncClient,
    runtime: Runtime,
    targets: dict[str, tuple[str, str, dict[str, str]]],
    endpoint: str,
) -> None:
    cases: list[tuple[dict[str, Any] | bytes, str]] = [(b, NOT_AN_OBJECT) for b in NOT_OBJECTS]
    await expect_refusals(client, runtime, targets[endpoint], cases)


NEWCOMER = {"email": "new@example.com", "password": "long enough 1", "name": "New Comer"}
LOGIN_AS_ALICE = {"email": "alice@example.com", "password": "correct horse 1"}
A_TASK = {"title": "A title"}

WRONG_TYPES: list[tuple[str, dict[str, Any], str]] = [
    ("register", {**NEWCOMER, "email": 123}, "Email must be a string"),
    ("register", {**NEWCOMER, "email": True}, "Email must be a string"),
    ("register", {**NEWCOMER, "email": ["a@example.com"]}, "Email must be a string"),
    ("register", {**NEWCOMER, "password": 12345678}, "Password must be a string"),
    ("register", {**NEWCOMER, "password": {"p": "long enough"}}, "Password must be a string"),
    ("register", {**NEWCOMER, "name": 1.5}, "Name must be a string"),
    ("register", {**NEWCOMER, "name": False}, "Name must be a string"),
    ("login", {**LOGIN_AS_ALICE, "email": 1}, "Email must be a string"),
    ("login", {**LOGIN_AS_ALICE, "password": ["correct horse 1"]}, "Password must be a string"),
    ("create", {"title": 1}, "Title must be a string"),
    ("create", {"title": ["x"]}, "Title must be a string"),
    ("create", {"title": True}, "Title must be a string"),
    ("create", {**A_TASK, "description": 1}, "Description must be a string"),
    ("create", {**A_TASK, "description": {"a": 1}}, "Description must be a string"),
    ("create", {**A_TASK, "status": 1}, STATUSES),
    ("create", {**A_TASK, "status": None}, STATUSES),
    ("create", {**A_TASK, "status": ["pending"]}, STATUSES),
    ("create", {**A_TASK, "status": "done"}, STATUSES),
    ("create", {**A_TASK, "status": "PENDING"}, STATUSES),
    ("create", {**A_TASK, "priority": 2}, PRIORITIES),
    ("create", {**A_TASK, "priority": "urgent"}, PRIORITIES),
    ("create", {**A_TASK, "dueDate": 1767225600}, DUE_DATE),
    ("create", {**A_TASK, "dueDate": "tomorrow"}, DUE_DATE),
    ("create", {**A_TASK, "dueDate": ["2026-01-01"]}, DUE_DATE),
    ("update", {"title": 1}, "Title must be a string"),
    ("update", {"title": None}, "Title is required"),
    ("update", {"title": "  "}, "Title is required"),
    ("update", {"description": []}, "Description must be a string"),
    ("update", {"status": "done"}, STATUSES),
    ("update", {"status": None}, STATUSES),
    ("update", {"priority": 0}, PRIORITIES),
    ("update", {"dueDate": {}}, DUE_DATE),
    ("update", {"dueDate": "2026-13-01"}, DUE_DATE),
    # One bad field refuses the whole change, including the good fields beside it.
    ("update", {"title": "Changed", "status": "done"}, STATUSES),
    ("update", {"title": "Changed", "description": 5}, "Description must be a string"),
]


def cases_for(
    table: list[tuple[str, dict[str, Any], str]], endpoint: str
) -> list[tuple[dict[str, Any] | bytes, str]]:
    """The (payload, expected message) cases of `table` aimed at `endpoint`; never none."""
    cases: list[tuple[dict[str, Any] | bytes, str]] = [
        (payload, label) for target, payload, label in table if target == endpoint
    ]
    assert cases
    return cases


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_wrong_types(
    client: httpx.AsyncClient,
    runtime: Runtime,
    targets: dict[str, tuple[str, str, dict[str, str]]],
    endpoint: str,
) -> None:
    await expect_refusals(client, runtime, targets[endpoint], cases_for(WRONG_TYPES, endpoint))


NUL_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("register", {**NEWCOMER, "email": "new\x00@example.com"}, "Email"),
    ("register", {**NEWCOMER, "password": "long\x00enough"}, "Password"),
    ("register", {**NEWCOMER, "name": "New\x00Comer"}, "Name"),
    ("register", {**NEWCOMER, "name": "\x00"}, "Name"),
    ("login", {**LOGIN_AS_ALICE, "email": "alice@example.com\x00"}, "Email"),
    ("login", {**LOGIN_AS_ALICE, "password": "correct horse 1\x00"}, "Password"),
    ("create", {"title": "a\x00b"}, "Title"),
    ("create", {**A_TASK, "description": "\x00"}, "Description"),
    ("update", {"title": "\x00title"}, "Title"),
    ("update", {"description": "desc\x00"}, "Description"),
]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_nul_characters(
    client: httpx.AsyncClient,
    runtime: Runtime,
    targets: dict[str, tuple[str, str, dict[str, str]]],
    endpoint: str,
) -> None:
    cases: list[tuple[dict[str, Any] | bytes, str]] = [
        (payload, f"{label} must not contain NUL characters")
        for case_endpoint, payload, label in NUL_CASES
        if case_endpoint == endpoint
    ]
    assert cases
    await expect_refusals(client, runtime, targets[endpoint], cases)


async def test_a_nul_in_a_due_date_is_not_a_date(
    client: httpx.AsyncClient, runtime: Runtime, alice: Account
) -> None:
    before = await everything(runtime)
    response = await client.post(
        TASKS, json={**A_TASK, "dueDate": "2026-01-01\x00"}, headers=alice.auth
    )
    assert envelope(response) == failure(400, DUE_DATE)
    assert await everything(runtime) == before


def long_email(length: int) -> str:
    """A syntactically valid address of exactly `length` characters."""
    local = "a" * 64
    labels, remaining = [], length - len(local) - 1 - len(".com")
    while remaining > 0:
        label = min(63, remaining)
        if remaining - label == 1:  # no room for a one-character remainder and its dot
            label -= 2
        labels.append("b" * label)
        remaining -= label + 1
    email = f"{local}@{'.'.join(labels)}.com"
    assert len(email) == length, (len(email), length)
    return email


LENGTH_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("register", {**NEWCOMER, "name": "n" * 101}, "Name must be at most 100 characters long"),
    (
        "register",
        {**NEWCOMER, "email": long_email(255)},
        "Email must be at most 254 characters long",
    ),
    (
        "register",
        {**NEWCOMER, "password": "p" * 129},
        "Password must be at most 128 characters long",
    ),
    ("create", {"title": "t" * 201}, "Title must be at most 200 characters long"),
    (
        "create",
        {**A_TASK, "description": "d" * 10_001},
        "Description must be at most 10000 characters long",
    ),
    ("update", {"title": "t" * 201}, "Title must be at most 200 characters long"),
    (
        "update",
        {"title": "Changed", "description": "d" * 10_001},
        "Description must be at most 10000 characters long",
    ),
]


@pytest.mark.parametrize("endpoint", ["register", "create", "update"])
async def test_over_long_fields(
    client: httpx.AsyncClient,
    runtime: Runtime,
    targets: dict[str, tuple[str, str, dict[str, str]]],
    endpoint: str,
) -> None:
    await expect_refusals(client, runtime, targets[endpoint], cases_for(LENGTH_CASES, endpoint))


async def test_fields_at_their_longest_are_accepted(
    client: httpx.AsyncClient, alice: Account
) -> None:
    response = await client.post(
        REGISTER,
        json={"email": long_email(254), "password": "p" * 128, "name": "n" * 100},
    )
    assert response.status_code == 201, response.text
    assert response.json()["data"]["user"]["email"] == long_email(254)
    assert response.json()["data"]["user"]["name"] == "n" * 100
    login = await client.post(LOGIN, json={"email": long_email(254), "password": "p" * 128})
    assert login.status_code == 200

    created = await client.post(
        TASKS, json={"title": f"  {'t' * 200}  ", "description": "d" * 10_000}, headers=alice.auth
    )
    assert created.status_code == 201, created.text
    assert created.json()["data"]["title"] == "t" * 200
    assert len(created.json()["data"]["description"]) == 10_000


def oversized(size: int) -> bytes:
    """A JSON object of exactly `size` bytes."""
    head, tail = b'{"title":"x","description":"', b'"}'
    return head + b"d" * (size - len(head) - len(tail)) + tail


async def chunks(body: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.mark.parametrize("endpoint", ["register", "create", "update"])
async def test_a_body_over_the_limit_with_content_length(
    client: httpx.AsyncClient,
    runtime: Runtime,
    targets: dict[str, tuple[str, str, dict[str, str]]],
    endpoint: str,
) -> None:
    method, path, headers = targets[endpoint]
    before = await everything(runtime)
    response = await client.request(method, path, content=oversized(LIMIT + 1), headers=headers)
    assert response.request.headers["content-length"] == str(LIMIT + 1)
    assert envelope(response) == failure(413, TOO_LARGE)
    assert await everything(runtime) == before


@pytest.mark.parametrize("endpoint", ["register", "create", "update"])
async def test_a_body_over_the_limit_streamed_without_content_length(
    client: httpx.AsyncClient,
    runtime: Runtime,
    targets: dict[str, tuple[str, str, dict[str, str]]],
    endpoint: str,
) -> None:
    method, path, headers = targets[endpoint]
    before = await everything(runtime)
    response = await client.request(
        method, path, content=chunks(oversized(LIMIT + 1)), headers=headers
    )
    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert envelope(response) == failure(413, TOO_LARGE)
    assert await everything(runtime) == before


async def test_a_huge_declared_length_is_refused_before_reading(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime
) -> None:
    before = await everything(runtime)

    async def small() -> AsyncIterator[bytes]:
        yield b'{"title": "x"}'

    response = await client.post(
        TASKS, content=small(), headers={**alice.auth, "Content-Length": str(10**12)}
    )
    assert envelope(response) == failure(413, TOO_LARGE)
    assert await everything(runtime) == before


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_body_of_exactly_the_limit_is_read(
    client: httpx.AsyncClient, alice: Account, streamed: bool
) -> None:
    """The limit is not off by one: this body is read, then refused for its content."""
    body = oversized(LIMIT)
    content = chunks(body) if streamed else body
    response = await client.post(TASKS, content=content, headers={**alice.auth, **JSON})
    assert envelope(response) == failure(400, "Description must be at most 10000 characters long")


UNKNOWN_ROUTES = [
    ("GET", "/api/v1/nope", "/api/v1/nope"),
    ("POST", "/api/v1/nope", "/api/v1/nope"),
    ("DELETE", "/api/v1/nope?x=1", "/api/v1/nope"),
    ("GET", "/api/nope", "/api/nope"),
    ("GET", "/api", "/api"),
    ("GET", "/api/v1/tasks/a/b", "/api/v1/tasks/a/b"),
    ("GET", "/api/v10/tasks", "/api/v10/tasks"),
    # A known path with a method it does not answer: the same 404, as the MVP did.
    ("DELETE", "/api/v1/tasks", "/api/v1/tasks"),
    ("PATCH", "/api/v1/tasks", "/api/v1/tasks"),
    ("GET", "/api/v1/auth/login", "/api/v1/auth/login"),
    ("PUT", "/api/v1/auth/register", "/api/v1/auth/register"),
    ("POST", "/health", "/health"),
    ("POST", "/api/v1/tasks/summary", "/api/v1/tasks/summary"),
]


async def test_unknown_routes(client: httpx.AsyncClient, alice: Account) -> None:
    for method, path, reported in UNKNOWN_ROUTES:
        response = await client.request(method, path, headers=alice.auth)
        assert envelope(response) == failure(404, f"Route {reported} not found"), (method, path)


async def test_a_wrong_method_on_a_task_path(
    client: httpx.AsyncClient, alice: Account, task: dict[str, Any]
) -> None:
    path = f"{TASKS}/{task['id']}"
    response = await client.patch(path, json={"title": "x"}, headers=alice.auth)
    assert envelope(response) == failure(404, f"Route {path} not found")


LONE_SURROGATES = [b"\\ud800", b"\\udc00", b"a\\ud800b", b"\\ud800\\ud800", b"\\ude80\\ud83d"]


@pytest.mark.parametrize("endpoint", ["register", "create", "update"])
async def test_a_lone_surrogate_escape_is_refused(
    client: httpx.AsyncClient,
    runtime: Runtime,
    targets: dict[str, tuple[str, str, dict[str, str]]],
    endpoint: str,
) -> None:
    field = b'"email": "a@example.com", "password": "long enough 1", "name"'
    cases: list[tuple[dict[str, Any] | bytes, str]] = [
        (
            b"{" + (field if endpoint == "register" else b'"title"') + b': "' + escaped + b'"}',
            MALFORMED,
        )
        for escaped in LONE_SURROGATES
    ]
    await expect_refusals(client, runtime, targets[endpoint], cases)


async def test_a_surrogate_pair_escape_is_the_character(
    client: httpx.AsyncClient, targets: dict[str, tuple[str, str, dict[str, str]]]
) -> None:
    response = await send_raw(client, targets["create"], b'{"title": "\\ud83d\\ude80 launch"}')
    assert response.status_code == 201
    assert response.json()["data"]["title"] == "🚀 launch"


QUERY_CASES = [
    ("limit=abc", "limit must be an integer from 1 to 1000"),
    ("limit=0", "limit must be an integer from 1 to 1000"),
    ("limit=1001", "limit must be an integer from 1 to 1000"),
    ("limit=-1", "limit must be an integer from 1 to 1000"),
    ("limit=1.5", "limit must be an integer from 1 to 1000"),
    ("limit=%201", "limit must be an integer from 1 to 1000"),
    ("offset=-1", "offset must be an integer from 0 to 10000000"),
    ("offset=10000001", "offset must be an integer from 0 to 10000000"),
    ("status=done", STATUSES),
    ("status=Pending", STATUSES),
    ("priority=urgent", PRIORITIES),
    (
        "sort=nope",
        "Invalid sort. Must be one of: createdAt, updatedAt, dueDate, title, priority"
        " (prefix - to reverse)",
    ),
    (
        "sort=--createdAt",
        "Invalid sort. Must be one of: createdAt, updatedAt, dueDate, title, "
        "priority (prefix - to reverse)",
    ),
    ("search=a%00b", "Search must not contain NUL characters"),
    ("search=" + "s" * 201, "Search must be at most 200 characters long"),
]


async def test_bad_query_strings(client: httpx.AsyncClient, alice: Account) -> None:
    for query, message in QUERY_CASES:
        response = await client.get(f"{TASKS}?{query}", headers=alice.auth)
        assert envelope(response) == failure(400, message), query


@pytest.mark.parametrize("query", ["limit=%C2%B2", "offset=%C2%B2", "limit=" + "9" * 5000])
async def test_digits_int_cannot_read_are_refused(
    client: httpx.AsyncClient, alice: Account, query: str
) -> None:
    response = await client.get(f"{TASKS}?{query}", headers=alice.auth)
    assert response.status_code == 400
    assert response.json()["success"] is False


@pytest.mark.parametrize("due", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
async def test_a_due_date_that_leaves_the_calendar_in_utc_is_refused(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime, due: str
) -> None:
    before = await everything(runtime)
    response = await client.post(TASKS, json={**A_TASK, "dueDate": due}, headers=alice.auth)
    assert envelope(response) == failure(400, DUE_DATE)
    assert await everything(runtime) == before


async def test_an_early_due_date_is_written_as_iso_8601(
    client: httpx.AsyncClient, alice: Account
) -> None:
    response = await client.post(
        TASKS, json={**A_TASK, "dueDate": "0999-05-01T00:00:00Z"}, headers=alice.auth
    )
    assert response.status_code == 201
    assert response.json()["data"]["dueDate"] == "0999-05-01T00:00:00.000Z"


async def user_rows(runtime: Runtime, email: str) -> int:
    async with runtime.db.session() as session:
        count = await session.scalar(
            select(func.count()).select_from(User).where(User.email == email)
        )
    return int(count or 0)


async def test_concurrent_registrations_of_one_email(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    spellings = [
        "race@example.com",
        "Race@example.com",
        "RACE@EXAMPLE.COM",
        "race@Example.com",
        " race@example.com ",
    ]
    responses = await asyncio.gather(
        *(
            client.post(
                REGISTER, json={"email": email, "password": "long enough 1", "name": "Racer"}
            )
            for email in spellings
        )
    )
    assert sorted(response.status_code for response in responses) == [201, 409, 409, 409, 409]
    for response in responses:
        if response.status_code == 409:
            assert response.json() == {
                "success": False,
                "error": "User with this email already exists",
            }
    assert await user_rows(runtime, "race@example.com") == 1
    [winner] = [response for response in responses if response.status_code == 201]
    login = await client.post(
        LOGIN, json={"email": "race@example.com", "password": "long enough 1"}
    )
    assert login.json()["data"]["user"]["id"] == winner.json()["data"]["user"]["id"]


async def test_concurrent_updates_of_one_task(
    client: httpx.AsyncClient, alice: Account, task: dict[str, Any]
) -> None:
    # Every request sets every field; the row must end up as exactly one of them.
    changes = [
        {
            "title": f"Version {n}",
            "description": f"written by request {n}",
            "dueDate": f"2027-01-0{n + 1}T00:00:00.000Z",
        }
        for n in range(5)
    ]
    path = f"{TASKS}/{task['id']}"
    responses = await asyncio.gather(
        *(client.put(path, json=change, headers=alice.auth) for change in changes)
    )
    for change, response in zip(changes, responses, strict=True):
        assert response.status_code == 200, response.text
        assert {key: response.json()["data"][key] for key in change} == change

    final = (await client.get(path, headers=alice.auth)).json()["data"]
    # One request's change, whole: never a title from one and a due date from another.
    assert {key: final[key] for key in changes[0]} in changes
    listed = (await client.get(TASKS, headers=alice.auth)).json()["data"]
    assert [item["id"] for item in listed] == [task["id"]]


async def test_refused_requests_leave_the_list_unchanged(
    client: httpx.AsyncClient, alice: Account, task: dict[str, Any]
) -> None:
    """The client's view of rule 4: after a volley of refused writes the list is as it was."""
    before = (await client.get(TASKS, headers=alice.auth)).json()
    path = f"{TASKS}/{task['id']}"
    refused = [
        await client.post(TASKS, json={"title": ""}, headers=alice.auth),
        await client.post(TASKS, json={"title": "x", "status": "nope"}, headers=alice.auth),
        await client.post(TASKS, content=b"{", headers={**alice.auth, **JSON}),
        await client.post(TASKS, content=oversized(LIMIT + 1), headers=alice.auth),
        await client.put(path, json={"title": "Changed", "priority": "nope"}, headers=alice.auth),
        await client.put(
            path, json={"title": "Changed", "description": "d" * 10_001}, headers=alice.auth
        ),
        await client.put(f"{TASKS}/not-a-uuid", json={"title": "Changed"}, headers=alice.auth),
        await client.delete(f"{TASKS}/not-a-uuid", headers=alice.auth),
        await client.put(path, json={"title": "Changed"}),
    ]
    assert all(400 <= response.status_code < 500 for response in refused)
    assert all(response.json()["success"] is False for response in refused)
    assert (await client.get(TASKS, headers=alice.auth)).json() == before


@pytest.mark.parametrize("content", [b"", b"   ", b"\r\n\t"])
async def test_an_empty_body_reads_as_an_empty_object(
    client: httpx.AsyncClient,
    runtime: Runtime,
    targets: dict[str, tuple[str, str, dict[str, str]]],
    task: dict[str, Any],
    content: bytes,
) -> None:
    await expect_refusals(
        client,
        runtime,
        targets["register"],
        [(content, "Please provide email, password, and name")],
    )
    await expect_refusals(client, runtime, targets["create"], [(content, "Title is required")])
    # An empty change is no change: the task, its updatedAt included, stays as it was.
    response = await send_raw(client, targets["update"], content)
    assert response.status_code == 200
    assert response.json()["data"] == task


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
)
async def test_bodies_that_are_not_declared_json_are_refused(
    client: httpx.AsyncClient, alice: Account, content_type: str
) -> None:
    """What an HTML form on another site could send (login CSRF): refused, nothing written."""
    body = b'{"email": "alice@example.com", "password": "correct horse 1"}'
    headers = {"Content-Type": content_type} if content_type else {}
    response = await client.post(LOGIN, content=body, headers=headers)
    assert envelope(response) == failure(415, "Content-Type must be application/json")
    assert "set-cookie" not in response.headers
    task = await client.post(TASKS, content=b'{"title": "x"}', headers={**alice.auth, **headers})
    assert task.status_code == 415
    assert (await client.get(TASKS, headers=alice.auth)).json()["data"] == []


async def test_json_with_a_charset_or_a_json_suffix_is_json(
    client: httpx.AsyncClient, alice: Account
) -> None:
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = await client.post(
            TASKS, content=b'{"title": "x"}', headers={**alice.auth, "Content-Type": content_type}
        )
        assert response.status_code == 201
