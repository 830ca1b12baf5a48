"""v2 account security: a sign-in's second step, confirming who is asking, the authenticator
app (TOTP) and its recovery codes, and the security log.

Adding or renewing a factor needs a recent confirmation of the user (a sign-in, or
/auth/reauthenticate, within five minutes); turning the app off needs one of its codes."""

from __future__ import annotations

import uuid
from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Query
from starlette.requests import Request
from starlette.responses import Response

from taskmaster.api.deps import (
    Accounts,
    CallerDep,
    ClientDep,
    RuntimeDep,
    Sessions,
    TwoFactorDep,
)
from taskmaster.api.openapi import SIGNED_IN, problem_responses
from taskmaster.api.responses import JSONBytes
from taskmaster.api.v1.serialize import timestamp
from taskmaster.api.v2 import account_schemas, problems
from taskmaster.api.v2 import security_schemas as wire
from taskmaster.api.v2.relying_party import Party
from taskmaster.api.v2.signin import NO_STORE, signed_in_response
from taskmaster.auth.models import SecurityEvent
from taskmaster.auth.second_step import SecondStepNeeded
from taskmaster.auth.tokens import AccessClaims
from taskmaster.errors import SecondFactorRequired

router = APIRouter(prefix="/auth", tags=["account security (v2)"])
read_body, request_body = account_schemas.read_body, account_schemas.request_body
SecondStepBody = Annotated[wire.SecondStep, Depends(read_body(wire.SecondStep))]
ReauthenticationBody = Annotated[wire.Reauthentication, Depends(read_body(wire.Reauthentication))]
ConfirmationBody = Annotated[wire.TotpConfirmation, Depends(read_body(wire.TotpConfirmation))]
SecondFactorBody = Annotated[wire.SecondFactor, Depends(read_body(wire.SecondFactor))]
EVENTS_MAX = 100
SECOND_STEP_DETAIL = "The password is right. Enter the code from your authenticator app."


def second_step_required(needed: SecondStepNeeded) -> Response:
    """A sign-in's answer when a second factor must follow (a problem, 401)."""
    extra = {
        "challenge": needed.challenge,
        "expiresAt": timestamp(needed.expires_at),
        "methods": list(needed.methods),
    }
    return problems.of(SecondFactorRequired(SECOND_STEP_DETAIL), NO_STORE, extra=extra)


async def recently_confirmed(claims: CallerDep, sessions: Sessions) -> AccessClaims:
    """The caller, who proved who they are within the last minutes (else 403)."""
    await sessions.require_recent(claims.user_id, claims.session_id)
    return claims


RecentCaller = Annotated[AccessClaims, Depends(recently_confirmed)]


@router.post(
    "/login/second-step",
    operation_id="finishLogin",
    response_model=account_schemas.SignedIn,
    responses=problem_responses(400, 401, 413, 415, 429, 503),
    openapi_extra=request_body(wire.SecondStep),
)
async def finish_login(
    request: Request,
    body: SecondStepBody,
    accounts: Accounts,
    client: ClientDep,
    runtime: RuntimeDep,
) -> Response:
    """Finish a sign-in with the challenge its first step gave and a code or recovery code."""
    signed_in = await accounts.finish_login(body.challenge, body.proof(), client)
    return signed_in_response(request, runtime, signed_in)


@router.post(
    "/reauthenticate",
    operation_id="reauthenticate",
    status_code=204,
    response_class=Response,
    responses=problem_responses(400, 401, 413, 415, 429, 503),
    openapi_extra={**request_body(wire.Reauthentication), **SIGNED_IN},
)
async def reauthenticate(
    claims: CallerDep,
    body: ReauthenticationBody,
    accounts: Accounts,
    client: ClientDep,
    party: Party,
) -> Response:
    """Confirm it is you (password, passkey, app code or recovery code): for five minutes
    this session may change how the account signs in."""
    passkey = None if body.passkey is None else (body.passkey.answer(), party)
    await accounts.reauthenticate(
        claims.user_id,
        claims.session_id,
        client,
        password=body.password,
        proof=body.proof(),
        passkey=passkey,
    )
    return Response(status_code=204)


@router.get(
    "/totp",
    operation_id="getTotp",
    response_model=wire.TotpStatus,
    responses=problem_responses(401, 429, 503),
    openapi_extra=SIGNED_IN,
)
async def totp_status(claims: CallerDep, two_factor: TwoFactorDep) -> Response:
    """Whether sign-in asks for an authenticator app's code, and how many recovery codes are
    left."""
    status = await two_factor.status(claims.user_id)
    enabled_at = None if status.enabled_at is None else timestamp(status.enabled_at)
    return JSONBytes(
        {
            "enabled": status.enabled_at is not None,
            "enabledAt": enabled_at,
            "recoveryCodesLeft": status.recovery_codes_left,
        }
    )


@router.post(
    "/totp/enrolment",
    operation_id="beginTotpEnrolment",
    status_code=201,
    response_model=wire.TotpEnrolment,
    responses=problem_responses(401, 403, 409, 429, 503),
    openapi_extra=SIGNED_IN,
)
async def begin_enrolment(
    claims: RecentCaller, two_factor: TwoFactorDep, accounts: Accounts
) -> Response:
    """Set up an authenticator app: a new secret (as text and as an otpauth:// URI for a QR
    code), to confirm with its first code within ten minutes."""
    user = await accounts.profile(claims.user_id)
    enrolment = await two_factor.begin(claims.user_id, user.email)
    body = {
        "secret": enrolment.secret,
        "uri": enrolment.uri,
        "expiresAt": timestamp(enrolment.expires_at),
    }
    return JSONBytes(body, status_code=201, headers=NO_STORE)


@router.post(
    "/totp/confirmation",
    operation_id="confirmTotpEnrolment",
    response_model=wire.RecoveryCodes,
    responses=problem_responses(400, 401, 404, 409, 410, 413, 415, 429, 503),
    openapi_extra={**request_body(wire.TotpConfirmation), **SIGNED_IN},
)
async def confirm_enrolment(
    claims: CallerDep, body: ConfirmationBody, two_factor: TwoFactorDep
) -> Response:
    """Turn two-step sign-in on with the app's first code; the ten recovery codes, shown once.
    (The set-up itself needed a recent confirmation.)"""
    codes = await two_factor.confirm(claims.user_id, body.code)
    return JSONBytes({"recoveryCodes": codes}, headers=NO_STORE)


@router.post(
    "/totp/recovery-codes",
    operation_id="renewRecoveryCodes",
    response_model=wire.RecoveryCodes,
    responses=problem_responses(401, 403, 409, 429, 503),
    openapi_extra=SIGNED_IN,
)
async def renew_recovery_codes(claims: RecentCaller, two_factor: TwoFactorDep) -> Response:
    """Ten new recovery codes, shown once; the old ones stop working."""
    codes = await two_factor.renew_recovery_codes(claims.user_id)
    return JSONBytes({"recoveryCodes": codes}, headers=NO_STORE)


@router.delete(
    "/totp",
    operation_id="turnOffTotp",
    status_code=204,
    response_class=Response,
    responses=problem_responses(400, 401, 409, 413, 415, 429, 503),
    openapi_extra={**request_body(wire.SecondFactor), **SIGNED_IN},
)
async def turn_off(
    claims: CallerDep, body: SecondFactorBody, accounts: Accounts, client: ClientDep
) -> Response:
    """Turn two-step sign-in off, confirmed by a current code or a recovery code."""
    await accounts.turn_off_two_step(claims.user_id, body.proof(), client)
    return Response(status_code=204)


def _events_scope(caller: uuid.UUID) -> bytes:
    return b"security-log:" + caller.bytes


def _event(event: SecurityEvent) -> dict[str, object]:
    return {
        "id": str(event.id),
        "kind": event.kind,
        "at": timestamp(event.at),
        "ip": event.ip,
        "userAgent": event.user_agent,
        "detail": orjson.loads(event.detail),
    }


@router.get(
    "/security-log",
    operation_id="listSecurityEvents",
    response_model=wire.SecurityEventPage,
    responses=problem_responses(400, 401, 429, 503),
    openapi_extra=SIGNED_IN,
)
async def security_log(
    claims: CallerDep,
    runtime: RuntimeDep,
    *,
    limit: Annotated[int, Query(ge=1, le=EVENTS_MAX)] = 20,
    cursor: Annotated[str | None, Query(description="nextCursor of the page before")] = None,
) -> Response:
    """What happened to the account's security, the newest first: sign-ins (method, address,
    browser), failed attempts, sessions ended, factors added or removed."""
    scope = _events_scope(claims.user_id)
    after = None if cursor is None else runtime.cursors.open_moment(scope, cursor)
    page = await runtime.security_events.page(claims.user_id, after=after, limit=limit)
    next_cursor = None
    if len(page) == limit:
        next_cursor = runtime.cursors.seal_moment(scope, page[-1].at, page[-1].id)
    return JSONBytes({"items": [_event(e) for e in page], "nextCursor": next_cursor})
