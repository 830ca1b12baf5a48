"""v1 sessions: refresh with rotation, revoke, log out (here or everywhere), list and end."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from taskmaster.api.body import json_object
from taskmaster.api.cookies import clear_refresh_cookie, refresh_cookie
from taskmaster.api.csrf import require_cookie_intent
from taskmaster.api.deps import Accounts, CallerDep, ClientDep, RuntimeDep, Sessions, bearer_token
from taskmaster.api.v1.envelope import failure, ok
from taskmaster.api.v1.fields import text
from taskmaster.api.v1.serialize import timestamp
from taskmaster.api.v1.signin import signed_in_response
from taskmaster.auth.models import AuthSession
from taskmaster.auth.tokens import AccessClaims
from taskmaster.errors import Invalid, TaskMasterError, Unauthorized
from taskmaster.ids import parse_uuid
from taskmaster.runtime import Runtime

router = APIRouter(prefix="/auth", tags=["sessions"])
Body = Annotated[dict[str, Any], Depends(json_object)]


def _presented_token(request: Request, body: dict[str, Any], runtime: Runtime) -> str | None:
    """The refresh token from the body (other clients) or the cookie (the browser app)."""
    token = text(body, "refreshToken", "refreshToken")
    if token:
        return token
    cookie = refresh_cookie(request, runtime.settings)
    if cookie is not None:
        require_cookie_intent(request, runtime.settings)
    return cookie


@router.post("/refresh")
async def refresh(
    request: Request, body: Body, accounts: Accounts, client: ClientDep, runtime: RuntimeDep
) -> Response:
    token = _presented_token(request, body, runtime)
    if token is None:
        raise Unauthorized("No refresh token provided")
    try:
        signed_in = await accounts.refresh(token, client)
    except Unauthorized as error:
        response = failure(error.message, error.status)
        clear_refresh_cookie(response, runtime.settings)
        return response  # returned, not raised: a family ended for reuse stays ended (committed)
    return signed_in_response(request, runtime, signed_in)


@router.post("/revoke")
async def revoke(request: Request, body: Body, sessions: Sessions, runtime: RuntimeDep) -> Response:
    token = _presented_token(request, body, runtime)
    if token is not None:
        await sessions.revoke_token(token)
    return _signed_out(runtime, "Token revoked")


@router.post("/logout")
async def logout(request: Request, body: Body, sessions: Sessions, runtime: RuntimeDep) -> Response:
    """End this session, named by the access token and/or the refresh token; clear the cookie.

    Both are ended when both are given: the cookie about to be cleared must not leave a live
    session behind, whichever session it belonged to.
    """
    claims = _optional_caller(request, runtime)
    if claims is not None:
        await sessions.end(claims.user_id, claims.session_id, "logout")
        # The bearer token proves the caller's intent: no forged form can carry one.
        token = text(body, "refreshToken", "refreshToken") or refresh_cookie(
            request, runtime.settings
        )
    else:
        token = _presented_token(request, body, runtime)
    if token is not None:
        await sessions.revoke_token(token)
    return _signed_out(runtime, "Logged out successfully")


def _signed_out(runtime: Runtime, message: str, data: Any = None) -> Response:
    """A success that also clears the refresh cookie."""
    response = ok(message=message) if data is None else ok(data, message=message)
    clear_refresh_cookie(response, runtime.settings)
    return response


def _optional_caller(request: Request, runtime: Runtime) -> AccessClaims | None:
    try:
        bearer = bearer_token(request)
    except Unauthorized:
        return None
    try:
        return runtime.tokens.verify(bearer)
    except TaskMasterError:
        return None


@router.post("/logout-all")
async def logout_all(claims: CallerDep, sessions: Sessions, runtime: RuntimeDep) -> Response:
    ended = await sessions.end_all(claims.user_id, "logout-all")
    return _signed_out(runtime, "Logged out of every session", {"endedSessions": ended})


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


@router.get("/sessions")
async def list_sessions(claims: CallerDep, sessions: Sessions) -> Response:
    return ok([_session_json(s, claims) for s in await sessions.active(claims.user_id)])


@router.delete("/sessions/{session_id}")
async def end_session(session_id: str, claims: CallerDep, sessions: Sessions) -> Response:
    parsed = parse_uuid(session_id)
    if parsed is None:
        raise Invalid("Invalid session id")
    await sessions.end(claims.user_id, parsed, "ended")
    return ok(message="Session ended")
