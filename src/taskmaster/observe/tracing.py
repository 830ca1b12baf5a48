"""OpenTelemetry traces, sent over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set; off (and
free) otherwise.

A request's trace holds its server span (the ASGI middleware, outside every other layer but
the request log, so the fast lane's requests are traced too), a span per SQL statement and
per Redis command. Most statements run on asyncpg's connection directly (db/query.py), so
asyncpg is traced as well as SQLAlchemy; Redis through redis-py (the read cache's pipelined
client is not redis-py and is not traced). The exporter reads the standard variables itself
(OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TIMEOUT, OTEL_BSP_SCHEDULE_DELAY, …);
OTEL_SERVICE_NAME names the service (default `taskmaster`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp

from taskmaster import __version__
from taskmaster.config import Settings


@functools.cache
def _provider() -> TracerProvider:
    """This process's tracer provider, exporting in batches; made once and set globally."""
    resource = Resource.create(
        {
            "service.name": os.environ.get("OTEL_SERVICE_NAME", "taskmaster"),
            "service.version": __version__,
        }
    )
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    RedisInstrumentor().instrument(tracer_provider=provider)
    # Its __init__ carries no annotations; the call is as its documentation shows.
    AsyncPGInstrumentor().instrument(tracer_provider=provider)  # type: ignore[no-untyped-call]
    return provider


class Tracing:
    """Traces for one app, when the settings ask for them."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = bool(settings.otel_exporter_otlp_endpoint)

    def wrap(self, app: ASGIApp) -> ASGIApp:
        """The ASGI app with a server span around each request (or as it is, when off)."""
        if not self.enabled:
            return app
        return OpenTelemetryMiddleware(app, tracer_provider=_provider())

    def instrument(self, engines: Iterable[AsyncEngine]) -> None:
        """A span for every statement on these engines."""
        if self.enabled:
            SQLAlchemyInstrumentor().instrument(
                engines=[engine.sync_engine for engine in engines], tracer_provider=_provider()
            )

    def flush(self) -> None:
        """Send what is buffered (at shutdown)."""
        if self.enabled:
            _provider().force_flush()
