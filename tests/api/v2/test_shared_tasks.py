"""Tasks in shared projects over HTTP: where they are made, moved and assigned, how they are
filtered, and how the delta query follows them across projects."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.api.v2.answers import pointers, problem_of
from tests.api.v2.projects import MERGE, PROJECTS, TASKS, join, new_project, new_task
from tests.conftest import Account, register


@pytest.fixture
async def carol(client: httpx.AsyncClient) -> Account:
    return await register(client, "carol@example.com")


async def _ids(client: httpx.AsyncClient, account: Account, **params: str) -> list[str]:
    response = await client.get(TASKS, params=params, headers=account.auth)
    assert response.status_code == 200, response.text
    return [task["id"] for task in response.json()["items"]]


async def test_a_task_goes_to_the_inbox_unless_a_project_is_named(
    client: httpx.AsyncClient, alice: Account
) -> None:
    project = await new_project(client, alice)
    in_inbox = await new_task(client, alice)
    in_project = await new_task(client, alice, projectId=project["id"])
    assert (in_inbox["projectId"], in_project["projectId"]) == (alice.id, project["id"])
    assert await _ids(client, alice, projectId=project["id"]) == [in_project["id"]]
    assert await _ids(client, alice) == [in_project["id"], in_inbox["id"]]


async def test_members_see_and_write_each_others_tasks_by_role(
    client: httpx.AsyncClient, alice: Account, bob: Account, carol: Account
) -> None:
    project = await new_project(client, alice)
    await join(client, alice, project["id"], bob, "editor")
    await join(client, alice, project["id"], carol, "viewer")
    task = await new_task(client, bob, projectId=project["id"], title="Bob's")
    assert await _ids(client, alice) == [task["id"]]
    assert await _ids(client, carol) == [task["id"]]
    changed = await client.patch(
        f"{TASKS}/{task['id']}", json={"status": "completed"}, headers=alice.auth | MERGE
    )
    assert changed.status_code == 200
    refused = await client.patch(
        f"{TASKS}/{task['id']}", json={"status": "pending"}, headers=carol.auth | MERGE
    )
    problem_of(refused, 403, "forbidden")
    unchanged = await client.get(f"{TASKS}/{task['id']}", headers=carol.auth)
    assert unchanged.json()["status"] == "completed"


async def test_only_members_are_assigned(
    client: httpx.AsyncClient, alice: Account, bob: Account, carol: Account
) -> None:
    project = await new_project(client, alice)
    await join(client, alice, project["id"], bob, "viewer")
    task = await new_task(client, alice, projectId=project["id"], assigneeId=bob.id)
    assert task["assigneeId"] == bob.id
    outsider = await client.post(
        TASKS,
        json={"title": "x", "projectId": project["id"], "assigneeId": carol.id},
        headers=alice.auth,
    )
    problem_of(outsider, 409, "conflict")
    patched = await client.patch(
        f"{TASKS}/{task['id']}", json={"assigneeId": carol.id}, headers=alice.auth | MERGE
    )
    problem_of(patched, 409, "conflict")
    assert (await client.get(f"{TASKS}/{task['id']}", headers=alice.auth)).json() == task
    unassigned = await client.patch(
        f"{TASKS}/{task['id']}", json={"assigneeId": None}, headers=alice.auth | MERGE
    )
    assert unassigned.json()["assigneeId"] is None
    assert await _ids(client, alice, projectId=project["id"]) == [task["id"]]


async def test_assigned_to_me_spans_projects(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    first = await new_project(client, alice, "First")
    second = await new_project(client, bob, "Second")
    await join(client, alice, first["id"], bob, "editor")
    await join(client, bob, second["id"], alice, "editor")
    mine_there = await new_task(client, alice, projectId=first["id"], assigneeId=bob.id)
    mine_here = await new_task(client, bob, projectId=second["id"], assigneeId=bob.id)
    await new_task(client, bob, projectId=second["id"], assigneeId=alice.id)
    await new_task(client, bob, projectId=second["id"])
    assert await _ids(client, bob, assigneeId="me") == [mine_here["id"], mine_there["id"]]
    assert await _ids(client, alice, assigneeId=bob.id) == [mine_here["id"], mine_there["id"]]
    counts = await client.get(f"{TASKS}/summary", params={"assigneeId": "me"}, headers=bob.auth)
    assert counts.json()["total"] == 2
    project_counts = await client.get(
        f"{TASKS}/summary", params={"projectId": second["id"]}, headers=alice.auth
    )
    assert project_counts.json()["total"] == 3


@pytest.mark.parametrize(
    ("params", "parameter"),
    [({"projectId": "nope"}, "projectId"), ({"assigneeId": "you"}, "assigneeId")],
)
async def test_bad_filters_are_refused(
    client: httpx.AsyncClient, alice: Account, params: dict[str, str], parameter: str
) -> None:
    response = await client.get(TASKS, params=params, headers=alice.auth)
    [error] = problem_of(response, 400, "invalid-request")["errors"]
    assert error["parameter"] == parameter


async def test_a_task_moves_only_where_the_caller_may_write(
    client: httpx.AsyncClient, alice: Account, bob: Account, carol: Account
) -> None:
    mine = await new_project(client, alice, "Mine")
    theirs = await new_project(client, bob, "Theirs")
    strangers = await new_project(client, carol, "Strangers")
    await join(client, bob, theirs["id"], alice, "viewer")
    task = await new_task(client, alice, projectId=mine["id"])
    url = f"{TASKS}/{task['id']}"
    viewer = await client.patch(url, json={"projectId": theirs["id"]}, headers=alice.auth | MERGE)
    problem_of(viewer, 403, "forbidden")
    stranger = await client.patch(
        url, json={"projectId": strangers["id"]}, headers=alice.auth | MERGE
    )
    problem_of(stranger, 404, "not-found")
    assert pointers(
        await client.patch(url, json={"projectId": None}, headers=alice.auth | MERGE)
    ) == ["#/projectId"]
    moved = await client.patch(url, json={"projectId": alice.id}, headers=alice.auth | MERGE)
    assert moved.json()["projectId"] == alice.id
    assert await _ids(client, alice, projectId=mine["id"]) == []


async def test_a_moved_task_keeps_its_assignee_only_where_a_member(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    shared = await new_project(client, alice, "Shared")
    other = await new_project(client, alice, "Other")
    await join(client, alice, shared["id"], bob, "editor")
    task = await new_task(client, alice, projectId=shared["id"], assigneeId=bob.id)
    moved = await client.patch(
        f"{TASKS}/{task['id']}", json={"projectId": other["id"]}, headers=alice.auth | MERGE
    )
    assert (moved.json()["projectId"], moved.json()["assigneeId"]) == (other["id"], None)
    back = await client.patch(
        f"{TASKS}/{task['id']}",
        json={"projectId": shared["id"], "assigneeId": bob.id},
        headers=alice.auth | MERGE,
    )
    assert (back.json()["projectId"], back.json()["assigneeId"]) == (shared["id"], bob.id)


async def _sync(
    client: httpx.AsyncClient, account: Account, cursor: str | None
) -> tuple[list[dict[str, Any]], list[str], str]:
    """Every change after `cursor`, page by page, the projects lost, and the cursor after."""
    items: list[dict[str, Any]] = []
    removed: list[str] = []
    while True:
        params = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        response = await client.get(f"{TASKS}/changes", params=params, headers=account.auth)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        removed += page["removedProjects"]
        cursor = page["nextCursor"]
        if not page["hasMore"]:
            assert cursor is not None
            return items, removed, cursor


def _replayed(copy: dict[str, dict[str, Any]], items: list[dict[str, Any]]) -> None:
    """Apply changes as a client does: a deletion drops a copy still in that project."""
    for item in items:
        if item["op"] == "upsert":
            copy[item["task"]["id"]] = item["task"]
        elif copy.get(item["id"], {}).get("projectId") == item["projectId"]:
            del copy[item["id"]]


async def test_the_delta_query_follows_tasks_across_projects(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    shared = await new_project(client, alice, "Shared")
    await join(client, alice, shared["id"], bob, "editor")
    inbox_task = await new_task(client, bob)
    shared_task = await new_task(client, alice, projectId=shared["id"])
    items, removed, cursor = await _sync(client, bob, None)
    copy: dict[str, dict[str, Any]] = {}
    _replayed(copy, items)
    assert set(copy) == {inbox_task["id"], shared_task["id"]}
    assert removed == []

    moved = await client.patch(
        f"{TASKS}/{inbox_task['id']}", json={"projectId": shared["id"]}, headers=bob.auth | MERGE
    )
    gone = await new_task(client, alice, projectId=shared["id"])
    await client.delete(f"{TASKS}/{gone['id']}", headers=alice.auth)
    items, removed, cursor = await _sync(client, bob, cursor)
    _replayed(copy, items)
    assert copy[inbox_task["id"]] == moved.json()
    assert gone["id"] not in copy
    assert {(i["op"], i.get("projectId")) for i in items if i.get("id") == inbox_task["id"]} == {
        ("delete", bob.id)
    }

    left = await client.delete(f"{PROJECTS}/{shared['id']}/members/{bob.id}", headers=bob.auth)
    assert left.status_code == 204
    items, removed, cursor = await _sync(client, bob, cursor)
    assert removed == [shared["id"]]
    nothing, removed, _ = await _sync(client, bob, cursor)
    assert (nothing, removed) == ([], [])


@pytest.mark.parametrize("sort", ["-createdAt", "title", "-priority,dueDate"])
async def test_pages_across_projects_hold_every_task_once_in_order(
    client: httpx.AsyncClient, alice: Account, bob: Account, sort: str
) -> None:
    theirs = await new_project(client, bob, "Theirs")
    await join(client, bob, theirs["id"], alice, "viewer")
    mine = await new_project(client, alice, "Mine")
    priorities = ["low", "high", "medium"]
    for n in range(9):
        where = [alice.id, mine["id"], theirs["id"]][n % 3]
        author = bob if where == theirs["id"] else alice
        await new_task(
            client, author, projectId=where, title=f"Task {(n * 7) % 9}", priority=priorities[n % 3]
        )
    whole = await _ids(client, alice, sort=sort, limit="100")
    assert len(whole) == 9
    paged, cursor = [], None
    while True:
        params = {"sort": sort, "limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = (await client.get(TASKS, params=params, headers=alice.auth)).json()
        paged += [task["id"] for task in page["items"]]
        if (cursor := page["nextCursor"]) is None:
            break
    assert paged == whole
    v1_sort = sort.split(",", maxsplit=1)[0]

    async def v1_page(limit: int, offset: int) -> list[str]:
        params = {"sort": v1_sort, "limit": str(limit), "offset": str(offset)}
        answer = await client.get("/api/v1/tasks", params=params, headers=alice.auth)
        return [task["id"] for task in answer.json()["data"]]

    v1_whole = await v1_page(100, 0)
    assert sorted(v1_whole) == sorted(whole)
    assert [i for offset in range(0, 9, 4) for i in await v1_page(4, offset)] == v1_whole


async def _move(
    client: httpx.AsyncClient, account: Account, task_id: str, project_id: str
) -> httpx.Response:
    return await client.patch(
        f"{TASKS}/{task_id}", json={"projectId": project_id}, headers=account.auth | MERGE
    )


async def test_a_moved_task_s_revision_only_grows(
    client: httpx.AsyncClient, alice: Account
) -> None:
    """Into a project whose clock is behind the task's revision, the revision still grows:
    a changed task never keeps its ETag, and clients may take the higher revision as newer."""
    task = await new_task(client, alice)
    for title in ("One", "Two", "Three"):
        changed = await client.patch(
            f"{TASKS}/{task['id']}", json={"title": title}, headers=alice.auth | MERGE
        )
        assert changed.status_code == 200
    before = (await client.get(f"{TASKS}/{task['id']}", headers=alice.auth)).json()["revision"]
    fresh = await new_project(client, alice)  # its clock starts at zero
    moved = await _move(client, alice, task["id"], fresh["id"])
    assert moved.status_code == 200, moved.text
    assert moved.json()["revision"] > before
    assert moved.headers["etag"] != f'"{before}"'
    back = await _move(client, alice, task["id"], alice.id)
    assert back.json()["revision"] > moved.json()["revision"]


async def test_moves_that_cross_each_other_all_succeed(
    client: httpx.AsyncClient, alice: Account
) -> None:
    """A move ticks both projects' clocks. Moves A→B and B→A at once lock them in one order
    (PostgreSQL would otherwise abort one of the two as a deadlock)."""
    a, b = [(await new_project(client, alice, name))["id"] for name in ("A", "B")]
    for _ in range(20):
        x = await new_task(client, alice, projectId=a)
        y = await new_task(client, alice, projectId=b)
        moves = await asyncio.gather(
            _move(client, alice, x["id"], b), _move(client, alice, y["id"], a)
        )
        assert [move.status_code for move in moves] == [200, 200], [m.text for m in moves]
    assert len(await _ids(client, alice, projectId=a)) == 20
    assert len(await _ids(client, alice, projectId=b)) == 20
