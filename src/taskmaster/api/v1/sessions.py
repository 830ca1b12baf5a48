"""v1 sessions: refresh with rotation, revoke, log out (here or everywhere), list and end."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from taskmaster.api.body import json_object
from taskmaster.api.cookies import clear_refresh_cookie
from taskmaster.api.deps import Accounts, CallerDep, ClientDep, RuntimeDep, Sessions
from taskmaster.api.session_wire import log_out, revoke_presented, token_to_refresh
from taskmaster.api.v1 import serialize
from taskmaster.api.v1.envelope import failure, ok
from taskmaster.api.v1.fields import text
from taskmaster.api.v1.signin import signed_in_response
from taskmaster.errors import Invalid, Unauthorized
from taskmaster.ids import parse_uuid
from taskmaster.runtime import Runtime

router = APIRouter(prefix="/auth", tags=["sessions"])
Body = Annotated[dict[str, Any], Depends(json_object)]


def _body_token(body: dict[str, Any]) -> str | None:
    return text(body, "refreshToken", "refreshToken")


@router.post("/refresh")
async def refresh(
    request: Request, body: Body, accounts: Accounts, client: ClientDep, runtime: RuntimeDep
) -> Response:
    token = token_to_refresh(request, runtime, _body_token(body))
    try:
        signed_in = await accounts.refresh(token, client)
    except Unauthorized as error:
        response = failure(error.message, error.status)
        clear_refresh_cookie(response, runtime.settings)
        return response  # returned, not raised: a family ended for reuse stays ended (committed)
    return signed_in_response(request, runtime, signed_in)


@router.post("/revoke")
async def revoke(request: Request, body: Body, sessions: Sessions, runtime: RuntimeDep) -> Response:
    await revoke_presented(request, runtime, sessions, _body_token(body))
    return _signed_out(runtime, "Token revoked")


@router.post("/logout")
async def logout(request: Request, body: Body, sessions: Sessions, runtime: RuntimeDep) -> Response:
    """End this session, named by the access token and/or the refresh token; clear the cookie."""
    await log_out(request, runtime, sessions, lambda: _body_token(body))
    return _signed_out(runtime, "Logged out successfully")


def _signed_out(runtime: Runtime, message: str, data: Any = None) -> Response:
    """A success that also clears the refresh cookie."""
    response = ok(message=message) if data is None else ok(data, message=message)
    clear_refresh_cookie(response, runtime.settings)
    return response


@router.post("/logout-all")
async def logout_all(claims: CallerDep, sessions: Sessions, runtime: RuntimeDep) -> Response:
    ended = await sessions.end_all(claims.user_id, "logout-all")
    return _signed_out(runtime, "Logged out of every session", {"endedSessions": ended})


@router.get("/sessions")
async def list_sessions(claims: CallerDep, sessions: Sessions) -> Response:
    active = await sessions.active(claims.user_id)
    return ok([serialize.session(s, claims.session_id) for s in active])


@router.delete("/sessions/{session_id}")
async def end_session(session_id: str, claims: CallerDep, sessions: Sessions) -> Response:
    parsed = parse_uuid(session_id)
    if parsed is None:
        raise Invalid("Invalid session id")
    await sessions.end(claims.user_id, parsed, "ended")
    return ok(message="Session ended")
