"""Projects over HTTP in tests: make one, bring members in with a role."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Account

PROJECTS = "/api/v2/projects"
TASKS = "/api/v2/tasks"
MERGE = {"Content-Type": "application/merge-patch+json"}


async def new_project(
    client: httpx.AsyncClient, owner: Account, name: str = "Launch", **fields: Any
) -> dict[str, Any]:
    response = await client.post(PROJECTS, json={"name": name, **fields}, headers=owner.auth)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def invite(
    client: httpx.AsyncClient, owner: Account, project_id: str, email: str, role: str
) -> dict[str, Any]:
    response = await client.post(
        f"{PROJECTS}/{project_id}/invitations",
        json={"email": email, "role": role},
        headers=owner.auth,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def join(
    client: httpx.AsyncClient, owner: Account, project_id: str, member: Account, role: str
) -> None:
    """`member` joins the project with `role`, invited by `owner`."""
    invitation = await invite(client, owner, project_id, member.email, role)
    accepted = await client.post(
        f"/api/v2/invitations/{invitation['token']}/accept", headers=member.auth
    )
    assert accepted.status_code == 200, accepted.text


async def new_task(client: httpx.AsyncClient, author: Account, **fields: Any) -> dict[str, Any]:
    response = await client.post(TASKS, json={"title": "A task", **fields}, headers=author.auth)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
