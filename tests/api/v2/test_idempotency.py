"""Idempotency-Key on v2 creates: a retry gets the first answer and never a second task,
also when retries arrive at once on two API instances."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from taskmaster.app import create_app
from taskmaster.config import Settings
from taskmaster.runtime import Runtime
from tests.api.v2.answers import problem_of
from tests.api.v2.test_tasks import TASKS
from tests.conftest import Account, FakeClock


async def post(
    client: httpx.AsyncClient, owner: Account, key: str, **fields: Any
) -> httpx.Response:
    headers = owner.auth | {"Idempotency-Key": key}
    return await client.post(TASKS, json={"title": "Pay rent", **fields}, headers=headers)


async def count(client: httpx.AsyncClient, owner: Account) -> int:
    return len((await client.get(f"{TASKS}?limit=100", headers=owner.auth)).json()["items"])


async def test_a_retry_gets_the_first_answer(client: httpx.AsyncClient, alice: Account) -> None:
    first = await post(client, alice, "rent-2026-12")
    again = await post(client, alice, "rent-2026-12", title="  Pay rent")  # the same, once read
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await count(client, alice) == 1


async def test_a_key_is_the_callers_own(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    mine, theirs = await post(client, alice, "k"), await post(client, bob, "k")
    assert mine.json()["id"] != theirs.json()["id"]
    assert "idempotent-replayed" not in theirs.headers


async def test_the_same_key_with_another_body_is_refused(
    client: httpx.AsyncClient, alice: Account
) -> None:
    await post(client, alice, "k1")
    problem = problem_of(
        await post(client, alice, "k1", title="Other"), 422, "idempotency-key-reused"
    )
    assert problem["errors"][0]["header"] == "Idempotency-Key"
    assert await count(client, alice) == 1


async def test_a_failed_create_does_not_use_up_its_key(
    client: httpx.AsyncClient, alice: Account
) -> None:
    problem_of(await post(client, alice, "k2", status="nope"), 400, "invalid-request")
    assert (await post(client, alice, "k2")).status_code == 201


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\there"])
async def test_a_malformed_key_is_named(
    client: httpx.AsyncClient, alice: Account, key: str
) -> None:
    headers = [(name.encode(), value.encode()) for name, value in alice.auth.items()]
    headers.append((b"Idempotency-Key", key.encode()))
    response = await client.post(TASKS, json={"title": "x"}, headers=headers)
    assert problem_of(response, 400, "invalid-request")["errors"][0]["header"] == "Idempotency-Key"
    assert await count(client, alice) == 0


@pytest.fixture
async def second_instance(settings: Settings, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    """Another API instance on the same database and store."""
    runtime = Runtime.build(settings, clock=clock)
    app = create_app(runtime=runtime)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def test_retries_at_once_on_two_instances_make_one_task(
    client: httpx.AsyncClient, second_instance: httpx.AsyncClient, alice: Account
) -> None:
    for round_ in range(5):
        key = f"burst-{round_}"
        answers = await asyncio.gather(
            *(post(instance, alice, key) for instance in (client, second_instance) * 4)
        )
        assert {answer.status_code for answer in answers} == {201}
        assert len({answer.content for answer in answers}) == 1
        assert sum("idempotent-replayed" not in a.headers for a in answers) == 1
    assert await count(client, alice) == 5
