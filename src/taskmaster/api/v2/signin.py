"""The v2 answer to a sign-in or a refresh, and to a sign-out: the refresh cookie on v2's path."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from taskmaster.api.cookies import clear_refresh_cookie
from taskmaster.api.responses import JSONBytes
from taskmaster.api.session_wire import keeping_refresh_token, signed_in_tokens
from taskmaster.api.v1 import serialize
from taskmaster.api.versions import V2
from taskmaster.auth.service import SignedIn
from taskmaster.runtime import Runtime

# Tokens must not be kept by a cache on the way (RFC 6749, section 5.1).
NO_STORE = {"Cache-Control": "no-store"}


def signed_in_response(
    request: Request, runtime: Runtime, signed_in: SignedIn, *, status: int = 200
) -> Response:
    """The signed-in session's tokens as the body; the refresh token also as a cookie."""
    body = {
        "user": serialize.user_summary(signed_in.user),
        **signed_in_tokens(request, runtime, signed_in),
    }
    response = JSONBytes(body, status_code=status, headers=NO_STORE)
    return keeping_refresh_token(response, runtime, signed_in, prefix=V2)


def signed_out(response: Response, runtime: Runtime) -> Response:
    """`response`, clearing the refresh cookie."""
    clear_refresh_cookie(response, runtime.settings, prefix=V2)
    return response
