"""The v1 tasks contract: CRUD, filters, search, pages and isolation between users."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import Account, FakeClock

# The whole task API also runs behind PgBouncer in transaction pooling mode.
BACKENDS = ("sqlite", "postgres", "pgbouncer")
TASKS = "/api/v1/tasks"
NOT_FOUND = {"success": False, "error": "Task not found"}


async def create(client: httpx.AsyncClient, owner: Account, **fields: Any) -> dict[str, Any]:
    response = await client.post(TASKS, json={"title": "A task", **fields}, headers=owner.auth)
    assert response.status_code == 201, response.text
    task: dict[str, Any] = response.json()["data"]
    return task


async def titles(client: httpx.AsyncClient, owner: Account, query: str = "") -> list[str]:
    response = await client.get(f"{TASKS}{query}", headers=owner.auth)
    assert response.status_code == 200, response.text
    return [task["title"] for task in response.json()["data"]]


async def test_create_answers_the_task_with_defaults(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    response = await client.post(TASKS, json={"title": "  Write tests  "}, headers=alice.auth)
    assert response.status_code == 201
    body = response.json()
    assert body["message"] == "Task created successfully"
    stamp = clock.now.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert body["data"] == {
        "id": body["data"]["id"],
        "userId": alice.id,
        "title": "Write tests",
        "description": "",
        "status": "pending",
        "priority": "medium",
        "dueDate": None,
        "createdAt": stamp,
        "updatedAt": stamp,
    }


async def test_create_takes_every_field(client: httpx.AsyncClient, alice: Account) -> None:
    task = await create(
        client,
        alice,
        title="Ship",
        description="Ünïcödé ✓ 🚀",
        status="in-progress",
        priority="high",
        dueDate="2026-12-24T18:30:00+01:00",
    )
    assert task["description"] == "Ünïcödé ✓ 🚀"
    assert (task["status"], task["priority"]) == ("in-progress", "high")
    assert task["dueDate"] == "2026-12-24T17:30:00.000Z"
    read = await client.get(f"{TASKS}/{task['id']}", headers=alice.auth)
    assert read.json() == {"success": True, "data": task}


@pytest.mark.parametrize("title", [None, "", "   ", "\t\n"])
async def test_create_requires_a_title(
    client: httpx.AsyncClient, alice: Account, title: str | None
) -> None:
    payload = {} if title is None else {"title": title}
    response = await client.post(TASKS, json=payload, headers=alice.auth)
    assert (response.status_code, response.json()) == (
        400,
        {"success": False, "error": "Title is required"},
    )
    assert await titles(client, alice) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "done"}, "Invalid status. Must be one of: pending, in-progress, completed"),
        ({"priority": "urgent"}, "Invalid priority. Must be one of: low, medium, high"),
        ({"dueDate": "next tuesday"}, "Due date must be an ISO 8601 date-time or null"),
        ({"title": "x" * 201}, "Title must be at most 200 characters long"),
        ({"description": "x" * 10_001}, "Description must be at most 10000 characters long"),
    ],
)
async def test_create_refuses_invalid_fields(
    client: httpx.AsyncClient, alice: Account, fields: dict[str, str], message: str
) -> None:
    response = await client.post(TASKS, json={"title": "t", **fields}, headers=alice.auth)
    assert (response.status_code, response.json()) == (400, {"success": False, "error": message})
    assert await titles(client, alice) == []


async def test_list_is_newest_first_and_only_the_callers(
    client: httpx.AsyncClient, alice: Account, bob: Account, clock: FakeClock
) -> None:
    for title in ("first", "second", "third"):
        await create(client, alice, title=title)
        clock.advance(seconds=1)
    await create(client, bob, title="bob's")
    assert await titles(client, alice) == ["third", "second", "first"]
    assert await titles(client, bob) == ["bob's"]
    assert await titles(client, alice, "?sort=createdAt") == ["first", "second", "third"]


async def test_list_filters_by_status_priority_and_search(
    client: httpx.AsyncClient, alice: Account
) -> None:
    await create(client, alice, title="Buy MILK", status="completed", priority="low")
    await create(client, alice, title="Call mom", description="about the Milkshake")
    await create(client, alice, title="Pay rent", status="in-progress", priority="high")
    await create(client, alice, title="100% sure_thing")
    assert await titles(client, alice, "?status=completed") == ["Buy MILK"]
    assert await titles(client, alice, "?status=in-progress") == ["Pay rent"]
    assert await titles(client, alice, "?priority=high") == ["Pay rent"]
    assert await titles(client, alice, "?search=milk") == ["Call mom", "Buy MILK"]
    assert await titles(client, alice, "?search=milk&status=pending") == ["Call mom"]
    assert await titles(client, alice, "?search=%25") == ["100% sure_thing"]
    assert await titles(client, alice, "?search=_") == ["100% sure_thing"]
    assert await titles(client, alice, "?search=nothing") == []


async def test_search_is_case_insensitive_beyond_ascii(
    client: httpx.AsyncClient, alice: Account
) -> None:
    await create(client, alice, title="ÉCOLE maternelle")
    assert await titles(client, alice, "?search=école") == ["ÉCOLE maternelle"]


@pytest.mark.parametrize("title", ["ΟΔΟΣ αθηνών", "İSTANBUL trip"])
async def test_a_title_is_found_by_itself_whatever_its_case_mapping(
    client: httpx.AsyncClient, alice: Account, title: str
) -> None:
    """Final sigma and dotted capital I lower differently in Python and in the database."""
    await create(client, alice, title=title)
    assert await titles(client, alice, f"?search={title.split(maxsplit=1)[0]}") == [title]


async def test_list_pages_with_a_total(client: httpx.AsyncClient, alice: Account) -> None:
    for number in range(5):
        await create(client, alice, title=f"task {number}")
    response = await client.get(f"{TASKS}?limit=2&offset=1&sort=title", headers=alice.auth)
    assert [task["title"] for task in response.json()["data"]] == ["task 1", "task 2"]
    assert response.headers["X-Total-Count"] == "5"
    assert (await client.get(TASKS, headers=alice.auth)).headers["X-Total-Count"] == "5"


async def test_list_sorts_by_priority_and_due_date(
    client: httpx.AsyncClient, alice: Account
) -> None:
    await create(client, alice, title="low", priority="low", dueDate="2026-03-01")
    await create(client, alice, title="high", priority="high", dueDate="2026-01-01")
    await create(client, alice, title="medium", priority="medium", dueDate="2026-02-01")
    assert await titles(client, alice, "?sort=-priority") == ["high", "medium", "low"]
    assert await titles(client, alice, "?sort=dueDate") == ["high", "medium", "low"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=done", "Invalid status. Must be one of: pending, in-progress, completed"),
        ("priority=urgent", "Invalid priority. Must be one of: low, medium, high"),
        ("limit=0", "limit must be an integer from 1 to 1000"),
        ("limit=abc", "limit must be an integer from 1 to 1000"),
        ("offset=-1", "offset must be an integer from 0 to 10000000"),
        (
            "sort=owner",
            "Invalid sort. Must be one of: createdAt, updatedAt, dueDate, title, "
            "priority (prefix - to reverse)",
        ),
        ("search=" + "x" * 201, "Search must be at most 200 characters long"),
        ("search=a%00b", "Search must not contain NUL characters"),
    ],
)
async def test_list_refuses_invalid_queries(
    client: httpx.AsyncClient, alice: Account, query: str, message: str
) -> None:
    response = await client.get(f"{TASKS}?{query}", headers=alice.auth)
    assert (response.status_code, response.json()) == (400, {"success": False, "error": message})


async def test_summary_counts_every_status_and_overdue(
    client: httpx.AsyncClient, alice: Account, bob: Account, clock: FakeClock
) -> None:
    yesterday = (clock.now - timedelta(days=1)).isoformat()
    await create(client, alice, status="completed", dueDate=yesterday)
    await create(client, alice, status="in-progress", dueDate=yesterday)
    await create(client, alice)
    await create(client, bob)
    response = await client.get(f"{TASKS}/summary", headers=alice.auth)
    assert response.json()["data"] == {
        "total": 3,
        "pending": 1,
        "inProgress": 1,
        "completed": 1,
        "overdue": 1,
    }


async def test_update_is_partial(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    task = await create(client, alice, title="Draft", description="keep me", priority="high")
    clock.advance(seconds=5)
    response = await client.put(
        f"{TASKS}/{task['id']}", json={"status": "completed"}, headers=alice.auth
    )
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Task updated successfully"
    updated = body["data"]
    assert updated == {
        **task,
        "status": "completed",
        "updatedAt": clock.now.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }
    cleared = await client.put(
        f"{TASKS}/{task['id']}",
        json={"title": "Final", "description": None, "dueDate": "2027-01-01"},
        headers=alice.auth,
    )
    assert cleared.json()["data"]["title"] == "Final"
    assert cleared.json()["data"]["description"] == ""
    assert cleared.json()["data"]["dueDate"] == "2027-01-01T00:00:00.000Z"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Title is required"),
        ({"title": "   "}, "Title is required"),
        ({"title": None}, "Title is required"),
        ({"status": "archived"}, "Invalid status. Must be one of: pending, in-progress, completed"),
        ({"status": None}, "Invalid status. Must be one of: pending, in-progress, completed"),
        ({"title": 42}, "Title must be a string"),
    ],
)
async def test_update_refuses_invalid_fields_and_changes_nothing(
    client: httpx.AsyncClient, alice: Account, fields: dict[str, Any], message: str
) -> None:
    task = await create(client, alice, title="Keep")
    response = await client.put(f"{TASKS}/{task['id']}", json=fields, headers=alice.auth)
    assert (response.status_code, response.json()) == (400, {"success": False, "error": message})
    assert (await client.get(f"{TASKS}/{task['id']}", headers=alice.auth)).json()["data"] == task


async def test_delete_removes_the_task(client: httpx.AsyncClient, alice: Account) -> None:
    task = await create(client, alice)
    response = await client.delete(f"{TASKS}/{task['id']}", headers=alice.auth)
    assert (response.status_code, response.json()) == (
        200,
        {"success": True, "message": "Task deleted successfully"},
    )
    again = await client.delete(f"{TASKS}/{task['id']}", headers=alice.auth)
    assert (again.status_code, again.json()) == (404, NOT_FOUND)


async def test_another_users_task_is_not_found_and_untouched(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    task = await create(client, alice, title="Private")
    url = f"{TASKS}/{task['id']}"
    for response in (
        await client.get(url, headers=bob.auth),
        await client.put(url, json={"title": "Mine now"}, headers=bob.auth),
        await client.delete(url, headers=bob.auth),
    ):
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert (await client.get(url, headers=alice.auth)).json()["data"] == task


async def test_unknown_and_malformed_ids(client: httpx.AsyncClient, alice: Account) -> None:
    unknown = await client.get(f"{TASKS}/01a2222b-1d24-7372-bf20-bd2e457b0fe0", headers=alice.auth)
    assert (unknown.status_code, unknown.json()) == (404, NOT_FOUND)
    for method in ("GET", "PUT", "DELETE"):
        response = await client.request(method, f"{TASKS}/42", json={}, headers=alice.auth)
        assert (response.status_code, response.json()) == (
            400,
            {"success": False, "error": "Invalid task id"},
        )


async def test_tasks_need_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get(TASKS)
    assert (response.status_code, response.json()) == (
        401,
        {"success": False, "error": "No token provided. Access denied."},
    )


async def test_unversioned_tasks_api_is_v1(client: httpx.AsyncClient, alice: Account) -> None:
    created = await client.post("/api/tasks", json={"title": "old client"}, headers=alice.auth)
    assert created.status_code == 201
    assert await titles(client, alice) == ["old client"]
