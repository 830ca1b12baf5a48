"""Every committed change others must learn of leaves its event in the outbox, in the same
transaction, with its payload as API v2 shows it; a change that fails leaves none."""

from __future__ import annotations

import httpx

from taskmaster.runtime import Runtime
from tests.api.v2.projects import MERGE, PROJECTS, TASKS, join, new_project, new_task
from tests.conftest import Account
from tests.events.outbox import last_id, written


async def test_task_writes_leave_the_task_as_v2_shows_it(
    client: httpx.AsyncClient, runtime: Runtime, alice: Account
) -> None:
    before = await last_id(runtime)
    created = await new_task(client, alice, title="Ünïcode ✓", dueDate="2026-12-24T18:00:00Z")
    changed = await client.patch(
        f"{TASKS}/{created['id']}", json={"status": "completed"}, headers=alice.auth | MERGE
    )
    deleted = await client.delete(f"{TASKS}/{created['id']}", headers=alice.auth)
    assert deleted.status_code == 204

    events = await written(runtime, after=before)
    assert [e.topic for e in events] == ["task:created", "task:updated", "task:deleted"]
    assert {e.project_id for e in events} == {alice.id}
    assert events[0].payload == created
    assert events[1].payload == changed.json()
    assert events[2].payload == {
        "id": created["id"],
        "revision": changed.json()["revision"] + 1,
        "projectId": alice.id,
    }


async def test_a_move_leaves_one_project_and_enters_the_other(
    client: httpx.AsyncClient, runtime: Runtime, alice: Account
) -> None:
    project = await new_project(client, alice)
    task = await new_task(client, alice)
    before = await last_id(runtime)
    moved = await client.patch(
        f"{TASKS}/{task['id']}", json={"projectId": project["id"]}, headers=alice.auth | MERGE
    )
    assert moved.status_code == 200, moved.text

    events = {e.topic: e for e in await written(runtime, after=before)}
    assert events.keys() == {"task:deleted", "task:updated"}
    assert events["task:deleted"].project_id == alice.id
    assert events["task:deleted"].payload["id"] == task["id"]
    assert events["task:updated"].project_id == project["id"]
    assert events["task:updated"].payload == moved.json()


async def test_a_refused_write_leaves_nothing(
    client: httpx.AsyncClient, runtime: Runtime, alice: Account, bob: Account
) -> None:
    task = await new_task(client, alice)
    before = await last_id(runtime)
    foreign = await client.patch(
        f"{TASKS}/{task['id']}", json={"title": "mine"}, headers=bob.auth | MERGE
    )
    assert foreign.status_code == 404
    stale = await client.patch(
        f"{TASKS}/{task['id']}",
        json={"title": "late"},
        headers=alice.auth | MERGE | {"If-Match": '"999"'},
    )
    assert stale.status_code == 412
    assert await written(runtime, after=before) == []


async def test_project_and_member_changes_reach_the_project_and_the_member(
    client: httpx.AsyncClient, runtime: Runtime, alice: Account, bob: Account
) -> None:
    project = await new_project(client, alice)
    before = await last_id(runtime)
    await join(client, alice, project["id"], bob, "viewer")
    renamed = await client.patch(
        f"{PROJECTS}/{project['id']}", json={"name": "Lift-off"}, headers=alice.auth | MERGE
    )
    promoted = await client.patch(
        f"{PROJECTS}/{project['id']}/members/{bob.id}",
        json={"role": "editor"},
        headers=alice.auth,
    )
    assert promoted.status_code == 200, promoted.text
    removed = await client.delete(
        f"{PROJECTS}/{project['id']}/members/{bob.id}", headers=alice.auth
    )
    assert removed.status_code == 204

    events = await written(runtime, after=before)
    assert [e.topic for e in events] == [
        "member:added",
        "project:updated",
        "member:updated",
        "member:removed",
    ]
    assert {e.project_id for e in events} == {project["id"]}
    assert [e.user_id for e in events] == [bob.id, None, bob.id, bob.id]
    assert events[0].payload["role"] == "viewer"
    assert events[2].payload == promoted.json() | {"projectId": project["id"]}
    without_role = {k: v for k, v in renamed.json().items() if k != "role"}
    assert events[1].payload == without_role


async def test_an_ended_session_is_an_event_for_its_user(
    client: httpx.AsyncClient, runtime: Runtime, alice: Account
) -> None:
    before = await last_id(runtime)
    listed = await client.get("/api/v2/auth/sessions", headers=alice.auth)
    assert listed.status_code == 200, listed.text
    sessions = listed.json()["items"]
    ended = await client.delete(f"/api/v2/auth/sessions/{sessions[0]['id']}", headers=alice.auth)
    assert ended.status_code == 204, ended.text
    [event] = await written(runtime, after=before)
    assert (event.topic, event.user_id) == ("session:ended", alice.id)
    assert event.payload == {"sessionId": sessions[0]["id"], "reason": "ended"}
