"""The demo account: the MVP's credentials and five tasks, created once."""

from __future__ import annotations

from collections import Counter

import httpx

from taskmaster.runtime import Runtime
from taskmaster.seed.demo import DEMO_EMAIL, DEMO_PASSWORD, seed_demo


async def test_the_demo_account_logs_in_and_has_its_five_tasks(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    result = await seed_demo(runtime)
    assert (result.created, result.tasks) == (True, 5)

    login = await client.post(
        "/api/v1/auth/login", json={"email": "demo@taskmaster.com", "password": "Demo123!"}
    )
    assert login.status_code == 200, login.text
    assert login.json()["data"]["user"]["email"] == "demo@taskmaster.com"
    token = login.json()["data"]["token"]

    listed = await client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    tasks = listed.json()["data"]
    assert len(tasks) == 5
    assert Counter(task["status"] for task in tasks) == {
        "completed": 1,
        "in-progress": 1,
        "pending": 3,
    }
    assert all(task["title"] and task["description"] for task in tasks)
    assert len({task["title"] for task in tasks}) == 5


async def test_seeding_twice_changes_nothing(client: httpx.AsyncClient, runtime: Runtime) -> None:
    assert (await seed_demo(runtime)).created
    again = await seed_demo(runtime)
    assert (again.created, again.tasks) == (False, 0)

    login = await client.post(
        "/api/v1/auth/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
    )
    token = login.json()["data"]["token"]
    listed = await client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    assert len(listed.json()["data"]) == 5


async def test_the_demo_account_is_an_ordinary_account(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await seed_demo(runtime)
    wrong = await client.post(
        "/api/v1/auth/login", json={"email": DEMO_EMAIL, "password": "demo123!"}
    )
    assert wrong.status_code == 401
    taken = await client.post(
        "/api/v1/auth/register",
        json={"email": "Demo@TaskMaster.com", "password": "long enough 1", "name": "Copy"},
    )
    assert taken.status_code == 409
