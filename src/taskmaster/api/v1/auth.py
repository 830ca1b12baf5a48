"""v1 accounts: register, login, profile, password change."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from taskmaster.api.body import json_object
from taskmaster.api.deps import Accounts, CallerDep, ClientDep, RuntimeDep
from taskmaster.api.v1 import serialize
from taskmaster.api.v1.envelope import ok
from taskmaster.api.v1.fields import text
from taskmaster.api.v1.signin import signed_in_response
from taskmaster.auth.second_step import SecondStepNeeded
from taskmaster.auth.service import Registration
from taskmaster.errors import Invalid, Unauthorized

router = APIRouter(prefix="/auth", tags=["auth"])
Body = Annotated[dict[str, Any], Depends(json_object)]
TWO_STEP_IN_V2 = (
    "This account signs in in two steps (an authenticator app's code after the password). "
    "Please sign in with the web app or API v2."
)


@router.post("/register")
async def register(
    request: Request, body: Body, accounts: Accounts, client: ClientDep, runtime: RuntimeDep
) -> Response:
    email = text(body, "email", "Email")
    password = text(body, "password", "Password")
    name = text(body, "name", "Name")
    if not email or not password or not name:
        raise Invalid("Please provide email, password, and name")
    signed_in = await accounts.register(Registration(email, password, name), client)
    return signed_in_response(
        request, runtime, signed_in, message="User registered successfully", status=201
    )


@router.post("/login")
async def login(
    request: Request, body: Body, accounts: Accounts, client: ClientDep, runtime: RuntimeDep
) -> Response:
    email = text(body, "email", "Email")
    password = text(body, "password", "Password")
    if not email or not password:
        raise Invalid("Please provide email and password")
    signed_in = await accounts.login(email, password, client)
    if isinstance(signed_in, SecondStepNeeded):
        raise Unauthorized(TWO_STEP_IN_V2)
    return signed_in_response(request, runtime, signed_in, message="Login successful")


@router.get("/profile")
async def profile(claims: CallerDep, accounts: Accounts) -> Response:
    return ok(serialize.user_profile(await accounts.profile(claims.user_id)))


@router.post("/password")
async def change_password(
    body: Body, claims: CallerDep, accounts: Accounts, client: ClientDep
) -> Response:
    current = text(body, "currentPassword", "Current password")
    new = text(body, "newPassword", "New password")
    if not current or not new:
        raise Invalid("Please provide currentPassword and newPassword")
    ended = await accounts.change_password(claims.user_id, claims.session_id, current, new, client)
    return ok({"endedSessions": ended}, message="Password changed successfully")
