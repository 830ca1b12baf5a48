"""v1 sessions: rotation, reuse detection, revoke, logout, sessions, password.

The rules both versions keep alike (reuse, two tabs, cross-site cookies): test_session_rules.
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from taskmaster.runtime import Runtime
from tests.api.accounts import BROWSER, FORGED, V1, bearer
from tests.conftest import Account, FakeClock, database_down, store_down
from tests.waiting import eventually

AUTH = V1.auth
sign_in, refresh = V1.sign_in, V1.refresh


async def test_login_issues_both_tokens(client: httpx.AsyncClient, alice: Account) -> None:
    data = await sign_in(client, alice)
    assert data["token"] == data["accessToken"]
    assert data["expiresIn"] == 900
    assert len(data["refreshToken"]) >= 43  # 256 bits, base64url
    assert (await client.get(f"{AUTH}/profile", headers=bearer(data["token"]))).status_code == 200


async def test_refresh_rotates_and_the_new_tokens_work(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    first = await sign_in(client, alice)
    clock.advance(minutes=20)  # the access token has expired meanwhile
    expired = await client.get(f"{AUTH}/profile", headers=bearer(first["token"]))
    assert expired.json()["error"] == "Token expired. Please login again."
    response = await refresh(client, first["refreshToken"])
    assert response.status_code == 200
    second = response.json()["data"]
    assert second["user"]["id"] == alice.id
    assert second["refreshToken"] != first["refreshToken"]
    assert (await client.get(f"{AUTH}/profile", headers=bearer(second["token"]))).status_code == 200
    third = await refresh(client, second["refreshToken"])
    assert third.status_code == 200


async def test_reuse_of_a_rotated_token_ends_the_whole_family(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime, clock: FakeClock
) -> None:
    first = await sign_in(client, alice)
    second = (await refresh(client, first["refreshToken"])).json()["data"]
    clock.advance(seconds=runtime.settings.refresh_reuse_grace_seconds + 1)
    reuse = await refresh(client, first["refreshToken"])
    assert (reuse.status_code, reuse.json()["error"]) == (
        401,
        "Refresh token reuse detected. Every session of this sign-in has been ended.",
    )
    # Every token of the family is dead, and so are the family's access tokens, at once.
    assert (await refresh(client, second["refreshToken"])).status_code == 401
    refused = await client.get(f"{AUTH}/profile", headers=bearer(second["token"]))
    assert (refused.status_code, refused.json()["error"]) == (401, "Invalid token. Access denied.")


async def test_refresh_tokens_expire_thirty_days_after_sign_in(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    token = (await sign_in(client, alice))["refreshToken"]
    clock.advance(days=29)
    token = (await refresh(client, token)).json()["data"]["refreshToken"]
    clock.advance(days=1)  # absolute: refreshing did not extend the session
    response = await refresh(client, token)
    assert (response.status_code, response.json()["error"]) == (
        401,
        "Refresh token expired. Please login again.",
    )


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 43])
async def test_unknown_refresh_tokens_are_refused(client: httpx.AsyncClient, token: str) -> None:
    response = await client.post(f"{AUTH}/refresh", json={"refreshToken": token})
    assert response.status_code == 401
    assert response.json()["success"] is False


@pytest.mark.parametrize(("headers", "message"), FORGED)
async def test_the_cookie_is_useless_to_another_site(
    client: httpx.AsyncClient, alice: Account, headers: dict[str, str], message: str
) -> None:
    await sign_in(client, alice, **BROWSER)
    for path in ("refresh", "logout", "revoke"):
        response = await client.post(f"{AUTH}/{path}", headers=headers)
        assert (response.status_code, response.json()) == (
            403,
            {"success": False, "error": message},
        )


async def test_revoke_ends_the_family(client: httpx.AsyncClient, alice: Account) -> None:
    data = await sign_in(client, alice)
    response = await client.post(f"{AUTH}/revoke", json={"refreshToken": data["refreshToken"]})
    assert response.json() == {"success": True, "message": "Token revoked"}
    assert (await refresh(client, data["refreshToken"])).status_code == 401
    assert (await client.get(f"{AUTH}/profile", headers=bearer(data["token"]))).status_code == 401
    unknown = await client.post(f"{AUTH}/revoke", json={"refreshToken": "unknown"})
    assert unknown.status_code == 200  # RFC 7009: nothing to say about unknown tokens


async def test_logout_ends_this_session_and_clears_the_cookie(
    client: httpx.AsyncClient, alice: Account
) -> None:
    elsewhere = await sign_in(client, alice)
    here = await sign_in(client, alice, **BROWSER)  # the client keeps this one's cookie
    response = await client.post(f"{AUTH}/logout", headers={**BROWSER, **bearer(here["token"])})
    assert response.json() == {"success": True, "message": "Logged out successfully"}
    assert 'tm_refresh=""' in response.headers["set-cookie"]
    assert "max-age=0" in response.headers["set-cookie"].lower()
    assert (await client.get(f"{AUTH}/profile", headers=bearer(here["token"]))).status_code == 401
    assert (
        await client.get(f"{AUTH}/profile", headers=bearer(elsewhere["token"]))
    ).status_code == 200


async def test_logout_all_ends_every_session(client: httpx.AsyncClient, alice: Account) -> None:
    sessions = [await sign_in(client, alice) for _ in range(3)]
    response = await client.post(f"{AUTH}/logout-all", headers=bearer(sessions[0]["token"]))
    assert response.json()["data"] == {"endedSessions": 4}  # three here, one from registering
    for data in sessions:
        assert (await refresh(client, data["refreshToken"])).status_code == 401
        assert (
            await client.get(f"{AUTH}/profile", headers=bearer(data["token"]))
        ).status_code == 401


async def test_sessions_are_listed_and_ended_one_by_one(
    client: httpx.AsyncClient, alice: Account, bob: Account, clock: FakeClock
) -> None:
    clock.advance(seconds=1)
    phone = await sign_in(client, alice, **{"User-Agent": "Phone/1.0"})
    clock.advance(seconds=1)
    laptop = await sign_in(client, alice, **{"User-Agent": "Laptop/2.0"})
    listed = (await client.get(f"{AUTH}/sessions", headers=bearer(laptop["token"]))).json()["data"]
    assert [(s["userAgent"], s["current"]) for s in listed] == [
        ("Laptop/2.0", True),
        ("Phone/1.0", False),
        ("python-httpx/" + httpx.__version__, False),
    ]
    assert set(listed[0]) == {
        "id",
        "createdAt",
        "lastUsedAt",
        "expiresAt",
        "userAgent",
        "ip",
        "current",
    }
    phone_id = listed[1]["id"]
    # Another user cannot end it, nor see that it exists.
    foreign = await client.delete(f"{AUTH}/sessions/{phone_id}", headers=bob.auth)
    assert (foreign.status_code, foreign.json()["error"]) == (404, "Session not found")
    ended = await client.delete(f"{AUTH}/sessions/{phone_id}", headers=bearer(laptop["token"]))
    assert ended.json() == {"success": True, "message": "Session ended"}
    assert (await client.get(f"{AUTH}/profile", headers=bearer(phone["token"]))).status_code == 401
    assert (await refresh(client, phone["refreshToken"])).status_code == 401
    remaining = (await client.get(f"{AUTH}/sessions", headers=bearer(laptop["token"]))).json()[
        "data"
    ]
    assert phone_id not in [s["id"] for s in remaining]
    invalid = await client.delete(f"{AUTH}/sessions/nope", headers=bearer(laptop["token"]))
    assert (invalid.status_code, invalid.json()["error"]) == (400, "Invalid session id")


async def test_password_change_ends_every_other_session(
    client: httpx.AsyncClient, alice: Account
) -> None:
    other = await sign_in(client, alice)
    response = await client.post(
        f"{AUTH}/password",
        json={"currentPassword": alice.password, "newPassword": "a brand new secret"},
        headers=alice.auth,
    )
    assert response.json() == {
        "success": True,
        "data": {"endedSessions": 1},
        "message": "Password changed successfully",
    }
    assert (await client.get(f"{AUTH}/profile", headers=alice.auth)).status_code == 200
    assert (await client.get(f"{AUTH}/profile", headers=bearer(other["token"]))).status_code == 401
    old = await client.post(
        f"{AUTH}/login", json={"email": alice.email, "password": alice.password}
    )
    assert old.status_code == 401
    new = await client.post(
        f"{AUTH}/login", json={"email": alice.email, "password": "a brand new secret"}
    )
    assert new.status_code == 200


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            {"currentPassword": "wrong password", "newPassword": "a brand new secret"},
            "Current password is incorrect",
        ),
        ({"newPassword": "a brand new secret"}, "Please provide currentPassword and newPassword"),
        (
            {"currentPassword": "correct horse 1", "newPassword": "short"},
            "Password must be at least 8 characters long",
        ),
        (
            {"currentPassword": "correct horse 1", "newPassword": "password123"},
            "This password is too common. Please choose a less guessable one",
        ),
        (
            {"currentPassword": "correct horse 1", "newPassword": "correct horse 1"},
            "New password must be different from the current password",
        ),
    ],
)
async def test_password_change_refusals(
    client: httpx.AsyncClient, alice: Account, payload: dict[str, str], message: str
) -> None:
    response = await client.post(f"{AUTH}/password", json=payload, headers=alice.auth)
    assert (response.status_code, response.json()) == (400, {"success": False, "error": message})
    again = await client.post(
        f"{AUTH}/login", json={"email": alice.email, "password": alice.password}
    )
    assert again.status_code == 200


async def test_common_passwords_are_refused_at_registration(client: httpx.AsyncClient) -> None:
    response = await client.post(
        f"{AUTH}/register", json={"email": "c@example.com", "password": "Qwerty123", "name": "C"}
    )
    assert (response.status_code, response.json()["error"]) == (
        400,
        "This password is too common. Please choose a less guessable one",
    )


async def test_a_logout_whose_commit_fails_ends_nothing(
    client: httpx.AsyncClient, alice: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(AsyncSession, "commit", database_down)
    response = await client.post(f"{AUTH}/logout", headers=alice.auth)
    assert response.status_code == 503
    monkeypatch.undo()
    # Nothing was half-done: the session is still live everywhere, and ends on a retry.
    assert (await client.get(f"{AUTH}/profile", headers=alice.auth)).status_code == 200
    assert (await client.post(f"{AUTH}/logout", headers=alice.auth)).status_code == 200
    assert (await client.get(f"{AUTH}/profile", headers=alice.auth)).status_code == 401


async def test_a_logout_while_the_store_is_down_is_shared_once_it_is_back(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.store, "set", store_down)
    assert (await client.post(f"{AUTH}/logout", headers=alice.auth)).status_code == 200
    monkeypatch.undo()

    async def refused() -> bool:
        profile = await client.get(f"{AUTH}/profile", headers=alice.auth)
        return profile.status_code == 401

    await eventually(refused, what="the relay sharing the ended session")
