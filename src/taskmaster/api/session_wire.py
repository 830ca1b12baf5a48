"""Sessions over HTTP as both versions handle them; each wraps the results in its own format.

What a request presents (a refresh token in the body or the cookie, an optional access token),
the tokens a sign-in answers with and the cookie that keeps the refresh token, and the sessions
a sign-out ends. v1's envelope and v2's bare bodies and problems stay in their own modules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from taskmaster.api.cookies import refresh_cookie, set_refresh_cookie
from taskmaster.api.csrf import CSRF_HEADER, require_cookie_intent
from taskmaster.api.deps import optional_caller
from taskmaster.auth.service import SignedIn
from taskmaster.auth.sessions import SessionService
from taskmaster.errors import Unauthorized
from taskmaster.runtime import Runtime


def presented_token(request: Request, runtime: Runtime, from_body: str | None) -> str | None:
    """The refresh token from the body (other clients) or the cookie (the browser app)."""
    if from_body:
        return from_body
    cookie = refresh_cookie(request, runtime.settings)
    if cookie is not None:
        require_cookie_intent(request, runtime.settings)
    return cookie


def token_to_refresh(request: Request, runtime: Runtime, from_body: str | None) -> str:
    """The refresh token presented; Unauthorized when there is none."""
    token = presented_token(request, runtime, from_body)
    if token is None:
        raise Unauthorized("No refresh token provided")
    return token


def signed_in_tokens(request: Request, runtime: Runtime, signed_in: SignedIn) -> dict[str, Any]:
    """accessToken, expiresIn and, for all but the browser app, refreshToken.

    The browser app (which sends the CSRF header) never sees the refresh token in a body: the
    httpOnly cookie is its only copy.
    """
    tokens: dict[str, Any] = {
        "accessToken": signed_in.access_token,
        "expiresIn": int(runtime.tokens.ttl.total_seconds()),
    }
    if not request.headers.get(CSRF_HEADER):
        tokens["refreshToken"] = signed_in.session.refresh_token
    return tokens


def keeping_refresh_token(
    response: Response, runtime: Runtime, signed_in: SignedIn, *, prefix: str
) -> Response:
    """`response`, setting the refresh cookie of the version under `prefix`."""
    session = signed_in.session
    set_refresh_cookie(
        response,
        runtime.settings,
        session.refresh_token,
        session.expires_at,
        runtime.clock(),
        prefix=prefix,
    )
    return response


async def revoke_presented(
    request: Request, runtime: Runtime, sessions: SessionService, from_body: str | None
) -> None:
    """End the session of the refresh token presented; an unknown token is no error (RFC 7009)."""
    token = presented_token(request, runtime, from_body)
    if token is not None:
        await sessions.revoke_token(token)


async def log_out(
    request: Request,
    runtime: Runtime,
    sessions: SessionService,
    from_body: Callable[[], str | None],
) -> None:
    """End this session, named by the access token and/or the refresh token.

    Both are ended when both are given: the cookie about to be cleared must not leave a live
    session behind, whichever session it belonged to. `from_body` reads the body's refresh
    token, when it is needed (v1 reads it only then, after ending the access token's session).
    """
    claims = optional_caller(request, runtime)
    if claims is not None:
        await sessions.end(claims.user_id, claims.session_id, "logout")
        # The bearer token proves the caller's intent: no forged form can carry one.
        token = from_body() or refresh_cookie(request, runtime.settings)
    else:
        token = presented_token(request, runtime, from_body())
    if token is not None:
        await sessions.revoke_token(token)
