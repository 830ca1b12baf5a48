"""Deleting an account: its sessions end, its Inbox and the projects it alone owns go, and it
leaves the others, where its tasks stay, unassigned."""

from __future__ import annotations

import httpx

from tests.api.v2.answers import problem_of
from tests.api.v2.projects import MERGE, PROJECTS, TASKS, join, new_project, new_task
from tests.conftest import Account, register

PROFILE = "/api/v2/auth/profile"


async def test_a_deleted_account_leaves_shared_work_behind(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    carol = await register(client, "carol@example.com")
    alone = await new_project(client, alice, "Alone")
    await join(client, alice, alone["id"], bob, "editor")
    co_owned = await new_project(client, alice, "Co-owned")
    await join(client, alice, co_owned["id"], carol, "owner")
    theirs = await new_project(client, bob, "Theirs")
    await join(client, bob, theirs["id"], alice, "editor")
    inbox_task = await new_task(client, alice)
    authored = await new_task(client, alice, projectId=theirs["id"], assigneeId=alice.id)

    wrong = await client.request("DELETE", PROFILE, json={"password": "not it"}, headers=alice.auth)
    problem_of(wrong, 400, "invalid-request")
    assert (await client.get(f"{TASKS}/{inbox_task['id']}", headers=alice.auth)).status_code == 200

    deleted = await client.request(
        "DELETE", PROFILE, json={"password": alice.password}, headers=alice.auth
    )
    assert deleted.status_code == 204
    assert "Max-Age=0" in deleted.headers["set-cookie"]
    problem_of(await client.get(PROFILE, headers=alice.auth), 401, "unauthorized")

    problem_of(await client.get(f"{PROJECTS}/{alone['id']}", headers=bob.auth), 404, "not-found")
    assert (await client.get(f"{PROJECTS}/{co_owned['id']}", headers=carol.auth)).status_code == 200
    members = await client.get(f"{PROJECTS}/{theirs['id']}/members", headers=bob.auth)
    assert [m["email"] for m in members.json()["items"]] == [bob.email]
    kept = await client.get(f"{TASKS}/{authored['id']}", headers=bob.auth)
    assert (kept.json()["title"], kept.json()["assigneeId"]) == (authored["title"], None)
    v1 = await client.get(f"/api/v1/tasks/{authored['id']}", headers=bob.auth)
    assert (
        v1.json()["data"]["userId"] == bob.id
    )  # v1 names someone: the caller, once the author is gone
    rename = await client.patch(
        f"{PROJECTS}/{co_owned['id']}", json={"name": "Carol's"}, headers=carol.auth | MERGE
    )
    assert rename.status_code == 200


async def test_the_email_is_free_again(client: httpx.AsyncClient, alice: Account) -> None:
    await client.request("DELETE", PROFILE, json={"password": alice.password}, headers=alice.auth)
    again = await register(client, alice.email)
    projects = await client.get(PROJECTS, headers=again.auth)
    assert [p["id"] for p in projects.json()["items"]] == [again.id]
