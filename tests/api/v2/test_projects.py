"""v2 projects over HTTP: the Inbox, create, list, change, archive, delete; members and roles."""

from __future__ import annotations

import httpx
import pytest

from tests.api.v2.answers import pointers, problem_of
from tests.api.v2.projects import MERGE, PROJECTS, TASKS, join, new_project, new_task
from tests.conftest import Account, register


async def test_every_account_has_its_inbox_first(client: httpx.AsyncClient, alice: Account) -> None:
    await new_project(client, alice, "Launch")
    listed = await client.get(PROJECTS, headers=alice.auth)
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert [(p["name"], p["inbox"], p["role"]) for p in items] == [
        ("Inbox", True, "owner"),
        ("Launch", False, "owner"),
    ]
    assert items[0]["id"] == alice.id  # an Inbox has its account's id
    assert listed.json()["nextCursor"] is None


async def test_a_created_project_is_the_body_with_its_etag(
    client: httpx.AsyncClient, alice: Account
) -> None:
    response = await client.post(
        PROJECTS,
        json={"name": "  Garden  ", "color": "#22AA55", "description": "Spring"},
        headers=alice.auth,
    )
    assert response.status_code == 201
    body = response.json()
    assert {
        k: body[k] for k in ("name", "color", "description", "archived", "role", "version")
    } == {
        "name": "Garden",
        "color": "#22aa55",
        "description": "Spring",
        "archived": False,
        "role": "owner",
        "version": 1,
    }
    assert response.headers["etag"] == '"1"'
    fetched = await client.get(f"{PROJECTS}/{body['id']}", headers=alice.auth)
    assert fetched.json() == body


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({}, "#/name"),
        ({"name": "   "}, "#/name"),
        ({"name": "x" * 101}, "#/name"),
        ({"name": 5}, "#/name"),
        ({"name": "ok", "color": "red"}, "#/color"),
        ({"name": "ok", "color": "#12345"}, "#/color"),
        ({"name": "nul\x00"}, "#/name"),
        ({"name": "ok", "owner": "me"}, "#/owner"),
    ],
)
async def test_a_bad_project_is_refused_pointing_at_the_member(
    client: httpx.AsyncClient, alice: Account, body: dict[str, object], pointer: str
) -> None:
    response = await client.post(PROJECTS, json=body, headers=alice.auth)
    assert pointers(response) == [pointer]
    assert len((await client.get(PROJECTS, headers=alice.auth)).json()["items"]) == 1


async def test_unicode_names_are_kept_as_written(client: httpx.AsyncClient, alice: Account) -> None:
    project = await new_project(client, alice, "Maison 🏡 Ærø")
    assert project["name"] == "Maison 🏡 Ærø"


async def test_a_merge_patch_renames_recolours_and_archives(
    client: httpx.AsyncClient, alice: Account
) -> None:
    project = await new_project(client, alice)
    url = f"{PROJECTS}/{project['id']}"
    changed = await client.patch(
        url,
        json={"name": "Renamed", "color": "#000000", "archived": True},
        headers=alice.auth | MERGE | {"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["name"], changed.json()["archived"], changed.json()["version"]) == (
        "Renamed",
        True,
        2,
    )
    stale = await client.patch(
        url, json={"name": "Again"}, headers=alice.auth | MERGE | {"If-Match": '"1"'}
    )
    problem_of(stale, 412, "precondition-failed")
    active = await client.get(PROJECTS, params={"archived": "false"}, headers=alice.auth)
    assert [p["name"] for p in active.json()["items"]] == ["Inbox"]
    archived = await client.get(PROJECTS, params={"archived": "true"}, headers=alice.auth)
    assert [p["name"] for p in archived.json()["items"]] == ["Renamed"]


async def test_a_patch_that_changes_nothing_keeps_the_version(
    client: httpx.AsyncClient, alice: Account
) -> None:
    project = await new_project(client, alice, "Same")
    again = await client.patch(
        f"{PROJECTS}/{project['id']}", json={"name": "Same"}, headers=alice.auth | MERGE
    )
    assert again.json()["version"] == 1


async def test_the_inbox_is_never_archived_deleted_shared_or_left(
    client: httpx.AsyncClient, alice: Account
) -> None:
    inbox = f"{PROJECTS}/{alice.id}"
    archive = await client.patch(inbox, json={"archived": True}, headers=alice.auth | MERGE)
    problem_of(archive, 409, "conflict")
    problem_of(await client.delete(inbox, headers=alice.auth), 409, "conflict")
    invite = await client.post(
        f"{inbox}/invitations", json={"email": "b@example.com"}, headers=alice.auth
    )
    problem_of(invite, 409, "conflict")
    leave = await client.delete(f"{inbox}/members/{alice.id}", headers=alice.auth)
    problem_of(leave, 409, "conflict")
    renamed = await client.patch(inbox, json={"name": "Todo"}, headers=alice.auth | MERGE)
    assert renamed.json()["name"] == "Todo"


async def test_deleting_a_project_deletes_its_tasks(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    project = await new_project(client, alice)
    await join(client, alice, project["id"], bob, "editor")
    task = await new_task(client, bob, projectId=project["id"])
    kept = await new_task(client, bob)
    deleted = await client.delete(f"{PROJECTS}/{project['id']}", headers=alice.auth)
    assert deleted.status_code == 204
    problem_of(await client.get(f"{TASKS}/{task['id']}", headers=bob.auth), 404, "not-found")
    listed = await client.get(TASKS, headers=bob.auth)
    assert [t["id"] for t in listed.json()["items"]] == [kept["id"]]
    problem_of(await client.get(f"{PROJECTS}/{project['id']}", headers=bob.auth), 404, "not-found")


async def test_projects_page_by_cursor(client: httpx.AsyncClient, alice: Account) -> None:
    for name in ("One", "Two", "Three"):
        await new_project(client, alice, name)
    names, cursor = [], None
    while True:
        params = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = (await client.get(PROJECTS, params=params, headers=alice.auth)).json()
        names += [p["name"] for p in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert names == ["Inbox", "One", "Two", "Three"]
    forged = await client.get(PROJECTS, params={"cursor": cursor or "abc"}, headers=alice.auth)
    problem_of(forged, 400, "invalid-cursor")


async def test_members_are_listed_in_the_order_they_joined(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    project = await new_project(client, alice)
    await join(client, alice, project["id"], bob, "viewer")
    members = await client.get(f"{PROJECTS}/{project['id']}/members", headers=bob.auth)
    assert [(m["email"], m["role"]) for m in members.json()["items"]] == [
        ("alice@example.com", "owner"),
        ("bob@example.com", "viewer"),
    ]


async def test_a_project_always_keeps_an_owner(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    project = await new_project(client, alice)
    members = f"{PROJECTS}/{project['id']}/members"
    demote = await client.patch(
        f"{members}/{alice.id}", json={"role": "editor"}, headers=alice.auth
    )
    problem_of(demote, 409, "conflict")
    problem_of(await client.delete(f"{members}/{alice.id}", headers=alice.auth), 409, "conflict")
    await join(client, alice, project["id"], bob, "editor")
    promoted = await client.patch(f"{members}/{bob.id}", json={"role": "owner"}, headers=alice.auth)
    assert promoted.json()["role"] == "owner"
    left = await client.delete(f"{members}/{alice.id}", headers=alice.auth)
    assert left.status_code == 204
    problem_of(
        await client.get(f"{PROJECTS}/{project['id']}", headers=alice.auth), 404, "not-found"
    )
    remaining = await client.get(members, headers=bob.auth)
    assert [(m["email"], m["role"]) for m in remaining.json()["items"]] == [
        ("bob@example.com", "owner")
    ]


async def test_a_removed_member_is_unassigned_and_sees_nothing_more(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    project = await new_project(client, alice)
    await join(client, alice, project["id"], bob, "editor")
    task = await new_task(client, alice, projectId=project["id"], assigneeId=bob.id)
    assert task["assigneeId"] == bob.id
    removed = await client.delete(
        f"{PROJECTS}/{project['id']}/members/{bob.id}", headers=alice.auth
    )
    assert removed.status_code == 204
    now = await client.get(f"{TASKS}/{task['id']}", headers=alice.auth)
    assert now.json()["assigneeId"] is None
    assert now.json()["revision"] > task["revision"]
    problem_of(await client.get(f"{TASKS}/{task['id']}", headers=bob.auth), 404, "not-found")
    unknown = await client.delete(
        f"{PROJECTS}/{project['id']}/members/{bob.id}", headers=alice.auth
    )
    problem_of(unknown, 404, "not-found")


@pytest.mark.parametrize("role", ["boss", "", None, 1])
async def test_an_unknown_role_is_refused(
    client: httpx.AsyncClient, alice: Account, bob: Account, role: object
) -> None:
    project = await new_project(client, alice)
    await join(client, alice, project["id"], bob, "viewer")
    changed = await client.patch(
        f"{PROJECTS}/{project['id']}/members/{bob.id}", json={"role": role}, headers=alice.auth
    )
    assert pointers(changed) == ["#/role"]


async def test_ids_that_are_not_uuids_are_refused(
    client: httpx.AsyncClient, alice: Account
) -> None:
    response = await client.get(f"{PROJECTS}/not-a-uuid", headers=alice.auth)
    problem_of(response, 400, "invalid-request")


async def test_a_new_account_is_a_member_of_its_inbox_only(client: httpx.AsyncClient) -> None:
    carol = await register(client, "carol@example.com")
    listed = await client.get(PROJECTS, headers=carol.auth)
    assert [p["id"] for p in listed.json()["items"]] == [carol.id]
