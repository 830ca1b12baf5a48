"""v2 sessions: rotation, reuse, the cookie on v2's path, revoke, logout, the list.

The rules both versions keep alike (reuse, two tabs, cross-site cookies): test_session_rules.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from taskmaster.api.cookies import cookie_path
from taskmaster.api.v2 import account_schemas as wire
from taskmaster.config import Settings
from taskmaster.runtime import Runtime
from tests.api.accounts import BROWSER, FORGED, V2, bearer, refresh_cookie_of
from tests.api.v2.answers import conforms, pointers, problem_of
from tests.conftest import Account, FakeClock, database_down, store_down
from tests.waiting import eventually

AUTH = V2.auth
REUSED = "Refresh token reuse detected. Every session of this sign-in has been ended."
JSON = {"Content-Type": "application/json"}
sign_in, refresh, profile_status = V2.sign_in, V2.refresh, V2.profile_status


def clears_the_cookie(response: httpx.Response) -> bool:
    cookie = refresh_cookie_of(response)
    return (cookie.value, cookie["max-age"], cookie["path"]) == ("", "0", "/api/v2/auth")


# Refreshing


async def test_refresh_rotates_and_the_new_tokens_work(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    first = await sign_in(client, alice)
    clock.advance(minutes=20)  # the access token has expired meanwhile
    assert await profile_status(client, first["accessToken"]) == 401
    response = await refresh(client, first["refreshToken"])
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    second = response.json()
    conforms(wire.SignedIn, second)
    assert second["user"] == first["user"]
    assert second["refreshToken"] != first["refreshToken"]
    assert refresh_cookie_of(response).value == second["refreshToken"]
    assert await profile_status(client, second["accessToken"]) == 200
    assert (await refresh(client, second["refreshToken"])).status_code == 200


async def test_reuse_of_a_rotated_token_ends_the_whole_family(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime, clock: FakeClock
) -> None:
    first = await sign_in(client, alice)
    second = (await refresh(client, first["refreshToken"])).json()
    clock.advance(seconds=runtime.settings.refresh_reuse_grace_seconds + 1)
    reuse = await refresh(client, first["refreshToken"])
    assert problem_of(reuse, 401, "unauthorized")["detail"] == REUSED
    assert clears_the_cookie(reuse)
    # Every token of the family is dead, and so are the family's access tokens, at once.
    problem_of(await refresh(client, second["refreshToken"]), 401, "unauthorized")
    assert await profile_status(client, second["accessToken"]) == 401


async def test_refresh_tokens_expire_thirty_days_after_sign_in(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    token = (await sign_in(client, alice))["refreshToken"]
    clock.advance(days=29)
    token = (await refresh(client, token)).json()["refreshToken"]
    clock.advance(days=1)  # absolute: refreshing did not extend the session
    response = await refresh(client, token)
    assert problem_of(response, 401, "unauthorized")["detail"] == (
        "Refresh token expired. Please login again."
    )
    assert clears_the_cookie(response)


@pytest.mark.parametrize("token", ["not-a-token", "x" * 43, "ü" * 10_000])
async def test_unknown_refresh_tokens_are_refused(client: httpx.AsyncClient, token: str) -> None:
    response = await refresh(client, token)
    assert problem_of(response, 401, "unauthorized")["detail"] == (
        "Invalid refresh token. Please login again."
    )
    assert clears_the_cookie(response)


@pytest.mark.parametrize(
    "request_body",
    [
        {"content": b""},
        {"content": b"  \n"},
        {"json": {}},
        {"json": {"refreshToken": None}},
    ],
)
async def test_without_any_refresh_token_there_is_nothing_to_refresh(
    client: httpx.AsyncClient, request_body: dict[str, Any]
) -> None:
    response = await client.post(f"{AUTH}/refresh", **request_body)
    assert problem_of(response, 401, "unauthorized")["detail"] == "No refresh token provided"


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"refreshToken": ""}, ["#/refreshToken"]),
        ({"refreshToken": 5}, ["#/refreshToken"]),
        ({"refreshToken": ["a"]}, ["#/refreshToken"]),
        ({"refreshToken": "nul\x00"}, ["#/refreshToken"]),
        ({"token": "abc"}, ["#/token"]),
        ({"refresh_token": "abc"}, ["#/refresh_token"]),
    ],
)
async def test_a_malformed_token_body_is_pointed_at(
    client: httpx.AsyncClient, payload: dict[str, Any], expected: list[str]
) -> None:
    for path in ("refresh", "revoke", "logout"):
        assert pointers(await client.post(f"{AUTH}/{path}", json=payload)) == expected


async def test_a_token_body_must_say_it_is_json(client: httpx.AsyncClient, alice: Account) -> None:
    token = (await sign_in(client, alice))["refreshToken"]
    content = f'{{"refreshToken": "{token}"}}'.encode()
    for path in ("refresh", "revoke", "logout"):
        response = await client.post(
            f"{AUTH}/{path}", content=content, headers={"Content-Type": "text/plain"}
        )
        problem_of(response, 415, "unsupported-media-type")
        malformed = await client.post(f"{AUTH}/{path}", content=b"{", headers=JSON)
        assert problem_of(malformed, 400, "invalid-request")["detail"] == (
            "Malformed JSON in request body"
        )
    assert (await refresh(client, token)).status_code == 200  # nothing was revoked


# The cookie


async def test_a_v1_cookie_is_not_sent_to_v2(client: httpx.AsyncClient, alice: Account) -> None:
    """Each version's cookie lives on its own path; the browser sends v2's to v2 only."""
    v1 = await client.post(
        "/api/v1/auth/login",
        json={"email": alice.email, "password": alice.password},
        headers=BROWSER,
    )
    assert refresh_cookie_of(v1)["path"] == "/api/v1/auth"
    response = await client.post(f"{AUTH}/refresh", headers=BROWSER)
    assert problem_of(response, 401, "unauthorized")["detail"] == "No refresh token provided"
    assert (await client.post("/api/v1/auth/refresh", headers=BROWSER)).status_code == 200


@pytest.mark.parametrize(("headers", "detail"), FORGED)
async def test_the_cookie_is_useless_to_another_site(
    client: httpx.AsyncClient, alice: Account, headers: dict[str, str], detail: str
) -> None:
    here = await sign_in(client, alice, **BROWSER)
    for path in ("refresh", "logout", "revoke"):
        response = await client.post(f"{AUTH}/{path}", headers=headers)
        assert problem_of(response, 403, "forbidden")["detail"] == detail
    assert await profile_status(client, here["accessToken"]) == 200  # nothing was ended


@pytest.mark.parametrize(
    ("configured", "v1", "v2"),
    [
        ("/api/v1/auth", "/api/v1/auth", "/api/v2/auth"),
        ("/api/v1", "/api/v1", "/api/v2"),
        ("/api", "/api", "/api"),
        ("/", "/", "/"),
        ("/api/v10/auth", "/api/v10/auth", "/api/v10/auth"),
    ],
)
def test_each_version_has_the_cookie_on_its_own_path(configured: str, v1: str, v2: str) -> None:
    settings = Settings(_env_file=None, refresh_cookie_path=configured)
    assert (cookie_path(settings), cookie_path(settings, "/api/v2")) == (v1, v2)


# Revoking and logging out


async def test_revoke_ends_the_family_and_clears_the_cookie(
    client: httpx.AsyncClient, alice: Account
) -> None:
    data = await sign_in(client, alice)
    response = await client.post(f"{AUTH}/revoke", json={"refreshToken": data["refreshToken"]})
    assert (response.status_code, response.content) == (204, b"")
    assert clears_the_cookie(response)
    assert (await refresh(client, data["refreshToken"])).status_code == 401
    assert await profile_status(client, data["accessToken"]) == 401
    unknown = await client.post(f"{AUTH}/revoke", json={"refreshToken": "unknown"})
    assert unknown.status_code == 204  # RFC 7009: nothing to say about unknown tokens
    nothing = await client.post(f"{AUTH}/revoke")
    assert nothing.status_code == 204


async def test_revoke_with_the_cookie(client: httpx.AsyncClient, alice: Account) -> None:
    here = await sign_in(client, alice, **BROWSER)
    response = await client.post(f"{AUTH}/revoke", headers=BROWSER)
    assert response.status_code == 204
    assert await profile_status(client, here["accessToken"]) == 401


async def test_logout_ends_this_session_and_clears_the_cookie(
    client: httpx.AsyncClient, alice: Account
) -> None:
    elsewhere = await sign_in(client, alice)
    here = await sign_in(client, alice, **BROWSER)  # the client keeps this one's cookie
    response = await client.post(
        f"{AUTH}/logout", headers={**BROWSER, **bearer(here["accessToken"])}
    )
    assert (response.status_code, response.content) == (204, b"")
    assert clears_the_cookie(response)
    assert await profile_status(client, here["accessToken"]) == 401
    assert await profile_status(client, elsewhere["accessToken"]) == 200


async def test_a_logout_whose_commit_fails_ends_nothing(
    client: httpx.AsyncClient, alice: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(AsyncSession, "commit", database_down)
    problem_of(await client.post(f"{AUTH}/logout", headers=alice.auth), 503, "unavailable")
    monkeypatch.undo()
    assert await profile_status(client, alice.token) == 200  # nothing was half-done
    assert (await client.post(f"{AUTH}/logout", headers=alice.auth)).status_code == 204
    assert await profile_status(client, alice.token) == 401


async def test_a_logout_while_the_store_is_down_is_shared_once_it_is_back(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_in = await sign_in(client, alice)
    monkeypatch.setattr(runtime.store, "set", store_down)
    logout = await client.post(f"{AUTH}/logout", headers=bearer(signed_in["accessToken"]))
    assert logout.status_code == 204  # committed: the database has it
    assert (await refresh(client, signed_in["refreshToken"])).status_code == 401
    monkeypatch.undo()

    async def refused() -> bool:
        return await profile_status(client, signed_in["accessToken"]) == 401

    await eventually(refused, what="the relay sharing the ended session")
    assert await profile_status(client, alice.token) == 200  # only that session ended


async def test_logout_all_ends_every_session(client: httpx.AsyncClient, alice: Account) -> None:
    sessions = [await sign_in(client, alice) for _ in range(3)]
    response = await client.post(f"{AUTH}/logout-all", headers=bearer(sessions[0]["accessToken"]))
    assert (response.status_code, response.json()) == (200, {"endedSessions": 4})
    assert clears_the_cookie(response)
    for data in sessions:
        assert (await refresh(client, data["refreshToken"])).status_code == 401
        assert await profile_status(client, data["accessToken"]) == 401
    problem_of(await client.post(f"{AUTH}/logout-all"), 401, "unauthorized")


# The session list


async def test_sessions_are_listed_and_ended_one_by_one(
    client: httpx.AsyncClient, alice: Account, bob: Account, clock: FakeClock
) -> None:
    clock.advance(seconds=1)
    phone = await sign_in(client, alice, **{"User-Agent": "Phone/1.0"})
    clock.advance(seconds=1)
    laptop = await sign_in(client, alice, **{"User-Agent": "Laptop/2.0"})
    listed = (await client.get(f"{AUTH}/sessions", headers=bearer(laptop["accessToken"]))).json()
    conforms(wire.SessionPage, listed)
    assert listed["nextCursor"] is None
    assert [(s["userAgent"], s["current"]) for s in listed["items"]] == [
        ("Laptop/2.0", True),
        ("Phone/1.0", False),
        ("python-httpx/" + httpx.__version__, False),
    ]
    phone_id = listed["items"][1]["id"]
    # Another user cannot end it, nor see that it exists.
    foreign = await client.delete(f"{AUTH}/sessions/{phone_id}", headers=bob.auth)
    assert problem_of(foreign, 404, "not-found")["detail"] == "Session not found"
    unknown = await client.delete(f"{AUTH}/sessions/{uuid.uuid4()}", headers=alice.auth)
    problem_of(unknown, 404, "not-found")
    ended = await client.delete(
        f"{AUTH}/sessions/{phone_id}", headers=bearer(laptop["accessToken"])
    )
    assert (ended.status_code, ended.content) == (204, b"")
    assert await profile_status(client, phone["accessToken"]) == 401
    assert (await refresh(client, phone["refreshToken"])).status_code == 401
    remaining = await client.get(f"{AUTH}/sessions", headers=bearer(laptop["accessToken"]))
    assert phone_id not in [s["id"] for s in remaining.json()["items"]]


@pytest.mark.parametrize("session_id", ["nope", "1", "%C3%BC" * 50, "00000000-0000-0000-0000"])
async def test_a_malformed_session_id_names_the_path_parameter(
    client: httpx.AsyncClient, alice: Account, session_id: str
) -> None:
    response = await client.delete(f"{AUTH}/sessions/{session_id}", headers=alice.auth)
    [error] = problem_of(response, 400, "invalid-request")["errors"]
    assert (error["parameter"], error["detail"].split(",")[0]) == (
        "sessionId",
        "Input should be a valid UUID",
    )


async def test_the_session_list_needs_a_valid_token(client: httpx.AsyncClient) -> None:
    problem_of(await client.get(f"{AUTH}/sessions"), 401, "unauthorized")
    missing = await client.delete(f"{AUTH}/sessions/nope")
    problem_of(missing, 401, "unauthorized")  # who is asking comes first
