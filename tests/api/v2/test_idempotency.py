"""Idempotency-Key on v2's creates (tasks and projects): a retry gets the first answer and
never a second write, also when retries arrive at once on two API instances."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx
import pytest

from tests.api.v2.answers import problem_of
from tests.api.v2.projects import PROJECTS
from tests.api.v2.test_tasks import TASKS
from tests.conftest import Account


@dataclass(frozen=True)
class Create:
    """A v2 create that takes an Idempotency-Key: where it posts and what it names."""

    url: str
    named: str  # the member a body's text goes in
    made_by_default: int  # how many the list holds before any create (the Inbox)

    async def post(
        self, client: httpx.AsyncClient, owner: Account, key: str, text: str = "Pay rent"
    ) -> httpx.Response:
        headers = owner.auth | {"Idempotency-Key": key}
        return await client.post(self.url, json={self.named: text}, headers=headers)

    async def count(self, client: httpx.AsyncClient, owner: Account) -> int:
        listed = await client.get(f"{self.url}?limit=100", headers=owner.auth)
        return len(listed.json()["items"]) - self.made_by_default


@pytest.fixture(
    params=[Create(TASKS, "title", 0), Create(PROJECTS, "name", 1)], ids=["tasks", "projects"]
)
def create(request: pytest.FixtureRequest) -> Create:
    made: Create = request.param
    return made


async def test_a_retry_gets_the_first_answer(
    client: httpx.AsyncClient, alice: Account, create: Create
) -> None:
    first = await create.post(client, alice, "rent-2026-12")
    again = await create.post(client, alice, "rent-2026-12", "  Pay rent")  # the same, once read
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["location"] == first.headers["location"]
    assert first.headers["location"] == f"{create.url}/{first.json()['id']}"
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await create.count(client, alice) == 1


async def test_a_key_is_the_callers_own(
    client: httpx.AsyncClient, alice: Account, bob: Account, create: Create
) -> None:
    mine, theirs = await create.post(client, alice, "k"), await create.post(client, bob, "k")
    assert mine.json()["id"] != theirs.json()["id"]
    assert "idempotent-replayed" not in theirs.headers


async def test_a_key_serves_one_kind_of_create(client: httpx.AsyncClient, alice: Account) -> None:
    """The fingerprint names the endpoint: a task's key sent with a project is refused."""
    await Create(TASKS, "title", 0).post(client, alice, "shared")
    reused = await Create(PROJECTS, "name", 1).post(client, alice, "shared")
    problem_of(reused, 422, "idempotency-key-reused")


async def test_the_same_key_with_another_body_is_refused(
    client: httpx.AsyncClient, alice: Account, create: Create
) -> None:
    await create.post(client, alice, "k1")
    reused = await create.post(client, alice, "k1", "Other")
    problem = problem_of(reused, 422, "idempotency-key-reused")
    assert problem["errors"][0]["header"] == "Idempotency-Key"
    assert await create.count(client, alice) == 1


async def test_a_failed_create_does_not_use_up_its_key(
    client: httpx.AsyncClient, alice: Account, create: Create
) -> None:
    problem_of(await create.post(client, alice, "k2", " "), 400, "invalid-request")
    assert (await create.post(client, alice, "k2")).status_code == 201
    assert await create.count(client, alice) == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\there"])
async def test_a_malformed_key_is_named(
    client: httpx.AsyncClient, alice: Account, create: Create, key: str
) -> None:
    headers = [(name.encode(), value.encode()) for name, value in alice.auth.items()]
    headers.append((b"Idempotency-Key", key.encode()))
    response = await client.post(create.url, json={create.named: "x"}, headers=headers)
    assert problem_of(response, 400, "invalid-request")["errors"][0]["header"] == "Idempotency-Key"
    assert await create.count(client, alice) == 0


async def test_retries_at_once_on_two_instances_make_one(
    client: httpx.AsyncClient, second_instance: httpx.AsyncClient, alice: Account, create: Create
) -> None:
    for round_ in range(5):
        key = f"burst-{round_}"
        answers = await asyncio.gather(
            *(create.post(instance, alice, key) for instance in (client, second_instance) * 4)
        )
        assert {answer.status_code for answer in answers} == {201}
        assert len({answer.content for answer in answers}) == 1
        assert sum("idempotent-replayed" not in a.headers for a in answers) == 1
    assert await create.count(client, alice) == 5
