"""v2 sessions: refresh with rotation, revoke, log out (here or everywhere), list and end."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from starlette.requests import Request
from starlette.responses import Response

from taskmaster.api.deps import Accounts, CallerDep, ClientDep, RuntimeDep, Sessions
from taskmaster.api.openapi import SIGNED_IN, problem_responses
from taskmaster.api.responses import JSONBytes
from taskmaster.api.session_wire import log_out, revoke_presented, token_to_refresh
from taskmaster.api.v1 import serialize
from taskmaster.api.v2 import account_schemas as wire
from taskmaster.api.v2 import problems
from taskmaster.api.v2.signin import signed_in_response, signed_out
from taskmaster.errors import Unauthorized

router = APIRouter(prefix="/auth", tags=["sessions (v2)"])
TokenBody = Annotated[
    wire.RefreshTokenBody, Depends(wire.read_body(wire.RefreshTokenBody, optional=True))
]
TAKES_TOKEN = wire.request_body(wire.RefreshTokenBody, required=False)
SessionId = Annotated[uuid.UUID, Path(alias="sessionId", description="The session's id")]


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
    token = token_to_refresh(request, runtime, body.refresh_token)
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
    await revoke_presented(request, runtime, sessions, body.refresh_token)
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
    await log_out(request, runtime, sessions, lambda: body.refresh_token)
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
    items = [serialize.session(s, claims.session_id) for s in active]
    return JSONBytes({"items": items, "nextCursor": None})


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
