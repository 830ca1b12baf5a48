"""Two API instances on PostgreSQL and Redis, writers and readers at random: no read through
the read cache is older than a write acknowledged before the read began."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx

from tests.api.v2.projects import MERGE, TASKS, join, new_project, new_task
from tests.conftest import Account

BACKENDS = ("postgres",)  # the memory cache is one process's: two instances share Redis
ROUNDS = 200
WRITERS = 3


async def test_no_read_is_older_than_a_write_acknowledged_before_it(
    client: httpx.AsyncClient, second_instance: httpx.AsyncClient, alice: Account, bob: Account
) -> None:
    """Writers change their own task's title to v1, v2, ... on either instance; readers on
    either instance, as either member, read a list, the project's list or one task, and must
    see at least the version each writer had acknowledged when the read began."""
    project = await new_project(client, alice)
    await join(client, alice, project["id"], bob, "editor")
    tasks = [
        await new_task(client, alice, projectId=project["id"], title="v0") for _ in range(WRITERS)
    ]
    acknowledged = [0] * WRITERS
    shuffle = random.Random(20261202)  # noqa: S311 - a test's schedule, not a secret
    instances = (client, second_instance)
    members = (alice, bob)

    async def write(writer: int, version: int) -> None:
        author = members[writer % 2]
        answer = await shuffle.choice(instances).patch(
            f"{TASKS}/{tasks[writer]['id']}",
            json={"title": f"v{version}"},
            headers=author.auth | MERGE,
        )
        assert answer.status_code == 200, answer.text
        acknowledged[writer] = max(acknowledged[writer], version)

    async def read() -> None:
        seen_before = list(acknowledged)
        view = shuffle.choice([TASKS, f"{TASKS}?projectId={project['id']}", "one"])
        reader, instance = shuffle.choice(members), shuffle.choice(instances)
        if view == "one":
            writer = shuffle.randrange(WRITERS)
            answer = await instance.get(f"{TASKS}/{tasks[writer]['id']}", headers=reader.auth)
            titles = {tasks[writer]["id"]: answer.json()["title"]}
        else:
            answer = await instance.get(view, headers=reader.auth)
            titles = {item["id"]: item["title"] for item in answer.json()["items"]}
        for writer, task in enumerate(tasks):
            if task["id"] in titles:
                version = int(titles[task["id"]].removeprefix("v"))
                assert version >= seen_before[writer], (view, writer, version, seen_before)

    versions = [0] * WRITERS
    for _ in range(ROUNDS):
        batch: list[Any] = []
        for writer in range(WRITERS):
            if shuffle.random() < 0.5:
                versions[writer] += 1
                batch.append(write(writer, versions[writer]))
        batch += [read() for _ in range(shuffle.randrange(1, 5))]
        shuffle.shuffle(batch)
        await asyncio.gather(*batch)
    assert sum(versions) > ROUNDS  # the writers did write
