"""Task reads through the read cache over HTTP: kept as bytes, revalidated by ETag, and never
older than a write acknowledged before the read began, on one API instance or two."""

from __future__ import annotations

import httpx

from taskmaster.runtime import Runtime
from tests.api.v2.projects import MERGE, TASKS, join, new_project, new_task
from tests.conftest import Account


def _hits(runtime: Runtime) -> int:
    assert runtime.reads is not None
    return runtime.reads.counts.hits


async def test_a_list_is_sent_again_as_the_same_bytes(
    client: httpx.AsyncClient, runtime: Runtime, alice: Account
) -> None:
    await new_task(client, alice, title="Kept")
    for path in ("/api/v1/tasks?sort=title", "/api/v2/tasks?limit=5", "/api/v2/tasks/summary"):
        first = await client.get(path, headers=alice.auth)
        hits = _hits(runtime)
        again = await client.get(path, headers=alice.auth)
        assert first.status_code == again.status_code == 200
        assert again.content == first.content
        assert again.headers.get("x-total-count") == first.headers.get("x-total-count")
        assert _hits(runtime) == hits + 1


async def test_a_member_s_write_is_seen_by_every_member_at_once(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    project = await new_project(client, alice)
    await join(client, alice, project["id"], bob, "editor")
    views = [TASKS, f"{TASKS}?projectId={project['id']}", f"{TASKS}/summary", "/api/v1/tasks"]
    for view in views:  # cached now, for both
        for member in (alice, bob):
            assert (await client.get(view, headers=member.auth)).status_code == 200
    made = await new_task(client, bob, projectId=project["id"], title="Bob's")
    for view in views:
        answer = await client.get(view, headers=alice.auth)
        assert "Bob's" in answer.text or '"total":1' in answer.text, (view, answer.text)
    single = await client.get(f"{TASKS}/{made['id']}", headers=alice.auth)
    changed = await client.patch(
        f"{TASKS}/{made['id']}", json={"title": "Renamed"}, headers=bob.auth | MERGE
    )
    assert changed.status_code == 200
    again = await client.get(f"{TASKS}/{made['id']}", headers=alice.auth)
    assert (single.json()["title"], again.json()["title"]) == ("Bob's", "Renamed")
    assert again.headers["etag"] == changed.headers["etag"]


async def test_a_removed_member_no_longer_reads_the_project(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    project = await new_project(client, alice)
    await join(client, alice, project["id"], bob, "viewer")
    await new_task(client, alice, projectId=project["id"])
    listed = f"{TASKS}?projectId={project['id']}"
    assert len((await client.get(listed, headers=bob.auth)).json()["items"]) == 1
    removed = await client.delete(
        f"/api/v2/projects/{project['id']}/members/{bob.id}", headers=alice.auth
    )
    assert removed.status_code == 204
    assert (await client.get(listed, headers=bob.auth)).status_code == 404
    assert (await client.get(TASKS, headers=bob.auth)).json()["items"] == []


async def test_if_none_match_answers_304_until_a_write(
    client: httpx.AsyncClient, alice: Account
) -> None:
    task = await new_task(client, alice)
    for path in (TASKS, f"{TASKS}/summary", f"{TASKS}/{task['id']}"):
        first = await client.get(path, headers=alice.auth)
        etag = first.headers["etag"]
        unchanged = await client.get(path, headers=alice.auth | {"If-None-Match": etag})
        assert (unchanged.status_code, unchanged.content) == (304, b"")
        assert unchanged.headers["etag"] == etag
    list_etag = (await client.get(TASKS, headers=alice.auth)).headers["etag"]
    assert list_etag.startswith('W/"')
    await client.patch(f"{TASKS}/{task['id']}", json={"title": "New"}, headers=alice.auth | MERGE)
    changed = await client.get(TASKS, headers=alice.auth | {"If-None-Match": list_etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != list_etag
    assert changed.json()["items"][0]["title"] == "New"


async def test_the_counts_are_a_health_detail(client: httpx.AsyncClient, alice: Account) -> None:
    await client.get(TASKS, headers=alice.auth)
    await client.get(TASKS, headers=alice.auth)
    counts = (await client.get("/health/cache")).json()["data"]
    assert (counts["misses"], counts["hits"], counts["breaker"]) == (1, 1, "closed")
    assert {"errors", "fallbacks", "stampedesAvoided", "unsentBumps"} <= counts.keys()
