"""The v1 answer to a sign-in or a refresh: tokens in the body, the refresh token in a cookie."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from taskmaster.api.session_wire import keeping_refresh_token, signed_in_tokens
from taskmaster.api.v1 import serialize
from taskmaster.api.v1.envelope import ok
from taskmaster.api.versions import V1
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
    """`token` stays for the MVP's clients, beside the tokens v2 answers with too."""
    data = {
        "user": serialize.user_summary(signed_in.user),
        "token": signed_in.access_token,
        **signed_in_tokens(request, runtime, signed_in),
    }
    response = ok(data, message=message, status=status)
    return keeping_refresh_token(response, runtime, signed_in, prefix=V1)
