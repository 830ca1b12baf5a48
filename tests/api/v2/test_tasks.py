"""v2 tasks over HTTP: bodies without envelope, problems, merge patches, ETags, cursors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from taskmaster.runtime import Runtime
from tests.api.v2.answers import problem_of
from tests.conftest import Account, FakeClock

TASKS = "/api/v2/tasks"
MERGE = {"Content-Type": "application/merge-patch+json"}


async def create(client: httpx.AsyncClient, owner: Account, **fields: Any) -> dict[str, Any]:
    response = await client.post(TASKS, json={"title": "A task", **fields}, headers=owner.auth)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def etag(task: dict[str, Any]) -> str:
    return f'"{task["revision"]}"'


async def test_a_created_task_is_the_body_with_its_etag_and_location(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    response = await client.post(
        TASKS,
        json={"title": "  Ship v2 ", "dueDate": "2026-12-24T18:00:00+01:00", "priority": "high"},
        headers=alice.auth,
    )
    assert response.status_code == 201
    body = response.json()
    stamp = clock.now.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert body == {
        "id": body["id"],
        "title": "Ship v2",
        "description": "",
        "status": "pending",
        "priority": "high",
        "dueDate": "2026-12-24T17:00:00.000Z",
        "createdAt": stamp,
        "updatedAt": stamp,
        "revision": 1,
        "projectId": alice.id,  # the caller's Inbox
        "assigneeId": None,
    }
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"{TASKS}/{body['id']}"
    fetched = await client.get(response.headers["location"], headers=alice.auth)
    assert (fetched.json(), fetched.headers["etag"]) == (body, '"1"')


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({}, "#/title"),
        ({"title": "   "}, "#/title"),
        ({"title": "x" * 201}, "#/title"),
        ({"title": 5}, "#/title"),
        ({"title": "ok", "status": "done"}, "#/status"),
        ({"title": "ok", "priority": None}, "#/priority"),
        ({"title": "ok", "dueDate": "2026-12-24T18:00:00"}, "#/dueDate"),  # no offset
        ({"title": "ok", "dueDate": 1767225600}, "#/dueDate"),
        ({"title": "ok", "description": "nul \x00 byte"}, "#/description"),
        ({"title": "ok", "owner": "someone else"}, "#/owner"),
        ({"title": "ok", "due_date": None}, "#/due_date"),
    ],
)
async def test_an_invalid_member_is_named_by_its_pointer(
    client: httpx.AsyncClient, alice: Account, body: dict[str, Any], pointer: str
) -> None:
    problem = problem_of(
        await client.post(TASKS, json=body, headers=alice.auth), 400, "invalid-request"
    )
    assert [error["pointer"] for error in problem["errors"]] == [pointer]


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("9999-12-31T23:59:59-05:00", "9999-12-31T23:59:59.999Z"),  # year 10000 in UTC
        ("0001-01-01T00:00:00+01:00", "0001-01-01T00:00:00.001Z"),  # year 0 in UTC
    ],
)
async def test_a_due_date_beyond_the_calendar_is_its_nearest_moment(
    client: httpx.AsyncClient, alice: Account, sent: str, stored: str
) -> None:
    assert (await create(client, alice, dueDate=sent))["dueDate"] == stored


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"{not json", "Malformed JSON in request body"),
        (b"[1, 2]", "Request body must be a JSON object"),
        (b'"title"', "Request body must be a JSON object"),
        (b"", "Malformed JSON in request body"),
        (b'{"title": "\\ud800"}', "Malformed JSON in request body"),
    ],
)
async def test_a_body_that_is_no_json_object_is_refused_as_a_whole(
    client: httpx.AsyncClient, alice: Account, content: bytes, detail: str
) -> None:
    headers = alice.auth | {"Content-Type": "application/json"}
    response = await client.post(TASKS, content=content, headers=headers)
    problem = problem_of(response, 400, "invalid-request")
    assert problem["detail"].startswith(detail.split(" in ", maxsplit=1)[0]), problem


async def test_a_body_must_say_it_is_json(client: httpx.AsyncClient, alice: Account) -> None:
    headers = alice.auth | {"Content-Type": "text/plain"}
    response = await client.post(TASKS, content=b'{"title": "x"}', headers=headers)
    problem = problem_of(response, 415, "unsupported-media-type")
    assert problem["errors"] == [
        {"header": "Content-Type", "detail": "Content-Type must be application/json"}
    ]


async def test_other_users_tasks_and_bad_ids_are_not_found_or_invalid(
    client: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    theirs = await create(client, bob)
    for method in ("GET", "DELETE"):
        response = await client.request(method, f"{TASKS}/{theirs['id']}", headers=alice.auth)
        problem_of(response, 404, "not-found")
    problem = problem_of(
        await client.get(f"{TASKS}/not-a-uuid", headers=alice.auth), 400, "invalid-request"
    )
    assert problem["errors"][0]["parameter"] == "taskId"
    unsigned = await client.get(f"{TASKS}/{theirs['id']}")
    problem_of(unsigned, 401, "unauthorized")


async def test_a_merge_patch_changes_what_it_names_and_null_removes(
    client: httpx.AsyncClient, alice: Account
) -> None:
    task = await create(
        client, alice, description="notes", dueDate="2026-12-24T18:00:00Z", priority="low"
    )
    response = await client.patch(
        f"{TASKS}/{task['id']}",
        json={"status": "completed", "dueDate": None, "description": None},
        headers=alice.auth | MERGE | {"If-Match": etag(task)},
    )
    assert response.status_code == 200, response.text
    patched = response.json()
    assert (patched["status"], patched["dueDate"], patched["description"]) == (
        "completed",
        None,
        "",
    )
    assert (patched["title"], patched["priority"]) == ("A task", "low")  # untouched
    assert response.headers["etag"] == etag(patched) != etag(task)


@pytest.mark.parametrize("member", ["title", "status", "priority"])
async def test_a_merge_patch_cannot_remove_what_a_task_must_have(
    client: httpx.AsyncClient, alice: Account, member: str
) -> None:
    task = await create(client, alice)
    response = await client.patch(
        f"{TASKS}/{task['id']}", json={member: None}, headers=alice.auth | MERGE
    )
    assert problem_of(response, 400, "invalid-request")["errors"][0]["pointer"] == f"#/{member}"
    unchanged = await client.get(f"{TASKS}/{task['id']}", headers=alice.auth)
    assert unchanged.json() == task


async def test_a_patch_must_be_a_merge_patch(client: httpx.AsyncClient, alice: Account) -> None:
    task = await create(client, alice)
    response = await client.patch(f"{TASKS}/{task['id']}", json={"title": "x"}, headers=alice.auth)
    problem_of(response, 415, "unsupported-media-type")


async def test_put_replaces_the_whole_task(client: httpx.AsyncClient, alice: Account) -> None:
    task = await create(client, alice, description="notes", priority="high", status="completed")
    response = await client.put(
        f"{TASKS}/{task['id']}", json={"title": "Replaced"}, headers=alice.auth
    )
    assert response.status_code == 200, response.text
    replaced = response.json()
    assert {k: replaced[k] for k in ("title", "description", "priority", "status")} == {
        "title": "Replaced",
        "description": "",
        "priority": "medium",
        "status": "pending",
    }
    assert (replaced["id"], replaced["createdAt"]) == (task["id"], task["createdAt"])


async def test_if_match_guards_every_write(client: httpx.AsyncClient, alice: Account) -> None:
    task = await create(client, alice)
    url = f"{TASKS}/{task['id']}"
    current = (await client.patch(url, json={"title": "Newer"}, headers=alice.auth | MERGE)).json()
    stale = alice.auth | {"If-Match": etag(task)}
    for response in (
        await client.patch(url, json={"title": "Lost update"}, headers=stale | MERGE),
        await client.put(url, json={"title": "Lost update"}, headers=stale),
        await client.delete(url, headers=stale),
        await client.delete(url, headers=alice.auth | {"If-Match": f"W/{etag(current)}"}),
    ):
        problem_of(response, 412, "precondition-failed")
    assert (await client.get(url, headers=alice.auth)).json() == current
    either = alice.auth | {"If-Match": f"{etag(task)}, {etag(current)}"}
    assert (await client.delete(url, headers=either)).status_code == 204
    problem_of(await client.delete(url, headers=alice.auth | {"If-Match": "*"}), 404, "not-found")


@pytest.mark.parametrize("value", ["12", '"12', "W/12", '"a" "b"', '"1",,', "\u00e9"])
async def test_a_malformed_if_match_is_named(
    client: httpx.AsyncClient, alice: Account, value: str
) -> None:
    task = await create(client, alice)
    headers = [(name.encode(), v.encode()) for name, v in alice.auth.items()]
    headers.append((b"If-Match", value.encode()))
    response = await client.delete(f"{TASKS}/{task['id']}", headers=headers)
    assert problem_of(response, 400, "invalid-request")["errors"][0]["header"] == "If-Match"


async def test_if_none_match_revalidates_a_task(client: httpx.AsyncClient, alice: Account) -> None:
    task = await create(client, alice)
    url = f"{TASKS}/{task['id']}"
    same = await client.get(url, headers=alice.auth | {"If-None-Match": etag(task)})
    assert (same.status_code, same.content, same.headers["etag"]) == (304, b"", etag(task))
    other = await client.get(url, headers=alice.auth | {"If-None-Match": '"999"'})
    assert other.status_code == 200


async def test_the_summary_counts_without_an_envelope(
    client: httpx.AsyncClient, alice: Account
) -> None:
    await create(client, alice, status="completed")
    await create(client, alice, status="in-progress", dueDate="2000-01-01T00:00:00Z")
    response = await client.get(f"{TASKS}/summary", headers=alice.auth)
    assert response.json() == {
        "total": 2,
        "pending": 0,
        "inProgress": 1,
        "completed": 1,
        "overdue": 1,
    }


async def test_a_method_a_path_does_not_answer_is_405_with_allow(
    client: httpx.AsyncClient, alice: Account
) -> None:
    task = await create(client, alice)
    response = await client.post(f"{TASKS}/{task['id']}", json={}, headers=alice.auth)
    problem_of(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "DELETE, GET, HEAD, PATCH, PUT"
    assert (await client.delete(TASKS, headers=alice.auth)).headers["allow"] == "GET, HEAD, POST"
    problem_of(await client.get("/api/v2/nothing-here", headers=alice.auth), 404, "not-found")


async def test_a_deployment_can_require_if_match(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime
) -> None:
    task = await create(client, alice)
    url = f"{TASKS}/{task['id']}"
    runtime.settings = runtime.settings.model_copy(update={"require_if_match": True})
    for response in (
        await client.patch(url, json={"title": "x"}, headers=alice.auth | MERGE),
        await client.put(url, json={"title": "x"}, headers=alice.auth),
        await client.delete(url, headers=alice.auth),
    ):
        assert (
            problem_of(response, 428, "precondition-required")["errors"][0]["header"] == "If-Match"
        )
    guarded = alice.auth | {"If-Match": etag(task)}
    assert (await client.delete(url, headers=guarded)).status_code == 204
