"""v2 sessions: refresh with rotation, revoke, log out (here or everywhere), list and end."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from starlette.requests import Request
from starlette.responses import Response

from taskmaster.api.cookies import refresh_cookie
from taskmaster.api.csrf import require_cookie_intent
from taskmaster.api.deps import Accounts, CallerDep, ClientDep, RuntimeDep, Sessions, bearer_token
from taskmaster.api.openapi import SIGNED_IN, problem_responses
from taskmaster.api.responses import JSONBytes
from taskmaster.api.v1.serialize import timestamp
from taskmaster.api.v2 import account_schemas as wire
from taskmaster.api.v2 import problems
from taskmaster.api.v2.signin import signed_in_response, signed_out
from taskmaster.auth.models import AuthSession
from taskmaster.auth.tokens import AccessClaims
from taskmaster.errors import TaskMasterError, Unauthorized
from taskmaster.runtime import Runtime

router = APIRouter(prefix="/auth", tags=["sessions (v2)"])
TokenBody = Annotated[
    wire.RefreshTokenBody, Depends(wire.read_body(wire.RefreshTokenBody, optional=True))
]
TAKES_TOKEN = wire.request_body(wire.RefreshTokenBody, required=False)
SessionId = Annotated[uuid.UUID, Path(alias="sessionId", description="The session's id")]


def _presented_token(request: Request, body: wire.RefreshTokenBody, runtime: Runtime) -> str | None:
    """The refresh token from the body (other clients) or the cookie (the browser app)."""
    if body.refresh_token is not None:
        return body.refresh_token
    cookie = refresh_cookie(request, runtime.settings)
    if cookie is not None:
        require_cookie_intent(request, runtime.settings)
    return cookie


def _optional_caller(request: Request, runtime: Runtime) -> AccessClaims | None:
    try:
        return runtime.tokens.verify(bearer_token(request))
    except TaskMasterError:
        return None


@router.post(
    "/refresh",
    operation_id="refreshSession",
    response_model=wire.SignedIn,
    responses=problem_responses(400, 401, 403, 413, 415, 429, 503),
    openapi_extra=TAKES_TOKEN,
)
async def refresh(
    request: Request, body: TokenBody, accounts: Accounts, client: ClientDep, runtime: RuntimeDep
) -> Response:
    """Exchange the refresh token for its successor and a new access token."""
    token = _presented_token(request, body, runtime)
    if token is None:
        raise Unauthorized("No refresh token provided")
    try:
        signed_in = await accounts.refresh(token, client)
    except Unauthorized as error:
        # Returned, not raised: a family ended for reuse stays ended (committed).
        return signed_out(problems.of(error), runtime)
    return signed_in_response(request, runtime, signed_in)


@router.post(
    "/revoke",
    operation_id="revokeRefreshToken",
    status_code=204,
    response_class=Response,
    responses=problem_responses(400, 403, 413, 415, 429, 503),
    openapi_extra=TAKES_TOKEN,
)
async def revoke(
    request: Request, body: TokenBody, sessions: Sessions, runtime: RuntimeDep
) -> Response:
    """End the session of a refresh token; an unknown token is no error (RFC 7009)."""
    token = _presented_token(request, body, runtime)
    if token is not None:
        await sessions.revoke_token(token)
    return signed_out(Response(status_code=204), runtime)


@router.post(
    "/logout",
    operation_id="logout",
    status_code=204,
    response_class=Response,
    responses=problem_responses(400, 403, 404, 413, 415, 429, 503),
    openapi_extra=TAKES_TOKEN,
)
async def logout(
    request: Request, body: TokenBody, sessions: Sessions, runtime: RuntimeDep
) -> Response:
    """End this session, named by the access token and/or the refresh token; clear the cookie."""
    claims = _optional_caller(request, runtime)
    if claims is not None:
        await sessions.end(claims.user_id, claims.session_id, "logout")
        # Both end when both are given: the cookie about to be cleared must not leave a live
        # session behind. The bearer token proves the caller's intent: no forged form has one.
        token = body.refresh_token or refresh_cookie(request, runtime.settings)
    else:
        token = _presented_token(request, body, runtime)
    if token is not None:
        await sessions.revoke_token(token)
    return signed_out(Response(status_code=204), runtime)


@router.post(
    "/logout-all",
    operation_id="logoutEverywhere",
    response_model=wire.EndedSessions,
    responses=problem_responses(401, 429, 503),
    openapi_extra=SIGNED_IN,
)
async def logout_all(claims: CallerDep, sessions: Sessions, runtime: RuntimeDep) -> Response:
    """End every session of the caller, this one included; clear the cookie."""
    ended = await sessions.end_all(claims.user_id, "logout-all")
    return signed_out(JSONBytes({"endedSessions": ended}), runtime)


def _session_json(auth_session: AuthSession, current: AccessClaims) -> dict[str, Any]:
    return {
        "id": str(auth_session.id),
        "createdAt": timestamp(auth_session.created_at),
        "lastUsedAt": timestamp(auth_session.last_used_at),
        "expiresAt": timestamp(auth_session.expires_at),
        "userAgent": auth_session.user_agent,
        "ip": auth_session.ip,
        "current": auth_session.id == current.session_id,
    }


@router.get(
    "/sessions",
    operation_id="listSessions",
    response_model=wire.SessionPage,
    responses=problem_responses(401, 429, 503),
    openapi_extra=SIGNED_IN,
)
async def list_sessions(claims: CallerDep, sessions: Sessions) -> Response:
    """The caller's active sessions, the newest first."""
    active = await sessions.active(claims.user_id)
    return JSONBytes({"items": [_session_json(s, claims) for s in active], "nextCursor": None})


@router.delete(
    "/sessions/{sessionId}",
    operation_id="endSession",
    status_code=204,
    response_class=Response,
    responses=problem_responses(400, 401, 404, 429, 503),
    openapi_extra=SIGNED_IN,
)
async def end_session(claims: CallerDep, session_id: SessionId, sessions: Sessions) -> Response:
    """End one of the caller's sessions."""
    await sessions.end(claims.user_id, session_id, "ended")
    return Response(status_code=204)
