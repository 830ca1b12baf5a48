"""The v1 accounts contract: register, login, profile, with every message of the MVP."""

from __future__ import annotations

import httpx
import pytest

from taskmaster.runtime import Runtime
from tests.api.accounts import deleted_account
from tests.conftest import Account, FakeClock

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
PROFILE = "/api/v1/auth/profile"


def error(response: httpx.Response) -> tuple[int, object]:
    return response.status_code, response.json()


async def test_register_returns_the_user_and_a_working_token(client: httpx.AsyncClient) -> None:
    response = await client.post(
        REGISTER, json={"email": "New@Example.com", "password": "long enough", "name": " Nia "}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "User registered successfully"
    assert body["data"]["user"] == {
        "id": body["data"]["user"]["id"],
        "email": "new@example.com",
        "name": "Nia",
    }
    profile = await client.get(
        PROFILE, headers={"Authorization": f"Bearer {body['data']['token']}"}
    )
    assert profile.json()["data"]["email"] == "new@example.com"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"email": "a@example.com", "password": "long enough"},
        {"email": "a@example.com", "name": "A"},
        {"password": "long enough", "name": "A"},
        {"email": "", "password": "long enough", "name": "A"},
        {"email": "a@example.com", "password": "long enough", "name": "   "},
        {"email": None, "password": "long enough", "name": "A"},
    ],
)
async def test_register_requires_every_field(
    client: httpx.AsyncClient, payload: dict[str, object]
) -> None:
    assert error(await client.post(REGISTER, json=payload)) == (
        400,
        {"success": False, "error": "Please provide email, password, and name"},
    )


async def test_register_refuses_a_short_password(client: httpx.AsyncClient) -> None:
    response = await client.post(
        REGISTER, json={"email": "a@example.com", "password": "1234567", "name": "A"}
    )
    assert error(response) == (
        400,
        {"success": False, "error": "Password must be at least 8 characters long"},
    )


async def test_register_refuses_an_invalid_email_with_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        REGISTER, json={"email": "not-an-email", "password": "long enough", "name": "A"}
    )
    assert error(response) == (
        400,
        {"success": False, "error": "Please provide a valid email address"},
    )


async def test_email_is_unique_whatever_its_case(client: httpx.AsyncClient, alice: Account) -> None:
    response = await client.post(
        REGISTER, json={"email": "ALICE@example.COM", "password": "long enough", "name": "A"}
    )
    assert error(response) == (
        409,
        {"success": False, "error": "User with this email already exists"},
    )


async def test_login_returns_the_user_and_a_token(
    client: httpx.AsyncClient, alice: Account
) -> None:
    response = await client.post(
        LOGIN, json={"email": "Alice@Example.com", "password": alice.password}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Login successful"
    assert body["data"]["user"] == {"id": alice.id, "email": alice.email, "name": "Tess Ter"}
    assert (
        await client.get(PROFILE, headers={"Authorization": f"Bearer {body['data']['token']}"})
    ).status_code == 200


@pytest.mark.parametrize(
    "payload", [{}, {"email": "a@example.com"}, {"password": "x"}, {"email": "", "password": ""}]
)
async def test_login_requires_email_and_password(
    client: httpx.AsyncClient, payload: dict[str, str]
) -> None:
    assert error(await client.post(LOGIN, json=payload)) == (
        400,
        {"success": False, "error": "Please provide email and password"},
    )


async def test_login_answers_the_same_for_unknown_email_and_wrong_password(
    client: httpx.AsyncClient, alice: Account
) -> None:
    wrong_password = await client.post(
        LOGIN, json={"email": alice.email, "password": "wrong password"}
    )
    unknown_email = await client.post(
        LOGIN, json={"email": "nobody@example.com", "password": "wrong password"}
    )
    expected = (401, {"success": False, "error": "Invalid email or password"})
    assert error(wrong_password) == expected
    assert error(unknown_email) == expected


async def test_profile_includes_created_at(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    response = await client.get(PROFILE, headers=alice.auth)
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "data": {
            "id": alice.id,
            "email": alice.email,
            "name": "Tess Ter",
            "createdAt": clock.now.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        },
    }


async def test_profile_of_a_deleted_user_is_not_found(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    account = await deleted_account(client, runtime)
    assert error(await client.get(PROFILE, headers=account.auth)) == (
        404,
        {"success": False, "error": "User not found"},
    )


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "No token provided. Access denied."),
        ({"Authorization": "Token abc"}, "No token provided. Access denied."),
        ({"Authorization": "Bearer "}, "No token provided. Access denied."),
        ({"Authorization": "Bearer not.a.jwt"}, "Invalid token. Access denied."),
    ],
)
async def test_missing_and_malformed_tokens(
    client: httpx.AsyncClient, headers: dict[str, str], message: str
) -> None:
    assert error(await client.get(PROFILE, headers=headers)) == (
        401,
        {"success": False, "error": message},
    )


async def test_an_expired_token_asks_to_login_again(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    clock.advance(minutes=14, seconds=59)
    assert (await client.get(PROFILE, headers=alice.auth)).status_code == 200
    clock.advance(seconds=1)
    assert error(await client.get(PROFILE, headers=alice.auth)) == (
        401,
        {"success": False, "error": "Token expired. Please login again."},
    )


async def test_unversioned_paths_answer_the_same_contract(
    client: httpx.AsyncClient, alice: Account
) -> None:
    response = await client.post(
        "/api/auth/login", json={"email": alice.email, "password": alice.password}
    )
    assert response.json()["message"] == "Login successful"
    assert (await client.get("/api/auth/profile", headers=alice.auth)).json()["data"][
        "id"
    ] == alice.id
