"""v2 accounts: register, login, profile, password change; bodies without an envelope."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from taskmaster.api.deps import Accounts, CallerDep, ClientDep, RuntimeDep
from taskmaster.api.openapi import SIGNED_IN, problem_responses
from taskmaster.api.responses import JSONBytes
from taskmaster.api.v1 import serialize
from taskmaster.api.v2 import account_schemas as wire
from taskmaster.api.v2.security import second_step_required
from taskmaster.api.v2.signin import signed_in_response, signed_out
from taskmaster.auth.second_step import SecondStepNeeded
from taskmaster.auth.service import Registration

router = APIRouter(prefix="/auth", tags=["auth (v2)"])
RegistrationBody = Annotated[wire.Registration, Depends(wire.read_body(wire.Registration))]
CredentialsBody = Annotated[wire.Credentials, Depends(wire.read_body(wire.Credentials))]
PasswordChangeBody = Annotated[wire.PasswordChange, Depends(wire.read_body(wire.PasswordChange))]
DeletionBody = Annotated[wire.AccountDeletion, Depends(wire.read_body(wire.AccountDeletion))]


@router.post(
    "/register",
    operation_id="register",
    status_code=201,
    response_model=wire.SignedIn,
    responses=problem_responses(400, 409, 413, 415, 429, 503),
    openapi_extra=wire.request_body(wire.Registration),
)
async def register(
    request: Request,
    body: RegistrationBody,
    accounts: Accounts,
    client: ClientDep,
    runtime: RuntimeDep,
) -> Response:
    """Create an account and sign in; the refresh token is also set as a cookie."""
    registration = Registration(body.email, body.password, body.name)
    signed_in = await accounts.register(registration, client)
    return signed_in_response(request, runtime, signed_in, status=201)


@router.post(
    "/login",
    operation_id="login",
    response_model=wire.SignedIn,
    responses=problem_responses(400, 401, 413, 415, 429, 503),
    openapi_extra=wire.request_body(wire.Credentials),
)
async def login(
    request: Request,
    body: CredentialsBody,
    accounts: Accounts,
    client: ClientDep,
    runtime: RuntimeDep,
) -> Response:
    """Sign in; the refresh token is also set as a cookie.

    With two-step sign-in on, a right password answers 401 with the problem type
    second-factor-required and three more members: `challenge` (a token, valid once),
    `expiresAt` and `methods` (totp, recovery-code). POST the challenge with a code to
    /auth/login/second-step within five minutes."""
    signed_in = await accounts.login(body.email, body.password, client)
    if isinstance(signed_in, SecondStepNeeded):
        return second_step_required(signed_in)
    return signed_in_response(request, runtime, signed_in)


@router.get(
    "/profile",
    operation_id="getProfile",
    response_model=wire.Profile,
    responses=problem_responses(401, 404, 429, 503),
    openapi_extra=SIGNED_IN,
)
async def profile(claims: CallerDep, accounts: Accounts) -> Response:
    """The signed-in user."""
    return JSONBytes(serialize.user_profile(await accounts.profile(claims.user_id)))


@router.post(
    "/password",
    operation_id="changePassword",
    response_model=wire.EndedSessions,
    responses=problem_responses(400, 401, 404, 409, 413, 415, 429, 503),
    openapi_extra={**wire.request_body(wire.PasswordChange), **SIGNED_IN},
)
async def change_password(
    claims: CallerDep, body: PasswordChangeBody, accounts: Accounts, client: ClientDep
) -> Response:
    """Set a new password; every other session ends."""
    ended = await accounts.change_password(
        claims.user_id, claims.session_id, body.current_password, body.new_password, client
    )
    return JSONBytes({"endedSessions": ended})


@router.delete(
    "/profile",
    operation_id="deleteAccount",
    status_code=204,
    response_class=Response,
    responses=problem_responses(400, 401, 404, 409, 413, 415, 429, 503),
    openapi_extra={**wire.request_body(wire.AccountDeletion), **SIGNED_IN},
)
async def delete_account(
    claims: CallerDep,
    body: DeletionBody,
    accounts: Accounts,
    client: ClientDep,
    runtime: RuntimeDep,
) -> Response:
    """Delete the account, confirmed by its password: every session ends, the Inbox and the
    projects it alone owns are deleted, and it leaves the others, where its tasks stay."""
    await accounts.delete_account(claims.user_id, body.password, client)
    return signed_out(Response(status_code=204), runtime)
