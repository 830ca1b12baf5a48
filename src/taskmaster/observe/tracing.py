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

from collections.abc import Callable, Iterable

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp

from taskmaster.config import Settings


def _unwrapped(app: ASGIApp) -> ASGIApp:
    return app


def _nothing(*_: object) -> None:
    return None


class Tracing:
    """Traces for one app, when the settings ask for them."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = bool(settings.otel_exporter_otlp_endpoint)
        self._wrap: Callable[[ASGIApp], ASGIApp] = _unwrapped
        self._instrument: Callable[[Iterable[AsyncEngine]], None] = _nothing
        self._flush: Callable[[], None] = _nothing
        if self.enabled:
            from taskmaster.observe import otel  # noqa: PLC0415 - only when on (otel.py)

            self._wrap, self._instrument, self._flush = otel.middleware, otel.instrument, otel.flush

    def wrap(self, app: ASGIApp) -> ASGIApp:
        """The ASGI app with a server span around each request (or as it is, when off)."""
        return self._wrap(app)

    def instrument(self, engines: Iterable[AsyncEngine]) -> None:
        """A span for every statement on these engines."""
        self._instrument(engines)

    def flush(self) -> None:
        """Send what is buffered (at shutdown)."""
        self._flush()
