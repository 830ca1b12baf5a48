"""The v1 account and session operations, declared for the document."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Cookie, Header, Path

from taskmaster.api.csrf import CSRF_HEADER
from taskmaster.api.openapi import BEARER, Bearer
from taskmaster.api.v1 import schemas as wire
from taskmaster.api.v1.contract.responses import (
    CLEARS_COOKIE,
    REFRESH_COOKIE,
    SETS_COOKIE,
    answers,
    declared,
)

auth = APIRouter(prefix="/auth", tags=["auth"])
sessions = APIRouter(prefix="/auth", tags=["sessions"])
SessionId = Annotated[uuid.UUID, Path(alias="id", description="The session's id; not a UUID: 400")]
Browser = Annotated[
    str | None,
    Header(
        alias=CSRF_HEADER,
        description="Sent by the browser app: the refresh token is then left out of the body "
        "(the httpOnly cookie is its only copy), and the cookie may be used.",
    ),
]
RefreshCookie = Annotated[
    str | None,
    Cookie(
        alias=REFRESH_COOKIE,
        description="The refresh token the browser keeps, used when the body names none; "
        f"only with {CSRF_HEADER} (else 403) and, if sent, an allowed Origin (else 403). "
        "Its name is the deployment's REFRESH_COOKIE_NAME.",
    ),
]
TokenBody = Annotated[wire.RefreshTokenRequest, Body(default_factory=wire.RefreshTokenRequest)]

# Accounts ----------------------------------------------------------------------------------


@auth.post(
    "/register",
    operation_id="register",
    status_code=201,
    response_model=wire.RegisterResponse,
    responses=answers(
        400,
        409,
        413,
        415,
        status=201,
        headers=SETS_COOKIE,
        why={
            400: "a member is missing, the email is invalid, or the password too short, too "
            "long or too common",
            409: "an account with this email exists",
        },
    ),
)
async def register(body: wire.RegisterRequest, browser: Browser = None) -> Any:
    """Create an account and sign in. 400: a member missing, an invalid email, a password
    too short, too long or too common; 409: the email is taken."""
    return declared()


@auth.post(
    "/login",
    operation_id="login",
    response_model=wire.LoginResponse,
    responses=answers(
        400,
        401,
        413,
        415,
        headers=SETS_COOKIE,
        why={401: "Invalid email or password (the same for an unknown email)"},
    ),
)
async def login(body: wire.LoginRequest, browser: Browser = None) -> Any:
    """Sign in. 401 "Invalid email or password", the same for an unknown email; 429 after
    too many failed attempts, with Retry-After."""
    return declared()


@auth.get(
    "/profile",
    operation_id="getProfile",
    response_model=wire.ProfileResponse,
    responses=answers(401, 404, why={404: "the account no longer exists"}),
)
async def profile(_: Bearer) -> Any:
    """The signed-in user."""
    return declared()


@auth.post(
    "/password",
    operation_id="changePassword",
    response_model=wire.PasswordChangeResponse,
    responses=answers(
        400,
        401,
        404,
        409,
        413,
        415,
        why={
            400: "a member is missing, the current password is wrong, or the new one too "
            "short, too long, too common or the same",
            404: "the account no longer exists",
            409: "the password was changed meanwhile; try again",
        },
    ),
)
async def change_password(_: Bearer, body: wire.PasswordChangeRequest) -> Any:
    """Set a new password; every other session ends. 400: the current password is wrong,
    or the new one is too short, too long, too common or the same."""
    return declared()


# Sessions ----------------------------------------------------------------------------------


_REFRESH = answers(
    400,
    401,
    403,
    413,
    415,
    headers=SETS_COOKIE,
    why={401: "no refresh token, or one unknown, expired, revoked or used before"},
)
# A token refused clears the cookie; no token at all leaves it be.
_REFUSED = {"Set-Cookie": {**CLEARS_COOKIE["Set-Cookie"], "required": False}}
_REFRESH[401] = {**_REFRESH[401], "headers": {**_REFRESH[401]["headers"], **_REFUSED}}


@sessions.post(
    "/refresh",
    operation_id="refreshSession",
    response_model=wire.RefreshResponse,
    responses=_REFRESH,
)
async def refresh(body: TokenBody, browser: Browser = None, cookie: RefreshCookie = None) -> Any:
    """Exchange the refresh token (from the body, else the cookie) for its successor and a
    new access token. A token used twice ends its session (reuse); a refused token also
    clears the cookie."""
    return declared()


@sessions.post(
    "/revoke",
    operation_id="revokeRefreshToken",
    response_model=wire.RevokeResponse,
    responses=answers(400, 403, 413, 415, headers=CLEARS_COOKIE),
)
async def revoke(body: TokenBody, browser: Browser = None, cookie: RefreshCookie = None) -> Any:
    """End the session of a refresh token (from the body, else the cookie) and clear the
    cookie; an unknown token is no error (RFC 7009)."""
    return declared()


@sessions.post(
    "/logout",
    operation_id="logout",
    response_model=wire.LogoutResponse,
    responses=answers(
        400,
        403,
        404,
        413,
        415,
        headers=CLEARS_COOKIE,
        why={404: "the access token's session is gone"},
    ),
    # The access token is optional here: without one, the refresh token names the session.
    openapi_extra={"security": [{}, {BEARER: []}]},
)
async def logout(body: TokenBody, browser: Browser = None, cookie: RefreshCookie = None) -> Any:
    """End this session, named by the access token and/or the refresh token (from the body,
    else the cookie), and clear the cookie. With both, both sessions end."""
    return declared()


@sessions.post(
    "/logout-all",
    operation_id="logoutEverywhere",
    response_model=wire.LogoutAllResponse,
    responses=answers(401, headers=CLEARS_COOKIE),
)
async def logout_all(_: Bearer) -> Any:
    """End every session of the caller, this one included, and clear the cookie."""
    return declared()


@sessions.get(
    "/sessions",
    operation_id="listSessions",
    response_model=wire.SessionListResponse,
    responses=answers(401),
)
async def list_sessions(_: Bearer) -> Any:
    """The caller's active sessions, the newest first."""
    return declared()


@sessions.delete(
    "/sessions/{id}",
    operation_id="endSession",
    response_model=wire.EndSessionResponse,
    responses=answers(400, 401, 404, why={404: "Session not found"}),
)
async def end_session(_: Bearer, session_id: SessionId) -> Any:
    """End one of the caller's sessions."""
    return declared()
