"""v2 task lists and the delta query: cursors that page exactly and cannot be forged."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from tests.api.v2.answers import problem_of
from tests.api.v2.test_tasks import TASKS, create
from tests.conftest import Account, FakeClock

PRIORITY_RANK = {"low": 0, "medium": 1, "high": 2}


@pytest.fixture
async def tasks(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> list[dict[str, Any]]:
    """Eleven tasks with ties in priority and due date, some undated."""
    made = []
    for n in range(11):
        clock.advance(seconds=1)
        due = None if n % 4 == 0 else f"2027-01-0{1 + n % 3}T00:00:00Z"
        made.append(
            await create(
                client,
                alice,
                title=f"Task {n:02}" + (" invoice" if n % 5 == 0 else ""),
                priority=["low", "medium", "high"][n % 3],
                status="completed" if n % 2 else "pending",
                dueDate=due,
            )
        )
    return made


async def walk(
    client: httpx.AsyncClient, owner: Account, query: str, limit: int = 3
) -> list[dict[str, Any]]:
    """Every item of a list, followed page by page through nextCursor."""
    items: list[dict[str, Any]] = []
    url = f"{TASKS}?{query}&limit={limit}"
    while True:
        response = await client.get(url, headers=owner.auth)
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == {"items", "nextCursor"}
        assert len(page["items"]) <= limit
        items += page["items"]
        if page["nextCursor"] is None:
            return items
        url = f"{TASKS}?{query}&limit={limit}&cursor={page['nextCursor']}"


def expected_order(tasks: list[dict[str, Any]], sort: str) -> list[str]:
    """Ids in the order `sort` asks for: undated last, ties by id in the last key's direction.
    (Keys given descending here are numbers or equal-length timestamps: negation suffices.)"""

    def values(task: dict[str, Any]) -> tuple[Any, ...]:
        parts: list[Any] = []
        for key in sort.split(","):
            name = key.removeprefix("-")
            value: Any = task[name]
            if name == "priority":
                value = PRIORITY_RANK[value]
            elif name == "dueDate":
                value = value or "9999"
            elif name == "title":
                value = value.lower()
            if key.startswith("-"):
                value = -value if isinstance(value, int) else [-ord(c) for c in value]
            parts.append(value)
        return tuple(parts)

    last_descending = sort.rsplit(",", maxsplit=1)[-1].startswith("-")
    by_id = sorted(tasks, key=lambda t: t["id"], reverse=last_descending)
    return [t["id"] for t in sorted(by_id, key=values)]  # stable: ties keep the id order


@pytest.mark.parametrize(
    "sort", ["-createdAt", "createdAt", "-priority,dueDate", "dueDate,-priority", "priority,title"]
)
async def test_pages_follow_the_order_of_every_key(
    client: httpx.AsyncClient, alice: Account, tasks: list[dict[str, Any]], sort: str
) -> None:
    walked = await walk(client, alice, f"sort={sort}")
    assert [t["id"] for t in walked] == expected_order(tasks, sort)


async def test_a_key_named_again_changes_nothing(
    client: httpx.AsyncClient, alice: Account, tasks: list[dict[str, Any]]
) -> None:
    assert await walk(client, alice, "sort=title,-title,title") == await walk(
        client, alice, "sort=title"
    )


async def test_filters_narrow_the_list(
    client: httpx.AsyncClient, alice: Account, tasks: list[dict[str, Any]]
) -> None:
    def ids(chosen: list[dict[str, Any]]) -> set[str]:
        return {t["id"] for t in chosen}

    cases = {
        "status=completed": [t for t in tasks if t["status"] == "completed"],
        "priority=high&status=pending": [
            t for t in tasks if t["priority"] == "high" and t["status"] == "pending"
        ],
        "search=INVOICE": [t for t in tasks if "invoice" in t["title"]],
        "dueBefore=2027-01-02T00:00:00Z": [
            t for t in tasks if t["dueDate"] and t["dueDate"] < "2027-01-02"
        ],
        "dueAfter=2027-01-02T00:00:00%2B00:00": [
            t for t in tasks if t["dueDate"] and t["dueDate"] >= "2027-01-02"
        ],
    }
    for query, expected in cases.items():
        assert ids(await walk(client, alice, query)) == ids(expected), query


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("limit=1&limit=2", "limit"),
        ("status=done", "status"),
        ("priority=urgent", "priority"),
        ("sort=owner", "sort"),
        ("sort=,", "sort"),
        ("dueBefore=2027-01-01", "dueBefore"),
        ("dueAfter=tomorrow", "dueAfter"),
        ("search=" + "x" * 201, "search"),
        ("search=a%00b", "search"),
        ("cursor=%F0%9F%98%80", "cursor"),
    ],
)
async def test_a_bad_query_parameter_is_named(
    client: httpx.AsyncClient, alice: Account, query: str, parameter: str
) -> None:
    response = await client.get(f"{TASKS}?{query}", headers=alice.auth)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["parameter"] == parameter


async def first_cursor(client: httpx.AsyncClient, owner: Account, query: str = "") -> str:
    page = (await client.get(f"{TASKS}?limit=2&{query}", headers=owner.auth)).json()
    cursor: str = page["nextCursor"]
    assert cursor
    return cursor


async def test_a_changed_or_foreign_cursor_is_refused(
    client: httpx.AsyncClient, alice: Account, bob: Account, tasks: list[dict[str, Any]]
) -> None:
    for _ in range(3):
        await create(client, bob)
    cursor = await first_cursor(client, alice)
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[3] ^= 1
    changed = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    refused = {
        "changed": (alice, f"cursor={changed}"),
        "another user's": (alice, f"cursor={await first_cursor(client, bob)}"),
        "used by another user": (bob, f"cursor={cursor}"),
        "another query's": (alice, f"cursor={await first_cursor(client, alice, 'status=pending')}"),
        "another order's": (alice, f"sort=title&cursor={cursor}"),
        "truncated": (alice, f"cursor={cursor[:-4]}"),
    }
    for case, (owner, query) in refused.items():
        response = await client.get(f"{TASKS}?limit=2&{query}", headers=owner.auth)
        assert problem_of(response, 400, "invalid-cursor")["errors"] == [
            {"parameter": "cursor", "detail": response.json()["detail"]}
        ], case
    accepted = await client.get(f"{TASKS}?limit=5&cursor={cursor}", headers=alice.auth)
    assert accepted.status_code == 200  # another page size is the same query


async def test_the_delta_query_follows_every_change(
    client: httpx.AsyncClient, alice: Account, bob: Account, tasks: list[dict[str, Any]]
) -> None:
    async def sync(cursor: str | None) -> tuple[list[dict[str, Any]], str]:
        items: list[dict[str, Any]] = []
        while True:
            query = "limit=4" + (f"&cursor={cursor}" if cursor else "")
            response = await client.get(f"{TASKS}/changes?{query}", headers=alice.auth)
            assert response.status_code == 200, response.text
            page = response.json()
            items += page["items"]
            cursor = page["nextCursor"]
            if not page["hasMore"]:
                return items, cursor

    everything, cursor = await sync(None)
    assert [item["task"] for item in everything] == tasks  # oldest change first
    assert {item["op"] for item in everything} == {"upsert"}
    first, second = tasks[0], tasks[1]
    merge = alice.auth | {"Content-Type": "application/merge-patch+json"}
    changed = (
        await client.patch(f"{TASKS}/{first['id']}", json={"title": "New"}, headers=merge)
    ).json()
    assert (await client.delete(f"{TASKS}/{second['id']}", headers=alice.auth)).status_code == 204
    await create(client, bob)  # someone else's change: not alice's to see
    since, cursor = await sync(cursor)
    assert since == [
        {"op": "upsert", "task": changed},
        {
            "op": "delete",
            "id": second["id"],
            "revision": changed["revision"] + 1,
            "projectId": alice.id,  # the Inbox it left
        },
    ]
    assert await sync(cursor) == ([], cursor)
    foreign = await client.get(f"{TASKS}/changes?cursor={cursor}", headers=bob.auth)
    problem_of(foreign, 400, "invalid-cursor")
    list_cursor = await first_cursor(client, alice)
    problem_of(
        await client.get(f"{TASKS}/changes?cursor={list_cursor}", headers=alice.auth),
        400,
        "invalid-cursor",
    )
