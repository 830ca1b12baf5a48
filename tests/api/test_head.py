"""HEAD works wherever GET does: the same status and headers, no body; and nowhere else."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.api.v2.projects import new_task
from tests.conftest import Account

# Headers that may differ between two answers to the same request.
PER_ANSWER = {"date", "x-request-id", "ratelimit"}


def comparable(response: httpx.Response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name not in PER_ANSWER}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/dashboard",
        "/health",
        "/api/v1/tasks",
        "/api/tasks",
        "/api/v2/tasks",
        "/api/v2/tasks/{task}",
        "/api/v2/tasks/changes",
        "/api/v2/projects",
        "/api/v1/auth/me",
        "/api/v2/openapi.json",
        "/api/v2/tasks/00000000-0000-0000-0000-000000000000",  # a 404 stays a 404
    ],
)
async def test_head_answers_as_get_without_the_body(
    client: httpx.AsyncClient, alice: Account, path: str
) -> None:
    task = await new_task(client, alice)
    url = path.format(task=task["id"])
    got = await client.get(url, headers=alice.auth)
    head = await client.head(url, headers=alice.auth)
    assert head.status_code == got.status_code
    assert comparable(head) == comparable(got)
    assert head.content == b""
    assert got.content != b""


async def test_a_revalidated_head_is_not_modified(
    client: httpx.AsyncClient, alice: Account
) -> None:
    task = await new_task(client, alice)
    url = f"/api/v2/tasks/{task['id']}"
    etag = (await client.get(url, headers=alice.auth)).headers["etag"]
    head = await client.head(url, headers={**alice.auth, "If-None-Match": etag})
    assert head.status_code == 304


async def test_head_needs_what_get_needs(client: httpx.AsyncClient) -> None:
    assert (await client.head("/api/v2/tasks")).status_code == 401


async def test_head_is_no_way_into_a_write(client: httpx.AsyncClient) -> None:
    """Only GET routes answer HEAD: a route that writes is as closed to it as to GET."""
    head = await client.head("/api/v1/auth/register")
    assert head.status_code == (await client.get("/api/v1/auth/register")).status_code
    assert head.status_code >= 400
    assert head.content == b""


@pytest.mark.parametrize("path", ["/api/v2/projects", "/api/v2/tasks"])  # a router's, the lane's
async def test_a_head_is_logged_as_a_head_of_its_route(
    client: httpx.AsyncClient, alice: Account, capsys: pytest.CaptureFixture[str], path: str
) -> None:
    capsys.readouterr()
    await client.head(path, headers=alice.auth)
    (line,) = [json.loads(text) for text in capsys.readouterr().out.splitlines()]
    assert (line["method"], line["route"], line["status"]) == ("HEAD", path, 200)
