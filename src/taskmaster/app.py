"""create_app(settings): middleware, API versions, static SPA."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from taskmaster import __version__, web
from taskmaster.api import errors, meta
from taskmaster.api.body import BodyLimit
from taskmaster.api.csrf import CSRF_HEADER
from taskmaster.api.headers import SecurityHeaders
from taskmaster.api.responses import JSONBytes
from taskmaster.api.v1 import auth as v1_auth
from taskmaster.api.v1 import sessions as v1_sessions
from taskmaster.api.v1 import tasks as v1_tasks
from taskmaster.config import Settings
from taskmaster.logs import configure_logging
from taskmaster.runtime import Runtime

# v1 is the MVP contract; the unversioned /api prefix keeps the MVP's clients working.
V1_PREFIXES = ("/api/v1", "/api")


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """The TaskMaster ASGI application; without arguments it reads the environment."""
    if runtime is None:
        runtime = Runtime.build(settings or Settings())
    configure_logging(runtime.settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        await runtime.hasher.warm_up()
        yield
        await runtime.close()

    app = FastAPI(
        title="TaskMaster",
        version=__version__,
        default_response_class=JSONBytes,
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.add_middleware(BodyLimit, limit=runtime.settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    if runtime.settings.cors_origin:
        # Exactly the configured origins, with credentials (the refresh cookie) for them only.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(runtime.settings.cors_origin),
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", CSRF_HEADER, "API-Version"],
            expose_headers=["X-Total-Count", "Retry-After"],
            max_age=600,
        )
    errors.install(app)
    app.include_router(meta.router)
    for prefix in V1_PREFIXES:
        for router in (v1_auth.router, v1_sessions.router, v1_tasks.router):
            app.include_router(router, prefix=prefix, include_in_schema=prefix == "/api/v1")
    web.mount(app)
    return app
