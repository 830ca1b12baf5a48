"""Live updates across API instances: separate processes on one PostgreSQL and one Redis.

A change made through one instance reaches the clients of every other; a client that lost
its connection catches up to exactly the server's state; nothing is told of a write that did
not commit, to anyone who may not see it, or to a session that has ended; and an event whose
writer died between its commit and its publish is published all the same."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import socketio

from taskmaster.config import Settings
from taskmaster.runtime import Runtime
from tests.api.v2.projects import MERGE, PROJECTS, TASKS, join, new_project, new_task
from tests.conftest import Account, register
from tests.db.servers import RedisServer
from tests.instances import fleet
from tests.realtime.live import Copy, Live, live
from tests.waiting import eventually

BACKENDS = ["postgres"]


@pytest.fixture
async def two(settings: Settings, runtime: Runtime) -> AsyncIterator[tuple[str, str]]:
    """Two API instances; `runtime` empties the database after the test."""
    async with fleet(settings) as started:
        first, second = await asyncio.gather(started.serve(), started.serve())
        yield first.url, second.url


@pytest.fixture
async def api_a(two: tuple[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=two[0]) as client:
        yield client


@pytest.fixture
async def api_b(two: tuple[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=two[1]) as client:
        yield client


async def test_a_change_through_one_instance_reaches_clients_of_the_other(
    two: tuple[str, str], api_b: httpx.AsyncClient
) -> None:
    alice = await register(api_b, "alice@example.com")
    async with live(two[0], alice.token) as on_a:
        created = await new_task(api_b, alice, title="Seen everywhere")
        heard = await on_a.until_heard("task:created", id=created["id"])
        assert heard == created  # the v2 representation, revision and project included
        changed = await api_b.patch(
            f"{TASKS}/{created['id']}", json={"status": "completed"}, headers=alice.auth | MERGE
        )
        assert await on_a.until_heard("task:updated", revision=changed.json()["revision"]) == (
            changed.json()
        )


async def test_a_bad_token_is_refused(two: tuple[str, str], api_a: httpx.AsyncClient) -> None:
    alice = await register(api_a, "alice@example.com")
    for auth in ({}, {"token": ""}, {"token": alice.token[:-4] + "AAAA"}, {"token": 42}):
        client = socketio.AsyncClient(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(two[0], auth=auth, transports=["websocket"], wait_timeout=5)


async def test_members_hear_their_projects_and_nothing_else(
    two: tuple[str, str], api_a: httpx.AsyncClient, api_b: httpx.AsyncClient
) -> None:
    alice = await register(api_b, "alice@example.com")
    bob = await register(api_b, "bob@example.com")
    project = await new_project(api_b, alice, "Shared")
    async with live(two[0], bob.token) as bob_on_a, live(two[1], alice.token) as alice_on_b:
        await new_task(api_b, alice, title="Before bob", projectId=project["id"])
        await alice_on_b.until_heard("task:created", title="Before bob")

        await join(api_b, alice, project["id"], bob, "editor")  # bob joins his rooms at once
        await bob_on_a.until_heard("member:added", userId=bob.id)
        shared = await new_task(api_b, alice, title="Shared", projectId=project["id"])
        await bob_on_a.until_heard("task:created", id=shared["id"])

        removed = await api_b.delete(
            f"{PROJECTS}/{project['id']}/members/{bob.id}", headers=alice.auth
        )
        assert removed.status_code == 204
        await bob_on_a.until_heard("member:removed", userId=bob.id)
        await new_task(api_b, alice, title="After bob", projectId=project["id"])
        await alice_on_b.until_heard("task:created", title="After bob")
        await new_task(api_a, bob, title="Bob's own")
        await bob_on_a.until_heard("task:created", title="Bob's own")  # later than alice's
        titles = [task["title"] for task in bob_on_a.of("task:created")]
        assert titles == ["Shared", "Bob's own"]


async def test_an_ended_session_is_disconnected_on_every_instance(
    two: tuple[str, str], api_b: httpx.AsyncClient
) -> None:
    alice = await register(api_b, "alice@example.com")
    async with live(two[0], alice.token) as on_a:
        ended = await api_b.post("/api/v2/auth/logout", headers=alice.auth)
        assert ended.status_code == 204
        await asyncio.wait_for(on_a.disconnected.wait(), 5)
        assert on_a.of("session:ended")[0]["reason"] == "logout"
    with pytest.raises(socketio.exceptions.ConnectionError):
        await Live().connect(two[0], alice.token)


async def test_a_client_that_reconnects_ends_with_exactly_the_servers_state(
    two: tuple[str, str], api_a: httpx.AsyncClient, api_b: httpx.AsyncClient
) -> None:
    alice = await register(api_b, "alice@example.com")
    project = await new_project(api_b, alice, "Busy")
    copy = Copy(api_a, alice.token)
    writer = asyncio.create_task(_write_steadily(api_b, alice, project["id"], count=120))
    for _ in range(3):  # connect, follow a while, drop, catch up, again
        connection = Live()
        connection.client.on("*", lambda topic, message: copy.apply(topic, message["data"]))
        await connection.connect(two[0], alice.token)
        await copy.catch_up()  # after joining the rooms: nothing falls between the two
        # Some of the stream heard live, then dropped mid-stream.
        followed = functools.partial(_heard_some_or_done, connection, writer)
        await eventually(followed, what="live events on this connection")
        await connection.client.disconnect()
    await writer
    connection = Live()
    connection.client.on("*", lambda topic, message: copy.apply(topic, message["data"]))
    await connection.connect(two[0], alice.token)
    await copy.catch_up()
    await connection.client.disconnect()
    assert copy.tasks == await _server_state(api_a, alice)


def _heard_some_or_done(connection: Live, writer: asyncio.Task[None]) -> bool:
    return len(connection.heard) >= 3 or writer.done()


async def _write_steadily(
    api: httpx.AsyncClient, author: Account, project_id: str, *, count: int
) -> None:
    """Create, change, move and delete tasks, one write after another (each paced by the
    answer to the last)."""
    made: list[dict[str, Any]] = []
    for n in range(count):
        if n % 4 == 3 and made:
            gone = made.pop(0)
            assert (
                await api.delete(f"{TASKS}/{gone['id']}", headers=author.auth)
            ).status_code == 204
        elif n % 4 == 2 and made:
            moved = made[-1]
            target = author.id if moved["projectId"] == project_id else project_id
            answer = await api.patch(
                f"{TASKS}/{moved['id']}",
                json={"projectId": target, "title": f"Moved {n}"},
                headers=author.auth | MERGE,
            )
            made[-1] = answer.json()
        else:
            made.append(await new_task(api, author, title=f"Task {n}", projectId=project_id))


async def _server_state(api: httpx.AsyncClient, owner: Account) -> dict[str, dict[str, Any]]:
    tasks: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        params = {"limit": 100} | ({"cursor": cursor} if cursor else {})
        page = (await api.get(TASKS, params=params, headers=owner.auth)).json()
        tasks |= {task["id"]: task for task in page["items"]}
        if not (cursor := page["nextCursor"]):
            return tasks


async def test_an_event_whose_writer_died_before_publishing_is_published(
    settings: Settings, runtime: Runtime
) -> None:
    """The writer relays nothing (OUTBOX_RELAY=external) and is killed after its commit:
    only `taskmaster relay`, started afterwards, can publish the event."""
    async with fleet(settings) as started:
        listening, writer = await asyncio.gather(
            started.serve(OUTBOX_RELAY="external"), started.serve(OUTBOX_RELAY="external")
        )
        async with httpx.AsyncClient(base_url=writer.url) as api:
            alice = await register(api, "alice@example.com")
            created = await new_task(api, alice, title="Committed, then the crash")
        writer.kill()
        async with live(listening.url, alice.token) as connection:
            assert connection.of("task:created") == []
            started.relay()  # a process's start-up: seconds on a busy machine
            heard = await connection.until_heard("task:created", within=30, id=created["id"])
            assert heard == created


async def test_clients_are_told_to_catch_up_when_the_bus_was_away(
    settings: Settings, runtime: Runtime, redis_process: RedisServer
) -> None:
    """Pub/sub keeps nothing for an instance that lost its subscription: once it has
    subscribed again, its clients hear `resync` and catch up through the delta query."""
    async with fleet(settings) as started:
        instance = await started.serve(REDIS_URL=redis_process.url)
        async with httpx.AsyncClient(base_url=instance.url) as api:
            alice = await register(api, "alice@example.com")
            async with live(instance.url, alice.token) as connection:
                redis_process.stop()
                redis_process.start()
                await eventually(lambda: connection.of("resync") == [{}], within=10, what="resync")
                created = await new_task(api, alice, title="After the gap")
                assert await connection.until_heard("task:created", id=created["id"]) == created


async def test_browsers_connect_from_the_apis_origin_and_those_cors_origin_names(
    settings: Settings, runtime: Runtime
) -> None:
    async with fleet(settings) as started:
        instance = await started.serve(CORS_ORIGIN="http://app.example")
        async with httpx.AsyncClient(base_url=instance.url) as api:
            alice = await register(api, "alice@example.com")
        for origin in (instance.url, "http://app.example"):
            client = socketio.AsyncClient(reconnection=False)
            await client.connect(
                instance.url,
                auth={"token": alice.token},
                headers={"Origin": origin},
                transports=["websocket"],
                wait_timeout=10,
            )
            await client.disconnect()
        client = socketio.AsyncClient(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(
                instance.url,
                auth={"token": alice.token},
                headers={"Origin": "http://evil.example"},
                transports=["websocket"],
                wait_timeout=10,
            )


async def test_an_expired_token_is_refused(settings: Settings, runtime: Runtime) -> None:
    async with fleet(settings) as started:
        instance = await started.serve(ACCESS_TOKEN_TTL_SECONDS="1")
        async with httpx.AsyncClient(base_url=instance.url) as api:
            alice = await register(api, "alice@example.com")

        async def refused() -> bool:
            client = socketio.AsyncClient(reconnection=False)
            reasons: list[Any] = []
            client.on("connect_error", reasons.append)
            try:
                await client.connect(
                    instance.url, auth={"token": alice.token}, transports=["websocket"]
                )
            except socketio.exceptions.ConnectionError:
                return "expired" in str(reasons).lower()
            await client.disconnect()
            return False

        await eventually(refused, within=10, what="the expired token refused")
