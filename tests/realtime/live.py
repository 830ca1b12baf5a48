"""A Socket.IO client as the web app is one: connected with its access token, keeping what
it hears; and a copy of a user's tasks kept current by it and the delta query."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import socketio

from tests.waiting import eventually

CHANGES = "/api/v2/tasks/changes"


class Live:
    """One connection: every event it hears, in order."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.heard: list[tuple[str, Any]] = []
        self.disconnected = asyncio.Event()
        self.client.on("*", self._heard)
        self.client.on("disconnect", self._disconnected)

    async def _heard(self, topic: str, message: Any) -> None:
        self.heard.append((topic, message))

    async def _disconnected(self, *_: Any) -> None:
        self.disconnected.set()

    async def connect(self, url: str, token: str) -> None:
        await self.client.connect(
            url, auth={"token": token}, transports=["websocket"], wait_timeout=10
        )

    def of(self, topic: str) -> list[Any]:
        return [message["data"] for heard, message in self.heard if heard == topic]

    async def until_heard(self, topic: str, within: float = 5, **matching: Any) -> Any:
        """The first `topic` event whose data has these members, once heard (within
        `within` seconds)."""

        def found() -> Any:
            for data in self.of(topic):
                if all(data.get(key) == value for key, value in matching.items()):
                    return data
            return None

        await eventually(lambda: found() is not None, within=within, what=f"{topic} {matching}")
        return found()


@asynccontextmanager
async def live(url: str, token: str) -> AsyncIterator[Live]:
    connection = Live()
    await connection.connect(url, token)
    try:
        yield connection
    finally:
        await connection.client.disconnect()


class Copy:
    """A user's tasks as a client keeps them: caught up through the delta query from its last
    cursor, and changed by each live event that is newer than what it knows.

    A task's revision only grows, also across moves (migration 0006), so of two copies the
    higher revision is the newer. A deletion's revision is its project's: it removes a copy
    in that project only, and outdates any copy there of a lower revision, also one that
    arrives after it (a catch-up page read before the deletion)."""

    def __init__(self, api: httpx.AsyncClient, token: str) -> None:
        self._api = api
        self._headers = {"Authorization": f"Bearer {token}"}
        self.tasks: dict[str, dict[str, Any]] = {}
        self.gone: dict[str, dict[str, Any]] = {}
        self.cursor: str | None = None

    async def catch_up(self) -> None:
        more = True
        while more:
            params = {"cursor": self.cursor} if self.cursor else {}
            answer = await self._api.get(CHANGES, params=params, headers=self._headers)
            assert answer.status_code == 200, answer.text
            page = answer.json()
            for change in page["items"]:
                if change["op"] == "upsert":
                    self.upsert(change["task"])
                else:
                    self.delete(change)
            self.cursor, more = page["nextCursor"], page["hasMore"]

    def upsert(self, task: dict[str, Any]) -> None:
        gone, held = self.gone.get(task["id"]), self.tasks.get(task["id"])
        if gone is not None and _outdates(gone, task):
            return
        if held is None or held["revision"] < task["revision"]:
            self.tasks[task["id"]] = task

    def delete(self, gone: dict[str, Any]) -> None:
        known = self.gone.get(gone["id"])
        if known is None or not _outdates(known, gone):
            self.gone[gone["id"]] = gone
        held = self.tasks.get(gone["id"])
        if held is not None and _outdates(gone, held):
            del self.tasks[gone["id"]]

    def apply(self, topic: str, data: Any) -> None:
        if topic in ("task:created", "task:updated"):
            self.upsert(data)
        elif topic == "task:deleted":
            self.delete(data)


def _outdates(gone: dict[str, Any], seen: dict[str, Any]) -> bool:
    """Whether a deletion is newer than a copy (or deletion) seen in the same project."""
    return bool(gone["projectId"] == seen["projectId"] and seen["revision"] < gone["revision"])
