"""v2 two-step sign-in: setting up an authenticator app, signing in with its codes or a
recovery code, confirming who is asking, turning it off; and every wrong, replayed, expired or
reused input refused with nothing written."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from taskmaster.api.v2 import account_schemas
from taskmaster.api.v2 import security_schemas as wire
from taskmaster.auth.models import AuthSession, TotpFactor
from taskmaster.auth.totp import STEP_SECONDS, SecretSeal, code_at, step_at
from taskmaster.runtime import Runtime
from tests.api.accounts import BROWSER, bearer, refresh_cookie_of
from tests.api.v1.test_bad_input import everything
from tests.api.v2.answers import conforms, pointers, problem_of
from tests.conftest import Account, FakeClock

AUTH = "/api/v2/auth"
TOTP = f"{AUTH}/totp"
ENROLMENT = f"{TOTP}/enrolment"
CONFIRMATION = f"{TOTP}/confirmation"
RECOVERY_CODES = f"{TOTP}/recovery-codes"
SECOND_STEP = f"{AUTH}/login/second-step"
REAUTHENTICATE = f"{AUTH}/reauthenticate"
LOG = f"{AUTH}/security-log"


def code_now(secret: str, clock: FakeClock, steps: int = 0) -> str:
    return code_at(secret, step_at(clock()) + steps)


async def kinds(client: httpx.AsyncClient, account: Account) -> list[str]:
    """The account's security log, the newest first, as its kinds."""
    response = await client.get(LOG, headers=account.auth, params={"limit": 100})
    assert response.status_code == 200, response.text
    return [event["kind"] for event in response.json()["items"]]


async def turn_on(client: httpx.AsyncClient, account: Account, clock: FakeClock) -> Any:
    """Set up an app for `account`; its secret and recovery codes. The clock moves past the
    code used, so that the next code is a new one."""
    enrolment = await client.post(ENROLMENT, headers=account.auth)
    assert enrolment.status_code == 201, enrolment.text
    secret = enrolment.json()["secret"]
    confirmed = await client.post(
        CONFIRMATION, json={"code": code_now(secret, clock)}, headers=account.auth
    )
    assert confirmed.status_code == 200, confirmed.text
    clock.advance(seconds=STEP_SECONDS)
    return secret, confirmed.json()["recoveryCodes"]


async def first_step(client: httpx.AsyncClient, account: Account) -> dict[str, Any]:
    response = await client.post(
        f"{AUTH}/login", json={"email": account.email, "password": account.password}
    )
    return problem_of(response, 401, "second-factor-required")


async def session_count(runtime: Runtime) -> int:
    async with runtime.db.session() as session:
        return await session.scalar(select(func.count()).select_from(AuthSession)) or 0


# Setting up


async def test_an_app_is_set_up_with_a_first_code(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    assert (await client.get(TOTP, headers=alice.auth)).json() == {
        "enabled": False,
        "enabledAt": None,
        "recoveryCodesLeft": 0,
    }
    enrolment = await client.post(ENROLMENT, headers=alice.auth)
    assert enrolment.status_code == 201
    assert enrolment.headers["cache-control"] == "no-store"
    body = enrolment.json()
    conforms(wire.TotpEnrolment, body)
    assert body["uri"].startswith("otpauth://totp/TaskMaster:alice%40example.com?secret=")
    assert f"secret={body['secret']}" in body["uri"]
    assert "issuer=TaskMaster" in body["uri"]
    # Pending: signing in still takes the password alone.
    assert (await client.get(TOTP, headers=alice.auth)).json()["enabled"] is False

    confirmed = await client.post(
        CONFIRMATION, json={"code": code_now(body["secret"], clock)}, headers=alice.auth
    )
    assert confirmed.status_code == 200, confirmed.text
    codes = confirmed.json()["recoveryCodes"]
    conforms(wire.RecoveryCodes, confirmed.json())
    assert len(set(codes)) == 10
    assert all(len(code) == 19 and code.count("-") == 3 for code in codes)
    status = (await client.get(TOTP, headers=alice.auth)).json()
    assert (status["enabled"], status["recoveryCodesLeft"]) == (True, 10)
    assert (await kinds(client, alice))[0] == "totp-enabled"


async def test_the_secret_is_sealed_at_rest(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime
) -> None:
    secret = (await client.post(ENROLMENT, headers=alice.auth)).json()["secret"]
    async with runtime.db.session() as session:
        stored = await session.scalar(select(TotpFactor.sealed_secret))
    assert stored is not None
    assert secret not in stored
    assert runtime.totp_seal.open(uuid.UUID(alice.id), stored) == secret


@pytest.mark.parametrize("code", ["000000", "12345", "1234567", "abcdef", "١٢٣٤٥٦", ""])
async def test_a_wrong_first_code_enables_nothing(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime, clock: FakeClock, code: str
) -> None:
    secret = (await client.post(ENROLMENT, headers=alice.auth)).json()["secret"]
    if code == "000000" and code_now(secret, clock) == code:
        code = "999999"
    before = await everything(runtime)
    response = await client.post(CONFIRMATION, json={"code": code}, headers=alice.auth)
    assert pointers(response) == ["#/code"]
    assert await everything(runtime) == before
    assert (await client.get(TOTP, headers=alice.auth)).json()["enabled"] is False


async def test_a_set_up_expires_after_ten_minutes(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    secret = (await client.post(ENROLMENT, headers=alice.auth)).json()["secret"]
    clock.advance(minutes=10)
    response = await client.post(
        CONFIRMATION, json={"code": code_now(secret, clock)}, headers=alice.auth
    )
    assert problem_of(response, 410, "gone")["detail"] == (
        "This set-up has expired. Please start again."
    )


async def test_there_is_nothing_to_confirm_without_a_set_up(
    client: httpx.AsyncClient, alice: Account
) -> None:
    response = await client.post(CONFIRMATION, json={"code": "123456"}, headers=alice.auth)
    problem_of(response, 404, "not-found")


async def test_a_second_app_needs_the_first_turned_off(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    await turn_on(client, alice, clock)
    problem_of(await client.post(ENROLMENT, headers=alice.auth), 409, "conflict")


async def test_a_new_set_up_replaces_a_pending_one(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    old = (await client.post(ENROLMENT, headers=alice.auth)).json()["secret"]
    new = (await client.post(ENROLMENT, headers=alice.auth)).json()["secret"]
    assert old != new
    stale = await client.post(CONFIRMATION, json={"code": code_now(old, clock)}, headers=alice.auth)
    if code_now(old, clock) != code_now(new, clock):  # one in a million: the same six digits
        assert pointers(stale) == ["#/code"]
    fresh = await client.post(CONFIRMATION, json={"code": code_now(new, clock)}, headers=alice.auth)
    assert fresh.status_code == 200


# Confirming who is asking


async def test_adding_a_factor_needs_a_recent_confirmation(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    clock.advance(minutes=5)
    response = await client.post(ENROLMENT, headers=alice.auth)
    problem_of(response, 403, "reauthentication-required")
    assert (await client.post(RECOVERY_CODES, headers=alice.auth)).status_code == 403

    wrong = await client.post(REAUTHENTICATE, json={"password": "not it"}, headers=alice.auth)
    problem_of(wrong, 400, "invalid-request")
    assert (await client.post(ENROLMENT, headers=alice.auth)).status_code == 403

    right = await client.post(REAUTHENTICATE, json={"password": alice.password}, headers=alice.auth)
    assert right.status_code == 204
    assert (await client.post(ENROLMENT, headers=alice.auth)).status_code == 201
    log = await kinds(client, alice)
    assert log[:2] == ["reauthenticated", "reauthentication-failed"]


async def test_an_app_code_confirms_too(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    secret, recovery = await turn_on(client, alice, clock)
    clock.advance(minutes=6)
    assert (await client.post(RECOVERY_CODES, headers=alice.auth)).status_code == 403
    confirmed = await client.post(
        REAUTHENTICATE, json={"code": code_now(secret, clock)}, headers=alice.auth
    )
    assert confirmed.status_code == 204
    renewed = await client.post(RECOVERY_CODES, headers=alice.auth)
    assert renewed.status_code == 200
    assert set(renewed.json()["recoveryCodes"]).isdisjoint(recovery)
    # The old codes stopped working.
    old = await client.post(REAUTHENTICATE, json={"recoveryCode": recovery[0]}, headers=alice.auth)
    assert pointers(old) == ["#/recoveryCode"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"password": "x", "code": "123456"},
        {"code": None},
        {"password": None, "recoveryCode": "abcde-fghij"},
        {"code": 123456},
        {"password": "x", "extra": 1},
    ],
)
async def test_a_confirmation_names_exactly_one_proof(
    client: httpx.AsyncClient, alice: Account, body: dict[str, Any]
) -> None:
    response = await client.post(REAUTHENTICATE, json=body, headers=alice.auth)
    problem_of(response, 400, "invalid-request")


# Signing in in two steps


async def test_the_password_alone_yields_no_session(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime, clock: FakeClock
) -> None:
    await turn_on(client, alice, clock)
    sessions = await session_count(runtime)
    problem = await first_step(client, alice)
    assert set(problem) >= {"challenge", "expiresAt", "methods"}
    assert problem["methods"] == ["totp", "recovery-code"]
    assert "accessToken" not in problem
    assert await session_count(runtime) == sessions
    v1 = await client.post(
        "/api/v1/auth/login", json={"email": alice.email, "password": alice.password}
    )
    assert v1.status_code == 401
    assert "two steps" in v1.json()["error"]
    assert await session_count(runtime) == sessions


async def test_a_code_finishes_the_sign_in_once(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime, clock: FakeClock
) -> None:
    secret, _ = await turn_on(client, alice, clock)
    challenge = (await first_step(client, alice))["challenge"]
    code = code_now(secret, clock)
    response = await client.post(
        SECOND_STEP, json={"challenge": challenge, "code": code}, headers=BROWSER
    )
    assert response.status_code == 200, response.text
    conforms(account_schemas.SignedIn, response.json())
    assert refresh_cookie_of(response).value
    token = response.json()["accessToken"]
    assert (await client.get(f"{AUTH}/profile", headers=bearer(token))).status_code == 200

    # The challenge is spent, and so is the code, even with a new challenge.
    again = await client.post(SECOND_STEP, json={"challenge": challenge, "code": code})
    assert problem_of(again, 401, "sign-in-expired")["detail"] == (
        "This sign-in has expired. Please sign in again."
    )
    replay = await client.post(
        SECOND_STEP,
        json={"challenge": (await first_step(client, alice))["challenge"], "code": code},
    )
    assert problem_of(replay, 401, "unauthorized")["detail"].startswith("This code is not valid")
    log = await kinds(client, alice)
    assert log[:2] == ["sign-in-failed", "sign-in"]
    events = (await client.get(LOG, headers=alice.auth)).json()["items"]
    assert events[1]["detail"]["method"] == "password+totp"


async def test_a_wrong_code_is_a_failed_attempt(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime, clock: FakeClock
) -> None:
    secret, _ = await turn_on(client, alice, clock)
    challenge = (await first_step(client, alice))["challenge"]
    wrong = "000000" if code_now(secret, clock) != "000000" else "111111"
    before = await everything(runtime)
    response = await client.post(SECOND_STEP, json={"challenge": challenge, "code": wrong})
    problem_of(response, 401, "unauthorized")
    assert await everything(runtime) == before
    events = (await client.get(LOG, headers=alice.auth)).json()["items"]
    assert (events[0]["kind"], events[0]["detail"]) == ("sign-in-failed", {"method": "totp"})
    assert events[0]["ip"]
    assert events[0]["userAgent"]
    # A typo does not end the sign-in: the right code still finishes it.
    right = await client.post(
        SECOND_STEP, json={"challenge": challenge, "code": code_now(secret, clock)}
    )
    assert right.status_code == 200


async def test_codes_a_step_off_are_taken_and_older_ones_are_not(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    secret, _ = await turn_on(client, alice, clock)
    clock.advance(minutes=2)
    for steps, status in [(-2, 401), (2, 401), (-1, 200), (0, 200), (1, 200)]:
        challenge = (await first_step(client, alice))["challenge"]
        code = code_now(secret, clock, steps)
        response = await client.post(SECOND_STEP, json={"challenge": challenge, "code": code})
        assert response.status_code == status, (steps, response.text)
    # Having taken the next step's code, none of the current step's is taken again.
    challenge = (await first_step(client, alice))["challenge"]
    response = await client.post(
        SECOND_STEP, json={"challenge": challenge, "code": code_now(secret, clock)}
    )
    assert response.status_code == 401


async def test_a_recovery_code_signs_in_once(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    _, recovery = await turn_on(client, alice, clock)
    challenge = (await first_step(client, alice))["challenge"]
    typed = f"  {recovery[3].upper()} "
    response = await client.post(SECOND_STEP, json={"challenge": challenge, "recoveryCode": typed})
    assert response.status_code == 200, response.text
    challenge = (await first_step(client, alice))["challenge"]
    again = await client.post(
        SECOND_STEP, json={"challenge": challenge, "recoveryCode": recovery[3]}
    )
    problem_of(again, 401, "unauthorized")
    assert (await client.get(TOTP, headers=alice.auth)).json()["recoveryCodesLeft"] == 9
    events = (await client.get(LOG, headers=alice.auth)).json()["items"]
    used = next(event for event in events if event["kind"] == "recovery-code-used")
    assert used["detail"] == {"left": 9}


async def test_one_code_sent_twice_at_once_signs_in_once(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    secret, _ = await turn_on(client, alice, clock)
    challenges = [(await first_step(client, alice))["challenge"] for _ in range(2)]
    code = code_now(secret, clock)
    answers = await asyncio.gather(
        *(client.post(SECOND_STEP, json={"challenge": c, "code": code}) for c in challenges)
    )
    assert sorted(answer.status_code for answer in answers) == [200, 401]


async def test_a_password_changed_meanwhile_ends_the_second_step(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    secret, _ = await turn_on(client, alice, clock)
    challenge = (await first_step(client, alice))["challenge"]
    changed = await client.post(
        f"{AUTH}/password",
        json={"currentPassword": alice.password, "newPassword": "a brand new secret"},
        headers=alice.auth,
    )
    assert changed.status_code == 200
    response = await client.post(
        SECOND_STEP, json={"challenge": challenge, "code": code_now(secret, clock)}
    )
    problem_of(response, 401, "sign-in-expired")


@pytest.mark.parametrize(
    "challenge", ["made-up", "x" * 100, "é" * 10, "' OR 1=1 --"], ids=lambda c: c[:8]
)
async def test_a_made_up_challenge_is_refused(
    client: httpx.AsyncClient, alice: Account, challenge: str
) -> None:
    response = await client.post(SECOND_STEP, json={"challenge": challenge, "code": "123456"})
    problem_of(response, 401, "sign-in-expired")


@pytest.mark.parametrize(
    "body",
    [
        {"challenge": "c"},
        {"challenge": "c", "code": "1", "recoveryCode": "2"},
        {"challenge": "c", "code": None},
        {"code": "123456"},
        {"challenge": "x" * 101, "code": "123456"},
        {"challenge": "c", "code": "1" * 65},
        {"challenge": "c", "code": "12\u000034"},
    ],
)
async def test_a_malformed_second_step_is_refused(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    problem_of(await client.post(SECOND_STEP, json=body), 400, "invalid-request")


async def test_wrong_codes_count_towards_the_sign_in_limits(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime, clock: FakeClock
) -> None:
    secret, _ = await turn_on(client, alice, clock)
    wrong = "000000" if code_now(secret, clock) != "000000" else "111111"
    limit = runtime.settings.rate_login_account_ip.count
    # A right password forgives nothing while a code is owed: signing in again between
    # guesses buys no more of them.
    statuses = []
    for _ in range(limit + 1):
        response = await client.post(
            f"{AUTH}/login", json={"email": alice.email, "password": alice.password}
        )
        statuses.append(response.status_code)
        if response.status_code != 401:
            break
        challenge = response.json()["challenge"]
        guess = await client.post(SECOND_STEP, json={"challenge": challenge, "code": wrong})
        statuses.append(guess.status_code)
    assert statuses == [401] * (2 * limit) + [429]


async def test_a_right_code_gives_the_attempts_back(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime, clock: FakeClock
) -> None:
    secret, _ = await turn_on(client, alice, clock)
    for _ in range(runtime.settings.rate_login_account_ip.count):
        challenge = (await first_step(client, alice))["challenge"]
        code = code_now(secret, clock)
        response = await client.post(SECOND_STEP, json={"challenge": challenge, "code": code})
        assert response.status_code == 200, response.text
        clock.advance(seconds=STEP_SECONDS)


async def test_an_app_sealed_under_another_key_is_refused_not_failed(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime, clock: FakeClock
) -> None:
    secret, recovery = await turn_on(client, alice, clock)
    runtime.totp_seal = SecretSeal(b"another signing key's derivation")  # the key replaced
    challenge = (await first_step(client, alice))["challenge"]
    code = await client.post(
        SECOND_STEP, json={"challenge": challenge, "code": code_now(secret, clock)}
    )
    problem_of(code, 401, "unauthorized")
    by_recovery = await client.post(
        SECOND_STEP, json={"challenge": challenge, "recoveryCode": recovery[0]}
    )
    assert by_recovery.status_code == 200, by_recovery.text


async def test_two_renewals_at_once_leave_one_set(
    client: httpx.AsyncClient, alice: Account, clock: FakeClock
) -> None:
    await turn_on(client, alice, clock)
    answers = await asyncio.gather(
        *(client.post(RECOVERY_CODES, headers=alice.auth) for _ in range(2))
    )
    assert [answer.status_code for answer in answers] == [200, 200]
    assert (await client.get(TOTP, headers=alice.auth)).json()["recoveryCodesLeft"] == 10


# Turning it off


async def test_turning_off_needs_a_code(
    client: httpx.AsyncClient, alice: Account, runtime: Runtime, clock: FakeClock
) -> None:
    secret, recovery = await turn_on(client, alice, clock)
    before = await everything(runtime)
    wrong = await client.request(
        "DELETE", TOTP, json={"recoveryCode": "zzzzz-zzzzz"}, headers=alice.auth
    )
    assert pointers(wrong) == ["#/recoveryCode"]
    assert await everything(runtime) == before
    off = await client.request(
        "DELETE", TOTP, json={"recoveryCode": recovery[0]}, headers=alice.auth
    )
    assert off.status_code == 204
    assert (await client.get(TOTP, headers=alice.auth)).json() == {
        "enabled": False,
        "enabledAt": None,
        "recoveryCodesLeft": 0,
    }
    assert (await kinds(client, alice))[:2] == ["totp-disabled", "recovery-code-used"]
    signed_in = await client.post(
        f"{AUTH}/login", json={"email": alice.email, "password": alice.password}
    )
    assert signed_in.status_code == 200
    again = await client.request(
        "DELETE", TOTP, json={"code": code_now(secret, clock)}, headers=alice.auth
    )
    problem_of(again, 409, "conflict")
