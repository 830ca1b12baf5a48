"""One log line per HTTP request (and its metrics), and the request id that ties together a
request's lines.

The id comes from `X-Request-ID` when a trusted proxy sets it (TRUSTED_PROXY_HOPS > 0: the
header is the proxy's, not the client's), else it is made here; the response carries it back,
and every log line written while the request runs names it. The request's line says what was
asked (method and route template, never the path itself: ids and search words stay out),
what was answered, how long it took and for whom: never a header, a body, a query string, a
token or a cookie.
"""

from __future__ import annotations

import itertools
import re
import secrets
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from structlog.typing import EventDict, WrappedLogger

from taskmaster.observe.metrics import observe_request

log = structlog.get_logger("taskmaster.requests")

HEADER = b"x-request-id"
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Probes ask these every few seconds: their lines are debug, not info.
QUIET_PATHS = frozenset({"/health", "/ready", "/metrics"})
UNMATCHED = "<unmatched>"


@dataclass(slots=True)
class RequestFacts:
    """What the request's line reports that only the handlers learn."""

    request_id: str
    user_id: uuid.UUID | None = None


_current: ContextVar[RequestFacts | None] = ContextVar("taskmaster_request", default=None)


def note_caller(user_id: uuid.UUID) -> None:
    """The request is this user's (the request's line names them)."""
    facts = _current.get()
    if facts is not None:
        facts.user_id = user_id


_PROCESS = secrets.token_hex(4)  # this process's part of every id it makes
_made = itertools.count()


def new_request_id() -> str:
    """16 hex digits, unique across processes (a random part) and within one (a count)."""
    return f"{_PROCESS}{next(_made) & 0xFFFFFFFF:08x}"


def add_request_id(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """A structlog processor: a line written while a request runs names its id."""
    facts = _current.get()
    if facts is not None:
        event.setdefault("request_id", facts.request_id)
    return event


def route_template(scope: Scope) -> str:
    """The route the router (or the fast lane) chose, as written: /api/v2/tasks/{task_id}.

    A route of a router included with a prefix knows only its own part of the path; FastAPI
    keeps the whole in its scope entry (the route context it also names OpenTelemetry spans
    by). tests/observe checks that every kind of route is named in full."""
    context = scope.get("fastapi", {}).get("effective_route_context")
    path = getattr(context, "path_format", None) or getattr(scope.get("route"), "path", None)
    if path is None:
        return UNMATCHED
    return path or "/"


def given_id(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The request id a proxy sent, when it is one a log line can carry as it is."""
    for name, value in headers:
        if name == HEADER:
            text = value.decode("latin-1")
            return text if _VALID_ID.fullmatch(text) else None
    return None


class RequestLog:
    """ASGI middleware: the request id, and the request's line and metrics once it is
    answered. `lines`: whether the log level lets request lines through at all."""

    def __init__(self, app: ASGIApp, *, trust_given_id: bool, lines: bool = True) -> None:
        self.app = app
        self.trust_given_id = trust_given_id
        self.lines = lines

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = (given_id(scope["headers"]) if self.trust_given_id else None) or (
            new_request_id()
        )
        facts = RequestFacts(request_id)
        status = 0  # no answer started: the client went away, or the app failed first
        id_header = (HEADER, request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        started = time.perf_counter()
        reset = _current.set(facts)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _current.reset(reset)
            self._answered(scope, status, facts, time.perf_counter() - started)

    def _answered(self, scope: Scope, status: int, facts: RequestFacts, seconds: float) -> None:
        method, route = scope["method"], route_template(scope)
        observe_request(method, route, status, seconds)
        if not self.lines:
            return
        write = log.debug if scope["path"] in QUIET_PATHS else log.info  # probes: debug
        write(
            "request",
            method=method,
            route=route,
            status=status or None,
            duration_ms=round(seconds * 1000, 2),
            user_id=str(facts.user_id) if facts.user_id else None,
            request_id=facts.request_id,
        )
