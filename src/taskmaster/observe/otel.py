"""OpenTelemetry's side of tracing (observe/tracing.py imports this module only when tracing
is on: its imports cost every process start almost half a second on this machine)."""

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


@functools.cache
def provider() -> TracerProvider:
    """This process's tracer provider, exporting in batches; made once and set globally,
    with redis-py and asyncpg traced through it."""
    resource = Resource.create(
        {
            "service.name": os.environ.get("OTEL_SERVICE_NAME", "taskmaster"),
            "service.version": __version__,
        }
    )
    made = TracerProvider(resource=resource)
    made.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(made)
    RedisInstrumentor().instrument(tracer_provider=made)
    # Its __init__ carries no annotations; the call is as its documentation shows.
    AsyncPGInstrumentor().instrument(tracer_provider=made)  # type: ignore[no-untyped-call]
    return made


def middleware(app: ASGIApp) -> ASGIApp:
    return OpenTelemetryMiddleware(app, tracer_provider=provider())


def instrument(engines: Iterable[AsyncEngine]) -> None:
    SQLAlchemyInstrumentor().instrument(
        engines=[engine.sync_engine for engine in engines], tracer_provider=provider()
    )


def flush() -> None:
    provider().force_flush()
