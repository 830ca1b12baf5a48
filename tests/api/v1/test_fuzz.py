"""Property tests: whatever a client sends, v1 answers in its envelope and never with a 500."""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Account

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
TASKS = "/api/v1/tasks"
JSON = {"Content-Type": "application/json"}
MAX_EXAMPLES = 60
FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# Any JSON value: text includes every plane, NUL and (JSON-escaped) lone surrogates.
texts = st.text() | st.text(st.characters(exclude_categories=()), max_size=5)
scalars = st.none() | st.booleans() | st.integers() | st.floats() | texts
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=12,
)

# Date-times over the whole calendar, in zones far from UTC: the edges must not overflow.
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=-11)), timezone(timedelta(hours=14))])
EARLIEST, LATEST = datetime.min, datetime.max
moments = (st.datetimes(EARLIEST, LATEST, timezones=ZONES) | st.datetimes(EARLIEST, LATEST)).map(
    datetime.isoformat
)

# Values a real client would send for each key, mixed with anything at all.
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "email": st.sampled_from(["alice@example.com", "ALICE@example.com", "a@b.co", "x@", "@"])
    | st.emails().map(str),
    "password": st.sampled_from(["correct horse 1", "long enough 1", "short"]),
    "name": st.sampled_from(["Tess", " ", "Ünïcödé ✓"]),
    "title": st.sampled_from(["A task", " ", "t" * 200, "t" * 201]),
    "description": st.sampled_from(["", "d" * 10_000, "d" * 10_001]),
    "status": st.sampled_from(["pending", "in-progress", "completed", "done"]),
    "priority": st.sampled_from(["low", "medium", "high", "urgent"]),
    "dueDate": moments | st.sampled_from(["2026-12-24", "not a date"]),
}


def fields(*keys: str) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the endpoint's real keys, each absent, plausible or of any JSON type."""
    return st.fixed_dictionaries(
        {}, optional={key: PLAUSIBLE[key] | json_values for key in keys}
    ) | st.dictionaries(st.sampled_from(keys) | texts, json_values, max_size=5)


REGISTER_BODIES = json_values | fields("email", "password", "name")
LOGIN_BODIES = json_values | fields("email", "password")
TASK_BODIES = json_values | fields("title", "description", "status", "priority", "dueDate")

QUERY_KEYS = ["status", "priority", "search", "sort", "limit", "offset"]
QUERY_VALUES = (
    st.text()
    | st.integers().map(str)
    | st.sampled_from(
        ["pending", "in-progress", "completed", "high", "-createdAt", "title", "priority", ""]
    )
)
QUERIES = st.lists(
    st.tuples(st.sampled_from(QUERY_KEYS) | st.text(max_size=8), QUERY_VALUES), max_size=6
)
RAW_QUERIES = st.text(
    alphabet=st.characters(codec="utf-8") | st.sampled_from("=&%+;#?"), max_size=40
)


@pytest.fixture
def examples() -> Iterator[list[object]]:
    """Proves hypothesis really ran the async test body, once per example."""
    ran: list[object] = []
    yield ran
    assert len(ran) >= MAX_EXAMPLES // 2, f"only {len(ran)} examples ran"


def encoded(value: object) -> bytes:
    # The standard library writes NaN and Infinity, which a JSON parser must refuse.
    return json.dumps(value).encode()


def assert_v1(response: httpx.Response) -> None:
    """Never a 500; always the v1 envelope; a 4xx says why in a non-empty message."""
    assert response.status_code < 500, response.text
    body = response.json()
    assert isinstance(body, dict), body
    if 400 <= response.status_code < 500:
        assert body.keys() == {"success", "error"}, body
        assert body["success"] is False
        assert isinstance(body["error"], str)
        assert body["error"]
    else:
        assert body["success"] is True, body


@FUZZ
@given(body=REGISTER_BODIES)
async def test_register_with_anything(
    client: httpx.AsyncClient, examples: list[object], body: object
) -> None:
    examples.append(body)
    assert_v1(await client.post(REGISTER, content=encoded(body), headers=JSON))


@FUZZ
@given(body=LOGIN_BODIES)
async def test_login_with_anything(
    client: httpx.AsyncClient, alice: Account, examples: list[object], body: object
) -> None:
    examples.append(body)
    assert_v1(await client.post(LOGIN, content=encoded(body), headers=JSON))


@FUZZ
@given(body=TASK_BODIES)
async def test_create_a_task_with_anything(
    client: httpx.AsyncClient, alice: Account, examples: list[object], body: object
) -> None:
    examples.append(body)
    response = await client.post(TASKS, content=encoded(body), headers={**alice.auth, **JSON})
    assert_v1(response)
    if response.status_code == 201:
        assert isinstance(body, dict)
        created = response.json()["data"]
        assert created["title"] == body["title"].strip()
        assert created["status"] == body.get("status", "pending")


@pytest.fixture
async def task_id(client: httpx.AsyncClient, alice: Account) -> str:
    response = await client.post(TASKS, json={"title": "Fuzzed"}, headers=alice.auth)
    assert response.status_code == 201
    task_id: str = response.json()["data"]["id"]
    return task_id


@FUZZ
@given(body=TASK_BODIES)
async def test_update_a_task_with_anything(
    client: httpx.AsyncClient,
    alice: Account,
    task_id: str,
    examples: list[object],
    body: object,
) -> None:
    examples.append(body)
    path = f"{TASKS}/{task_id}"
    before = (await client.get(path, headers=alice.auth)).json()["data"]
    response = await client.put(path, content=encoded(body), headers={**alice.auth, **JSON})
    assert_v1(response)
    after = (await client.get(path, headers=alice.auth)).json()["data"]
    if response.status_code == 200:
        assert after == response.json()["data"]
    else:
        assert after == before  # a refused change leaves no trace


@FUZZ
@given(query=QUERIES)
async def test_list_with_any_query(
    client: httpx.AsyncClient,
    alice: Account,
    examples: list[object],
    query: list[tuple[str, str]],
) -> None:
    examples.append(query)
    response = await client.get(TASKS, params=tuple(query), headers=alice.auth)
    assert_v1(response)
    if response.status_code == 200:
        assert isinstance(response.json()["data"], list)
        assert response.headers["x-total-count"].isdigit()


@FUZZ
@given(raw=RAW_QUERIES)
async def test_list_with_any_raw_query_string(
    client: httpx.AsyncClient, alice: Account, examples: list[object], raw: str
) -> None:
    query = quote(raw, safe="=&%+;" + string.ascii_letters + string.digits)
    examples.append(raw)
    assert_v1(await client.get(f"{TASKS}?{query}", headers=alice.auth))
