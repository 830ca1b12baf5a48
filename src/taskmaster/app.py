"""create_app(settings): middleware, the fast lane, API versions, static SPA."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp

from taskmaster import __version__, web
from taskmaster.api import errors, meta, openapi
from taskmaster.api.body import BodyLimit
from taskmaster.api.csrf import CSRF_HEADER
from taskmaster.api.head import HeadAsGet
from taskmaster.api.headers import SecurityHeaders
from taskmaster.api.lane import Lane, LaneApp
from taskmaster.api.ratelimits import UserRateLimits
from taskmaster.api.responses import JSONBytes
from taskmaster.api.v1 import auth as v1_auth
from taskmaster.api.v1 import contract as v1_contract
from taskmaster.api.v1 import sessions as v1_sessions
from taskmaster.api.v1 import tasks as v1_tasks
from taskmaster.api.v1_usage import V1Usage
from taskmaster.api.v2 import auth as v2_auth
from taskmaster.api.v2 import contract as v2_contract
from taskmaster.api.v2 import passkeys as v2_passkeys
from taskmaster.api.v2 import projects as v2_projects
from taskmaster.api.v2 import security as v2_security
from taskmaster.api.v2 import sessions as v2_sessions
from taskmaster.api.v2 import tasks as v2_tasks
from taskmaster.api.versions import V1, V2, ApiVersions
from taskmaster.config import Settings
from taskmaster.heap import keep_pauses_short
from taskmaster.logs import configure_logging, log_level
from taskmaster.observe.readiness import drain_on_sigterm
from taskmaster.observe.requests import RequestLog
from taskmaster.observe.tracing import Tracing
from taskmaster.runtime import Runtime

Wrap = Callable[[ASGIApp], ASGIApp]


class TaskMasterAPI(FastAPI):
    """FastAPI behind the edge middleware (CORS, security headers, body limit), with the fast
    lane in front of the framework: lane routes skip FastAPI's own layers, the rest do not."""

    def __init__(self, *, edge: list[Wrap], lane: Lane, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._edge = edge
        self._lane = lane

    def build_middleware_stack(self) -> ASGIApp:
        app: ASGIApp = LaneApp(super().build_middleware_stack(), self._lane)
        for wrap in reversed(self._edge):
            app = wrap(app)
        return app


def _edge(runtime: Runtime, usage: V1Usage, tracing: Tracing) -> list[Wrap]:
    """The middleware every response passes, outermost first."""
    settings = runtime.settings
    # Socket.IO first: its long-lived connections need none of the HTTP layers below. Then the
    # request log, which every HTTP answer passes (a CORS preflight's and a refusal's too).
    edge: list[Wrap] = [
        runtime.hub.asgi,
        functools.partial(
            RequestLog,
            trust_given_id=settings.trusted_proxy_hops > 0,
            lines=log_level(settings) <= logging.INFO,
        ),
        tracing.wrap,
        HeadAsGet,
    ]
    if settings.cors_origin:
        # Exactly the configured origins, with credentials (the refresh cookie) for them only.
        edge.append(
            functools.partial(
                CORSMiddleware,
                allow_origins=list(settings.cors_origin),
                allow_credentials=True,
                allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                allow_headers=[
                    "Authorization",
                    "Content-Type",
                    CSRF_HEADER,
                    "API-Version",
                    "If-Match",
                    "If-None-Match",
                    "Idempotency-Key",
                ],
                expose_headers=[
                    "X-Total-Count",
                    "Retry-After",
                    "Deprecation",
                    "Sunset",
                    "Link",
                    "ETag",
                    "Location",
                    "Idempotent-Replayed",
                    "RateLimit-Policy",
                    "RateLimit",
                ],
                max_age=600,
            )
        )
    edge.append(functools.partial(SecurityHeaders, strict_transport=settings.is_production))
    # Inside SecurityHeaders, so that its own answers (400, 410) carry them too. It serves the
    # unversioned /api/... (the MVP's clients) through /api/v1 or /api/v2.
    edge.append(functools.partial(ApiVersions, settings=settings, clock=runtime.clock, usage=usage))
    # After the version is known, so that a refusal speaks it; before the body is read.
    edge.append(functools.partial(UserRateLimits, runtime=runtime))
    edge.append(functools.partial(BodyLimit, limit=settings.max_body_bytes))
    return edge


def _document_versions(app: FastAPI) -> None:
    """/api/v1/openapi.json, /api/v2/openapi.json and their interactive docs."""
    v1_operations = APIRouter(prefix=V1)  # v1 keeps its own bytes: its contract documents them
    v1_operations.include_router(v1_contract.router)
    lane_operations = APIRouter(prefix=V2)
    lane_operations.include_router(v2_contract.router)

    def v2_routes() -> list[openapi.Documented]:  # read when first asked: all are mounted then
        return [*lane_operations.routes, *openapi.under(app, V2)]

    app.include_router(openapi.docs_router(V1, "TaskMaster API v1", lambda: v1_operations.routes))
    app.include_router(openapi.docs_router(V2, "TaskMaster API v2", v2_routes))


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """The TaskMaster ASGI application; without arguments it reads the environment."""
    if runtime is None:
        runtime = Runtime.build(settings or Settings())
    configure_logging(runtime.settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        tracing.instrument(runtime.db.engines)
        await runtime.start()
        await runtime.hasher.warm_up()
        usage.start()
        if runtime.settings.gc_freeze_survivors:
            keep_pauses_short()
        serve_again = drain_on_sigterm(runtime.readiness, runtime.settings.drain_seconds)
        yield
        serve_again()
        await usage.close()
        await runtime.close()
        tracing.flush()

    usage = V1Usage(runtime.store, runtime.clock)
    tracing = Tracing(runtime.settings)
    app = TaskMasterAPI(
        edge=_edge(runtime, usage, tracing),
        lane=Lane([*v1_tasks.routes(V1), *v2_tasks.routes()]),
        title="TaskMaster",
        version=__version__,
        default_response_class=JSONBytes,
        lifespan=lifespan,
        # FastAPI's own OpenTelemetry asks the global providers on every request (2% of a
        # cached read's time) and sees no request of the fast lane: the traces, when on, are
        # TaskMaster's own (taskmaster.observe.tracing).
        telemetry={"tracing": False, "metrics": False, "logs": False},
        # Each version has a document of its own (taskmaster.api.openapi), none the whole app.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.v1_usage = usage
    errors.install(app)
    app.include_router(meta.router)
    for router in (v1_auth.router, v1_sessions.router):
        app.include_router(router, prefix=V1, include_in_schema=False)
    v2_routers = (v2_auth, v2_sessions, v2_security, v2_passkeys, v2_projects)
    for router in (module.router for module in v2_routers):
        app.include_router(router, prefix=V2)
    _document_versions(app)
    web.mount(app)
    return app
