"""v2 accounts: register, login, profile, password; bodies without envelope, problem details."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from taskmaster.api.v2 import account_schemas as wire
from taskmaster.runtime import Runtime
from tests.api.accounts import BROWSER, V2, bearer, deleted_account, refresh_cookie_of
from tests.api.v1.test_bad_input import everything
from tests.api.v2.answers import PROBLEM, conforms, pointers, problem_of
from tests.conftest import Account, FakeClock

AUTH = V2.auth
REGISTER = f"{AUTH}/register"
LOGIN = f"{AUTH}/login"
PROFILE = f"{AUTH}/profile"
PASSWORD = f"{AUTH}/password"
PROBLEM_SCHEMA = {"$ref": "#/components/schemas/Problem"}
NEWCOMER = {"email": "new@example.com", "password": "long enough 1", "name": "New Comer"}
OPERATIONS = {
    "register": ("post", REGISTER),
    "login": ("post", LOGIN),
    "getProfile": ("get", PROFILE),
    "changePassword": ("post", PASSWORD),
    "refreshSession": ("post", f"{AUTH}/refresh"),
    "revokeRefreshToken": ("post", f"{AUTH}/revoke"),
    "logout": ("post", f"{AUTH}/logout"),
    "logoutEverywhere": ("post", f"{AUTH}/logout-all"),
    "listSessions": ("get", f"{AUTH}/sessions"),
    "endSession": ("delete", f"{AUTH}/sessions/{{sessionId}}"),
    "deleteAccount": ("delete", PROFILE),
    "finishLogin": ("post", f"{AUTH}/login/second-step"),
    "reauthenticate": ("post", f"{AUTH}/reauthenticate"),
    "getTotp": ("get", f"{AUTH}/totp"),
    "beginTotpEnrolment": ("post", f"{AUTH}/totp/enrolment"),
    "confirmTotpEnrolment": ("post", f"{AUTH}/totp/confirmation"),
    "renewRecoveryCodes": ("post", f"{AUTH}/totp/recovery-codes"),
    "turnOffTotp": ("delete", f"{AUTH}/totp"),
    "listSecurityEvents": ("get", f"{AUTH}/security-log"),
    "listPasskeys": ("get", f"{AUTH}/passkeys"),
    "beginPasskeyRegistration": ("post", f"{AUTH}/passkeys/registration"),
    "addPasskey": ("post", f"{AUTH}/passkeys"),
    "removePasskey": ("delete", f"{AUTH}/passkeys/{{passkeyId}}"),
    "beginPasskeyAssertion": ("post", f"{AUTH}/passkeys/assertion"),
    "loginWithPasskey": ("post", f"{AUTH}/login/passkey"),
}


# Registering


async def test_register_answers_the_user_and_tokens(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    response = await client.post(
        REGISTER, json={"email": "New@Example.com", "password": "long enough", "name": " Nia "}
    )
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    conforms(wire.SignedIn, body)
    assert body["user"] == {"id": body["user"]["id"], "email": "new@example.com", "name": "Nia"}
    assert body["expiresIn"] == 900
    cookie = refresh_cookie_of(response)
    assert (cookie.value, cookie["path"]) == (body["refreshToken"], "/api/v2/auth")
    profile = await client.get(PROFILE, headers=bearer(body["accessToken"]))
    assert profile.json() == {
        **body["user"],
        "createdAt": clock.now.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }
    conforms(wire.Profile, profile.json())


async def test_unicode_names_and_addresses_are_kept(client: httpx.AsyncClient) -> None:
    response = await client.post(
        REGISTER, json={"email": "Zoë@Exämple.com", "password": "long enough", "name": "Zoë ✓ 😀"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["user"]["name"] == "Zoë ✓ 😀"
    email = response.json()["user"]["email"]
    login = await client.post(LOGIN, json={"email": email.upper(), "password": "long enough"})
    assert login.json()["user"] == response.json()["user"]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({}, ["#/email", "#/password", "#/name"]),
        ({"email": "a@example.com", "password": "long enough"}, ["#/name"]),
        ({**NEWCOMER, "email": ""}, ["#/email"]),
        ({**NEWCOMER, "email": None}, ["#/email"]),
        ({**NEWCOMER, "email": 123}, ["#/email"]),
        ({**NEWCOMER, "email": ["a@example.com"]}, ["#/email"]),
        ({**NEWCOMER, "email": "a" * 243 + "@example.com"}, ["#/email"]),  # 255 characters
        ({**NEWCOMER, "name": "   "}, ["#/name"]),
        ({**NEWCOMER, "name": "n" * 101}, ["#/name"]),
        ({**NEWCOMER, "name": "n" * 100_000}, ["#/name"]),
        ({**NEWCOMER, "name": False}, ["#/name"]),
        ({**NEWCOMER, "name": "nul \x00 byte"}, ["#/name"]),
        ({**NEWCOMER, "password": "1234567"}, ["#/password"]),
        ({**NEWCOMER, "password": "p" * 129}, ["#/password"]),
        ({**NEWCOMER, "password": 12345678}, ["#/password"]),
        ({**NEWCOMER, "nickname": "Newt"}, ["#/nickname"]),
        ({**NEWCOMER, "Email": "new@example.com"}, ["#/Email"]),
    ],
)
async def test_register_points_at_each_member_that_is_wrong(
    client: httpx.AsyncClient, runtime: Runtime, payload: dict[str, Any], expected: list[str]
) -> None:
    before = await everything(runtime)
    assert pointers(await client.post(REGISTER, json=payload)) == expected
    assert await everything(runtime) == before


async def test_an_unknown_member_is_named_as_such(client: httpx.AsyncClient) -> None:
    response = await client.post(REGISTER, json={**NEWCOMER, "admin": True})
    assert problem_of(response, 400, "invalid-request")["errors"] == [
        {"pointer": "#/admin", "detail": "is not a member of this body"}
    ]


async def test_an_invalid_email_is_pointed_at_in_the_service_s_words(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(REGISTER, json={**NEWCOMER, "email": "not-an-email"})
    assert problem_of(response, 400, "invalid-request")["errors"] == [
        {"pointer": "#/email", "detail": "Please provide a valid email address"}
    ]


async def test_register_refuses_what_the_service_refuses(client: httpx.AsyncClient) -> None:
    response = await client.post(REGISTER, json={**NEWCOMER, "password": "Qwerty123"})
    assert problem_of(response, 400, "invalid-request")["detail"] == (
        "This password is too common. Please choose a less guessable one"
    )


async def test_an_email_is_taken_whatever_its_case(
    client: httpx.AsyncClient, alice: Account
) -> None:
    response = await client.post(REGISTER, json={**NEWCOMER, "email": "ALICE@example.COM"})
    assert problem_of(response, 409, "conflict")["detail"] == "User with this email already exists"


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"", "Malformed JSON in request body"),
        (b"{", "Malformed JSON in request body"),
        (b'{"email": "a@example.com",}', "Malformed JSON in request body"),
        (b'{"name": "\\ud800"}', "Malformed JSON in request body"),  # a lone surrogate
        (b'{"name": "\xff\xfe"}', "Malformed JSON in request body"),
        (b"[" * 10_000, "Malformed JSON in request body"),
        (b"[]", "Request body must be a JSON object"),
        (b'"email"', "Request body must be a JSON object"),
        (b"null", "Request body must be a JSON object"),
    ],
)
async def test_a_body_that_is_no_json_object(
    client: httpx.AsyncClient, content: bytes, detail: str
) -> None:
    for path in (REGISTER, LOGIN):
        response = await client.post(
            path, content=content, headers={"Content-Type": "application/json"}
        )
        body = problem_of(response, 400, "invalid-request")
        assert body["detail"] == detail
        assert body["errors"] == [{"pointer": "#", "detail": detail}]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "multipart/form-data; boundary=x"},
    ],
)
async def test_a_body_must_say_it_is_json(
    client: httpx.AsyncClient, alice: Account, headers: dict[str, str]
) -> None:
    """No HTML form can send JSON: another site cannot sign a visitor in (login CSRF)."""
    content = b'{"email": "alice@example.com", "password": "correct horse 1"}'
    for path in (REGISTER, LOGIN):
        response = await client.post(path, content=content, headers=headers)
        assert problem_of(response, 415, "unsupported-media-type")["errors"] == [
            {"header": "Content-Type", "detail": "Content-Type must be application/json"}
        ]


async def test_a_body_over_the_limit_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(REGISTER, json={**NEWCOMER, "name": "n" * 1024 * 1024})
    problem_of(response, 413, "payload-too-large")


# Signing in


async def test_login_answers_the_user_and_tokens(client: httpx.AsyncClient, alice: Account) -> None:
    response = await client.post(
        LOGIN, json={"email": "Alice@Example.com", "password": alice.password}
    )
    assert response.status_code == 200
    body = response.json()
    conforms(wire.SignedIn, body)
    assert body["user"] == {"id": alice.id, "email": alice.email, "name": "Tess Ter"}
    assert refresh_cookie_of(response).value == body["refreshToken"]
    assert (await client.get(PROFILE, headers=bearer(body["accessToken"]))).status_code == 200


async def test_the_browser_app_gets_the_refresh_token_as_a_cookie_only(
    client: httpx.AsyncClient, alice: Account
) -> None:
    response = await client.post(
        LOGIN, json={"email": alice.email, "password": alice.password}, headers=BROWSER
    )
    body = response.json()
    conforms(wire.SignedIn, body)
    assert "refreshToken" not in body
    cookie = refresh_cookie_of(response)
    assert cookie["httponly"] is True
    assert cookie["path"] == "/api/v2/auth"
    assert len(cookie.value) >= 43  # 256 bits, base64url


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({}, ["#/email", "#/password"]),
        ({"email": "alice@example.com"}, ["#/password"]),
        ({"email": "", "password": ""}, ["#/email", "#/password"]),
        ({"email": 1, "password": "correct horse 1"}, ["#/email"]),
        ({"email": "alice@example.com", "password": ["correct horse 1"]}, ["#/password"]),
        ({"email": "alice@example.com", "password": "x", "remember": True}, ["#/remember"]),
        ({"email": "alice\x00@example.com", "password": "correct horse 1"}, ["#/email"]),
    ],
)
async def test_login_points_at_each_member_that_is_wrong(
    client: httpx.AsyncClient, alice: Account, payload: dict[str, Any], expected: list[str]
) -> None:
    assert pointers(await client.post(LOGIN, json=payload)) == expected


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("alice@example.com", "wrong password"),
        ("nobody@example.com", "wrong password"),
        ("alice@example.com", "p" * 100_000),
        ("a" * 100_000 + "@example.com", "correct horse 1"),
    ],
)
async def test_login_answers_the_same_for_any_wrong_credentials(
    client: httpx.AsyncClient, alice: Account, email: str, password: str
) -> None:
    response = await client.post(LOGIN, json={"email": email, "password": password})
    assert problem_of(response, 401, "unauthorized")["detail"] == "Invalid email or password"
    assert "set-cookie" not in response.headers


async def test_repeated_failures_are_rate_limited(
    client: httpx.AsyncClient, alice: Account
) -> None:
    wrong = {"email": alice.email, "password": "not the password"}
    for _ in range(5):
        problem_of(await client.post(LOGIN, json=wrong), 401, "unauthorized")
    locked = await client.post(LOGIN, json={"email": alice.email, "password": alice.password})
    problem_of(locked, 429, "rate-limited")
    assert int(locked.headers["Retry-After"]) > 0


async def test_the_unversioned_path_speaks_v2_when_asked(
    client: httpx.AsyncClient, alice: Account
) -> None:
    response = await client.post(
        "/api/auth/login",
        json={"email": alice.email, "password": alice.password},
        headers={"API-Version": "v2"},
    )
    conforms(wire.SignedIn, response.json())
    refused = await client.get("/api/auth/profile", headers={"API-Version": "v2"})
    problem_of(refused, 401, "unauthorized")


# The profile


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "No token provided. Access denied."),
        ({"Authorization": "Token abc"}, "No token provided. Access denied."),
        ({"Authorization": "Bearer not.a.jwt"}, "Invalid token. Access denied."),
    ],
)
async def test_the_profile_needs_a_valid_token(
    client: httpx.AsyncClient, headers: dict[str, str], detail: str
) -> None:
    response = await client.get(PROFILE, headers=headers)
    assert problem_of(response, 401, "unauthorized")["detail"] == detail


async def test_an_expired_token_asks_to_login_again(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    clock.advance(minutes=14, seconds=59)
    assert (await client.get(PROFILE, headers=alice.auth)).status_code == 200
    clock.advance(seconds=1)
    response = await client.get(PROFILE, headers=alice.auth)
    assert problem_of(response, 401, "unauthorized")["detail"] == (
        "Token expired. Please login again."
    )


async def test_the_profile_of_a_deleted_user_is_not_found(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    account = await deleted_account(client, runtime)
    response = await client.get(PROFILE, headers=account.auth)
    assert problem_of(response, 404, "not-found")["detail"] == "User not found"


# Changing the password


async def test_a_password_change_ends_every_other_session(
    client: httpx.AsyncClient, alice: Account
) -> None:
    other = (
        await client.post(LOGIN, json={"email": alice.email, "password": alice.password})
    ).json()
    response = await client.post(
        PASSWORD,
        json={"currentPassword": alice.password, "newPassword": "a brand new secret"},
        headers=alice.auth,
    )
    assert (response.status_code, response.json()) == (200, {"endedSessions": 1})
    assert (await client.get(PROFILE, headers=alice.auth)).status_code == 200
    problem_of(await client.get(PROFILE, headers=bearer(other["accessToken"])), 401, "unauthorized")
    old = await client.post(LOGIN, json={"email": alice.email, "password": alice.password})
    problem_of(old, 401, "unauthorized")
    new = await client.post(LOGIN, json={"email": alice.email, "password": "a brand new secret"})
    assert new.status_code == 200


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"newPassword": "a brand new secret"}, ["#/currentPassword"]),
        ({"currentPassword": "correct horse 1", "newPassword": "short"}, ["#/newPassword"]),
        ({"currentPassword": "correct horse 1", "newPassword": None}, ["#/newPassword"]),
        (
            {"current_password": "correct horse 1", "newPassword": "a brand new secret"},
            ["#/currentPassword", "#/current_password"],
        ),
    ],
)
async def test_a_password_change_points_at_each_member_that_is_wrong(
    client: httpx.AsyncClient, alice: Account, payload: dict[str, Any], expected: list[str]
) -> None:
    assert pointers(await client.post(PASSWORD, json=payload, headers=alice.auth)) == expected


@pytest.mark.parametrize(
    ("new_password", "detail"),
    [
        ("password123", "This password is too common. Please choose a less guessable one"),
        ("correct horse 1", "New password must be different from the current password"),
    ],
)
async def test_a_password_change_refuses_what_the_service_refuses(
    client: httpx.AsyncClient, alice: Account, new_password: str, detail: str
) -> None:
    response = await client.post(
        PASSWORD,
        json={"currentPassword": alice.password, "newPassword": new_password},
        headers=alice.auth,
    )
    assert problem_of(response, 400, "invalid-request")["detail"] == detail
    again = await client.post(LOGIN, json={"email": alice.email, "password": alice.password})
    assert again.status_code == 200


async def test_a_wrong_current_password_changes_nothing(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime
) -> None:
    before = await everything(runtime)
    response = await client.post(
        PASSWORD,
        json={"currentPassword": "wrong password", "newPassword": "a brand new secret"},
        headers=alice.auth,
    )
    assert problem_of(response, 400, "invalid-request")["detail"] == (
        "Current password is incorrect"
    )
    assert await everything(runtime) == before


async def test_a_password_change_asks_who_before_reading_the_body(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(PASSWORD, content=b"{", headers={"Content-Type": "text/plain"})
    problem_of(response, 401, "unauthorized")


# The schema


async def test_the_schema_documents_every_operation(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/v2/openapi.json")).json()
    found = {
        operation["operationId"]: (method, path)
        for path, methods in document["paths"].items()
        if path.startswith(AUTH)
        for method, operation in methods.items()
    }
    assert found == OPERATIONS
    for method, path in OPERATIONS.values():
        responses = document["paths"][path][method]["responses"]
        failures = {status: r for status, r in responses.items() if not status.startswith("2")}
        assert "400" in failures or "401" in failures, path
        for failure in failures.values():  # problem documents only: no FastAPI 422
            assert failure["content"] == {PROBLEM: {"schema": PROBLEM_SCHEMA}}


async def test_the_schema_documents_bodies_and_answers(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/v2/openapi.json")).json()
    paths, schemas = document["paths"], document["components"]["schemas"]
    register_body = paths[REGISTER]["post"]["requestBody"]
    assert register_body["required"] is True
    schema = register_body["content"]["application/json"]["schema"]
    assert (set(schema["properties"]), schema["additionalProperties"]) == (
        {"email", "password", "name"},
        False,
    )
    refresh_body = paths[f"{AUTH}/refresh"]["post"]["requestBody"]
    assert refresh_body["required"] is False
    assert set(refresh_body["content"]["application/json"]["schema"]["properties"]) == {
        "refreshToken"
    }
    created = paths[REGISTER]["post"]["responses"]["201"]["content"]["application/json"]
    assert created["schema"] == {"$ref": "#/components/schemas/SignedIn"}
    assert set(schemas["SignedIn"]["properties"]) == {
        "user",
        "accessToken",
        "expiresIn",
        "refreshToken",
    }
    assert "refreshToken" not in schemas["SignedIn"]["required"]
    [session_id] = paths[f"{AUTH}/sessions/{{sessionId}}"]["delete"]["parameters"]
    assert (session_id["name"], session_id["in"], session_id["schema"]["format"]) == (
        "sessionId",
        "path",
        "uuid",
    )
    signed_in = [
        name
        for name, (method, path) in OPERATIONS.items()
        if paths[path][method].get("security") == [{"bearer": []}]
    ]
    assert signed_in == [
        "getProfile",
        "changePassword",
        "logoutEverywhere",
        "listSessions",
        "endSession",
        "deleteAccount",
        "reauthenticate",
        "getTotp",
        "beginTotpEnrolment",
        "confirmTotpEnrolment",
        "renewRecoveryCodes",
        "turnOffTotp",
        "listSecurityEvents",
        "listPasskeys",
        "beginPasskeyRegistration",
        "addPasskey",
        "removePasskey",
    ]
