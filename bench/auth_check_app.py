"""The app under test plus two bare endpoints that differ only in the session-revocation check.

Served by bench/auth_check.sh; never part of the product.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.responses import Response

from taskmaster.api.deps import bearer_token
from taskmaster.app import create_app
from taskmaster.runtime import Runtime

BODY = b'{"success":true}'


def build() -> FastAPI:
    app = create_app()
    runtime: Runtime = app.state.runtime

    @app.get("/bench/verify")
    async def verify_only(request: Request) -> Response:
        runtime.tokens.verify(bearer_token(request))
        return Response(BODY, media_type="application/json")

    @app.get("/bench/verify-and-check")
    async def verify_and_check(request: Request) -> Response:
        claims = runtime.tokens.verify(bearer_token(request))
        await runtime.revoked.contains(claims.session_id)
        return Response(BODY, media_type="application/json")

    # The bare routes must win over the SPA's catch-all, which create_app added last.
    app.router.routes.insert(0, app.router.routes.pop())
    app.router.routes.insert(0, app.router.routes.pop())
    return app
