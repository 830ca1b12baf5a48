"""The v1 answer to a sign-in or a refresh: tokens in the body, the refresh token in a cookie."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import Response

from taskmaster.api.cookies import set_refresh_cookie
from taskmaster.api.csrf import CSRF_HEADER
from taskmaster.api.v1 import serialize
from taskmaster.api.v1.envelope import ok
from taskmaster.auth.service import SignedIn
from taskmaster.runtime import Runtime


def signed_in_response(
    request: Request,
    runtime: Runtime,
    signed_in: SignedIn,
    *,
    message: str | None = None,
    status: int = 200,
) -> Response:
    """`token` stays for the MVP's clients; the browser app (which sends the CSRF header)
    never sees the refresh token in a body: the httpOnly cookie is its only copy."""
    data: dict[str, Any] = {
        "user": serialize.user_summary(signed_in.user),
        "token": signed_in.access_token,
        "accessToken": signed_in.access_token,
        "expiresIn": int(runtime.tokens.ttl.total_seconds()),
    }
    if not request.headers.get(CSRF_HEADER):
        data["refreshToken"] = signed_in.session.refresh_token
    response = ok(data, message=message, status=status)
    set_refresh_cookie(
        response,
        runtime.settings,
        signed_in.session.refresh_token,
        signed_in.session.expires_at,
        runtime.clock(),
    )
    return response
