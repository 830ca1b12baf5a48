"""Every route of a project, as every role: owner, editor, viewer, a stranger, signed out.

One table says what each may do; the policy module decides it in the server. A stranger
learns nothing of a project (404, as for none), a role without the right is refused (403),
and nobody signed out gets past 401. A refusal changes nothing, so the refused roles share
one project; each role that may write starts from a fresh one, so that a write in one case
cannot decide another.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.api.v2.projects import MERGE, PROJECTS, TASKS, invite, join, new_project, new_task
from tests.conftest import Account, register

ROLES = ("owner", "editor", "viewer", "stranger", "signed-out")


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {project}, {task}, {viewer}, {invitation}, {token} filled per case
    answers: tuple[int, int, int, int, int]  # in the order of ROLES
    body: dict[str, Any] | None = None
    headers: dict[str, str] | None = None


ROUTES = (
    Route("GET", "/api/v2/projects", (200, 200, 200, 200, 401)),
    Route("POST", "/api/v2/projects", (201, 201, 201, 201, 401), {"name": "Mine"}),
    Route("GET", f"{PROJECTS}/{{project}}", (200, 200, 200, 404, 401)),
    Route("PATCH", f"{PROJECTS}/{{project}}", (200, 403, 403, 404, 401), {"name": "X"}, MERGE),
    Route("DELETE", f"{PROJECTS}/{{project}}", (204, 403, 403, 404, 401)),
    Route("GET", f"{PROJECTS}/{{project}}/members", (200, 200, 200, 404, 401)),
    Route(
        "PATCH",
        f"{PROJECTS}/{{project}}/members/{{viewer}}",
        (200, 403, 403, 404, 401),
        {"role": "editor"},
    ),
    # The viewer naming themselves leaves: anyone may.
    Route("DELETE", f"{PROJECTS}/{{project}}/members/{{viewer}}", (204, 403, 204, 404, 401)),
    Route("GET", f"{PROJECTS}/{{project}}/invitations", (200, 403, 403, 404, 401)),
    Route(
        "POST",
        f"{PROJECTS}/{{project}}/invitations",
        (201, 403, 403, 404, 401),
        {"email": "new{n}@example.com", "role": "viewer"},
    ),
    Route(
        "POST",
        f"{PROJECTS}/{{project}}/invitations/{{invitation}}/resend",
        (200, 403, 403, 404, 401),
    ),
    Route(
        "DELETE", f"{PROJECTS}/{{project}}/invitations/{{invitation}}", (204, 403, 403, 404, 401)
    ),
    Route("GET", "/api/v2/invitations/{token}", (200, 200, 200, 200, 200)),
    Route("GET", f"{TASKS}?projectId={{project}}", (200, 200, 200, 404, 401)),
    Route("GET", f"{TASKS}/summary?projectId={{project}}", (200, 200, 200, 404, 401)),
    Route("POST", TASKS, (201, 201, 403, 404, 401), {"title": "T", "projectId": "{project}"}),
    Route("GET", f"{TASKS}/{{task}}", (200, 200, 200, 404, 401)),
    Route("PATCH", f"{TASKS}/{{task}}", (200, 200, 403, 404, 401), {"title": "T2"}, MERGE),
    Route("PUT", f"{TASKS}/{{task}}", (200, 200, 403, 404, 401), {"title": "T3"}),
    Route("DELETE", f"{TASKS}/{{task}}", (204, 204, 403, 404, 401)),
    # v1 keeps its meaning: a viewer's write is refused in v1's envelope.
    Route("GET", "/api/v1/tasks/{task}", (200, 200, 200, 404, 401)),
    Route("PUT", "/api/v1/tasks/{task}", (200, 200, 403, 404, 401), {"title": "T4"}),
    Route("DELETE", "/api/v1/tasks/{task}", (200, 200, 403, 404, 401)),
)


@dataclass
class Scene:
    accounts: dict[str, Account]
    values: dict[str, str]


async def _scene(client: httpx.AsyncClient, n: int) -> Scene:
    """A project of an owner, with an editor and a viewer, a task and a pending invitation;
    and a stranger (the `n`th such scene of the test)."""
    owner, editor, viewer, stranger = [
        await register(client, f"{role}{n}@example.com")
        for role in ("owner", "editor", "viewer", "stranger")
    ]
    project = await new_project(client, owner)
    await join(client, owner, project["id"], editor, "editor")
    await join(client, owner, project["id"], viewer, "viewer")
    task = await new_task(client, owner, projectId=project["id"])
    pending = await invite(client, owner, project["id"], f"later{n}@example.com", "editor")
    values = {
        "project": project["id"],
        "task": task["id"],
        "viewer": viewer.id,
        "invitation": pending["id"],
        "token": pending["token"],
        "n": str(n),
    }
    accounts = {"owner": owner, "editor": editor, "viewer": viewer, "stranger": stranger}
    return Scene(accounts, values)


SceneMaker = Callable[[], Awaitable[Scene]]


@pytest.fixture
def new_scene(client: httpx.AsyncClient) -> SceneMaker:
    made = 0

    async def make() -> Scene:
        nonlocal made
        made += 1
        return await _scene(client, made)

    return make


def _filled(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**values)
    if isinstance(value, dict):
        return {key: _filled(item, values) for key, item in value.items()}
    return value


async def _ask(client: httpx.AsyncClient, route: Route, scene: Scene, role: str) -> None:
    headers = dict(route.headers or {})
    if role in scene.accounts:
        headers |= scene.accounts[role].auth
    response = await client.request(
        route.method,
        _filled(route.path, scene.values),
        json=_filled(route.body, scene.values),
        headers=headers,
    )
    expected = route.answers[ROLES.index(role)]
    assert response.status_code == expected, f"{role}: {response.text}"
    if expected >= 400 and route.path.startswith("/api/v1"):
        assert response.json()["success"] is False
    elif expected >= 400:
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
async def test_each_role_gets_the_answer_the_policy_gives(
    client: httpx.AsyncClient, new_scene: SceneMaker, route: Route
) -> None:
    shared = await new_scene()
    for role, answer in zip(ROLES, route.answers, strict=True):
        if answer >= 400 or route.method == "GET":
            await _ask(client, route, shared, role)
    for role, answer in zip(ROLES, route.answers, strict=True):
        if answer < 400 and route.method != "GET":
            await _ask(client, route, await new_scene(), role)
