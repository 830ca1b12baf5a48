"""The topology of compose.yaml, on loopback: nginx balancing three API processes on a primary
and its streaming replica, Redis, and the relay in a process of its own.

Several users write and read through nginx while one API process is killed and started
again. No request fails beyond one retry of a write that the killed process was holding (nginx
answers 502 for it; the retry carries the same Idempotency-Key, or sets the same title again);
every acknowledged write is there at the end, once; a read after an acknowledged write never
sees the state before it, whichever instance and database serve it; and the live clients of
the surviving instances hear every acknowledged write without losing their connection."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from taskmaster.config import Environment, Settings
from tests.api.v2.projects import MERGE, TASKS
from tests.auth.pem import new_signing_key
from tests.conftest import REDIS_URL, Account, register
from tests.db.replication import PrimaryAndReplica, asyncpg_url
from tests.deploy.balancer import Nginx
from tests.instances import Fleet, Process, fleet
from tests.observe.test_metrics import REQUESTS, value
from tests.realtime.live import Live
from tests.waiting import eventually

USERS = 6
INSTANCES = 3
WRITES_PER_PHASE = 30  # acknowledged writes before the kill, while one is down, after it is back
RETRIED = {502, 503, 504}  # what nginx answers for a request its upstream dropped
ROUTE_CREATE = "/api/v2/tasks"


@pytest.fixture
def topology_settings(
    primary_and_replica: PrimaryAndReplica, database: str, redis_prefix: str, tmp_path: Path
) -> Settings:
    return Settings(
        _env_file=None,
        environment=Environment.TEST,
        database_url=asyncpg_url(primary_and_replica.primary.url(database)),
        database_replica_urls=primary_and_replica.replica.url(database),
        redis_url=REDIS_URL,
        redis_prefix=redis_prefix,
        data_dir=tmp_path,
    )


@dataclass
class Topology:
    fleet: Fleet
    apis: list[Process]
    nginx: Nginx

    async def restart(self, index: int) -> Process:
        """The API process `index` started again, on its port."""
        port = int(self.apis[index].url.rsplit(":", 1)[1])
        self.apis[index] = await self.fleet.serve(port=port)
        return self.apis[index]


@pytest.fixture
async def topology(topology_settings: Settings) -> AsyncIterator[Topology]:
    environment = {
        # One key for every instance, as a deployment's secret is (each would otherwise race to
        # write a development key of its own into the shared data folder).
        "JWT_PRIVATE_KEY": new_signing_key(),
        "DATABASE_REPLICA_URLS": ",".join(topology_settings.database_replica_urls),
        "OUTBOX_RELAY": "external",
        "TRUSTED_PROXY_HOPS": "1",
        "RATE_API_USER": "100000/h",
    }
    async with fleet(topology_settings, environment) as started:
        apis = list(await asyncio.gather(*(started.serve() for _ in range(INSTANCES))))
        started.relay()
        upstreams = [api.url.removeprefix("http://") for api in apis]
        with Nginx.start(upstreams) as nginx:
            yield Topology(started, apis, nginx)


@dataclass
class Writer:
    """A user writing through nginx: what it was told it wrote, and what it heard live."""

    account: Account
    api: httpx.AsyncClient
    live: Live
    titles: dict[str, str] = field(default_factory=dict)  # acknowledged: task id -> title
    revisions: list[tuple[str, int]] = field(default_factory=list)  # every acknowledged write
    retries: int = 0
    failures: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)

    async def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """The request, sent again once if nginx says its upstream dropped it."""
        headers = self.account.auth | kwargs.pop("headers", {})
        answer = await self.api.request(method, url, headers=headers, **kwargs)
        if answer.status_code in RETRIED:
            self.retries += 1
            answer = await self.api.request(method, url, headers=headers, **kwargs)
        return answer

    async def create(self, title: str) -> None:
        key = {"Idempotency-Key": str(uuid.uuid4())}
        answer = await self.send("POST", TASKS, json={"title": title}, headers=key)
        if answer.status_code != 201:
            self.failures.append(f"create: {answer.status_code} {answer.text}")
            return
        self._acknowledged(answer.json())

    async def rename(self, task_id: str, title: str) -> None:
        answer = await self.send(
            "PATCH", f"{TASKS}/{task_id}", json={"title": title}, headers=dict(MERGE)
        )
        if answer.status_code != 200:
            self.failures.append(f"rename: {answer.status_code} {answer.text}")
            return
        self._acknowledged(answer.json())

    def _acknowledged(self, task: dict[str, Any]) -> None:
        self.titles[task["id"]] = task["title"]
        self.revisions.append((task["id"], task["revision"]))

    async def read_back(self, task_id: str) -> None:
        answer = await self.send("GET", f"{TASKS}/{task_id}")
        if answer.status_code != 200:
            self.stale.append(f"{task_id}: {answer.status_code}")
        elif answer.json()["title"] != self.titles[task_id]:
            self.stale.append(
                f"{task_id}: {answer.json()['title']!r}, not {self.titles[task_id]!r}"
            )

    async def run(self, stop: asyncio.Event) -> None:
        for step in itertools.count():
            if stop.is_set():
                return
            if step % 3 == 2 and self.titles:
                task_id = list(self.titles)[step % len(self.titles)]
                await self.rename(task_id, f"Renamed {step}")
            else:
                await self.create(f"Task {step} ✓")
            if self.revisions:
                await self.read_back(self.revisions[-1][0])

    async def stored(self) -> dict[str, str]:
        """Every task of the user's, as the primary has them (through nginx, page by page)."""
        found: dict[str, str] = {}
        cursor: str | None = None
        while True:
            params = {"limit": "100"} | ({"cursor": cursor} if cursor else {})
            answer = await self.send("GET", TASKS, params=params)
            assert answer.status_code == 200, answer.text
            page = answer.json()
            found |= {task["id"]: task["title"] for task in page["items"]}
            cursor = page["nextCursor"]
            if cursor is None:
                return found

    def unheard(self) -> list[tuple[str, int]]:
        heard = {
            (message["data"]["id"], message["data"]["revision"])
            for topic, message in self.live.heard
            if topic in ("task:created", "task:updated")
        }
        return [write for write in self.revisions if write not in heard]


def acknowledged(writers: list[Writer]) -> int:
    return sum(len(writer.revisions) for writer in writers)


@pytest.fixture
async def writers(topology: Topology) -> AsyncIterator[list[Writer]]:
    """Users on nginx, each heard live on a surviving instance (not the last one)."""
    async with AsyncExitStack() as stack:
        api = await stack.enter_async_context(httpx.AsyncClient(base_url=topology.nginx.url))
        made = []
        for index in range(USERS):
            account = await register(api, f"writer{index}@example.com")
            live = Live()
            await live.connect(topology.apis[index % (INSTANCES - 1)].url, account.token)
            stack.push_async_callback(live.client.disconnect)
            made.append(Writer(account, api, live))
        yield made


async def test_one_api_process_dies_and_comes_back_under_load(
    topology: Topology, writers: list[Writer]
) -> None:
    stop = asyncio.Event()
    load = asyncio.gather(*(writer.run(stop) for writer in writers))
    try:
        for phase in range(1, 3):
            target = phase * WRITES_PER_PHASE

            def written(enough: int = target) -> bool:
                return acknowledged(writers) >= enough

            await eventually(written, within=60, what=f"{target} acknowledged writes")
            if phase == 1:
                await asyncio.to_thread(topology.apis[-1].kill)
        back = await topology.restart(-1)
        async with httpx.AsyncClient(base_url=back.url) as direct:

            async def serving() -> bool:
                metrics = (await direct.get("/metrics")).text
                created = value(metrics, REQUESTS, method="POST", route=ROUTE_CREATE, status="201")
                return created >= WRITES_PER_PHASE // INSTANCES

            await eventually(serving, within=60, what="nginx sending writes to the new process")
    finally:
        stop.set()
        await load

    for writer in writers:
        assert writer.failures == []
        assert writer.stale == []
        assert await writer.stored() == writer.titles  # every acknowledged write, and once

        def heard_all(writer: Writer = writer) -> bool:
            return not writer.unheard()

        await eventually(heard_all, within=10, what=f"{writer.account.email} hearing every write")
        assert not writer.live.disconnected.is_set()
    assert acknowledged(writers) >= 3 * WRITES_PER_PHASE
    # Only what the killed process held when it died was retried: one request per writer.
    assert sum(writer.retries for writer in writers) <= USERS
