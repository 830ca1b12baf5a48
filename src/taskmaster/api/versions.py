"""Which API version a request speaks, and v1's announced end.

The version is in the path (/api/v1, /api/v2) or, on the unversioned /api/..., in the
`API-Version` header (v1 when absent, as the MVP's clients send none); such a request is
rewritten to its versioned path, keeping the original for messages that name it. v1 answers
carry Deprecation (RFC 9745), Sunset (RFC 8594) and a Link to their v2 successor; once
configured as gone, v1 answers 410 after its sunset. Each v1 request is counted per client.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from email.utils import format_datetime
from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from taskmaster.api.v1.envelope import failure
from taskmaster.api.v1_usage import V1Usage
from taskmaster.api.v2 import problems
from taskmaster.clock import Clock
from taskmaster.config import Settings
from taskmaster.errors import FieldProblem, UnsupportedVersion

ORIGINAL_PATH = "taskmaster.original_path"
SUPPORTED = ("v1", "v2")
MIGRATION_GUIDE = "docs/api-v1-to-v2.md"
V1, V2 = "/api/v1", "/api/v2"

Header = tuple[bytes, bytes]
_PREFIXES = {b"v1": V1, b"v2": V2}
_VARY = b"API-Version"
_SUCCESSOR = b'>; rel="successor-version"'
_PATH_SAFE = "/:@!$&'()*+,;="  # RFC 3986 pchar (and /) besides the unreserved characters
_PLAIN_PATH = re.compile(
    rb"[A-Za-z0-9\-._~!$&'()*+,;=:@/]*(?:%[0-9A-Fa-f]{2}[A-Za-z0-9\-._~!$&'()*+,;=:@/]*)*"
)
_V2_BYTES = V2.encode()
LINKS_KEPT = 4096


def _under(path: str, prefix: str) -> bool:
    """`path` is `prefix` or below it: /api/v1 and /api/v1/tasks, not /api/v10."""
    return path.startswith(prefix) and path[len(prefix) : len(prefix) + 1] in ("", "/")


def lifecycle_headers(settings: Settings) -> list[Header]:
    """Deprecation and Sunset as configured; either may be switched off."""
    headers = []
    if settings.api_v1_deprecated_at is not None:
        seconds = int(settings.api_v1_deprecated_at.timestamp())
        headers.append((b"deprecation", f"@{seconds}".encode()))
    if settings.api_v1_sunset_at is not None:
        headers.append(
            (b"sunset", format_datetime(settings.api_v1_sunset_at, usegmt=True).encode())
        )
    return headers


def successor_link(path: str, raw_path: bytes | None = None) -> bytes:
    """The Link header value naming the v2 equivalent of `path` (under /api/v1)."""
    # The client's own spelling when it is plain URI characters: nothing to re-encode.
    if raw_path is not None and _under_v1(raw_path) and _PLAIN_PATH.fullmatch(raw_path):
        return b"<" + _V2_BYTES + raw_path[len(_V2_BYTES) :] + _SUCCESSOR
    return b"<" + quote(V2 + path[len(V1) :], safe=_PATH_SAFE).encode() + _SUCCESSOR


def _under_v1(raw_path: bytes) -> bool:
    return raw_path.startswith(b"/api/v1") and raw_path[7:8] in (b"", b"/")


def _requested_prefix(headers: Iterable[Header]) -> str | None:
    """The path prefix the API-Version header asks for; None for anything not supported."""
    found: bytes | None = None
    for name, value in headers:
        if name == b"api-version":
            if found is not None:  # two answers to one question
                return None
            found = value
    if found is None:
        return V1
    return _PREFIXES.get(found.strip(b" \t").lower())


def _user_agent(headers: Iterable[Header]) -> bytes:
    for name, value in headers:
        if name == b"user-agent":
            return value
    return b""


def _with_vary(headers: list[Header]) -> None:
    """Adds API-Version to the Vary header."""
    # In the one field: CORS extends the first Vary it finds and drops the others.
    for index, (name, value) in enumerate(headers):
        if name == b"vary":
            headers[index] = (name, value + b", " + _VARY)
            return
    headers.append((b"vary", _VARY))


def _varying(send: Send) -> Send:
    """Answers to unversioned paths depend on the API-Version header: caches must know."""

    async def send_with_vary(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", ()))
            _with_vary(headers)
            message["headers"] = headers
        await send(message)

    return send_with_vary


def _unsupported() -> problems.ProblemResponse:
    supported = ", ".join(SUPPORTED)
    problem = FieldProblem("header", "API-Version", f"must be one of {supported}")
    error = UnsupportedVersion(
        f"Unsupported API version; the supported versions are {supported}", problems=[problem]
    )
    return problems.of(error)


def _rewrite(scope: Scope, prefix: str) -> None:
    """/api/... becomes `prefix`/..., the path as sent kept under ORIGINAL_PATH."""
    path: str = scope["path"]
    scope[ORIGINAL_PATH] = path
    scope["path"] = prefix + path[len("/api") :]
    raw: bytes | None = scope.get("raw_path")
    if raw is not None:  # spliced as sent when it spells /api plainly, else re-encoded
        plain = raw == b"/api" or raw.startswith(b"/api/")
        versioned = prefix.encode() + raw[len(b"/api") :] if plain else None
        scope["raw_path"] = versioned or quote(scope["path"], safe=_PATH_SAFE).encode()


class ApiVersions:
    """Chooses the version of /api requests and announces v1's end; everything else passes."""

    def __init__(self, app: ASGIApp, *, settings: Settings, clock: Clock, usage: V1Usage) -> None:
        self.app = app
        self.clock = clock
        self.usage = usage
        self.lifecycle = lifecycle_headers(settings)
        sunset = settings.api_v1_sunset_at
        self.gone_at = sunset if settings.api_v1_gone_after_sunset else None
        retired = "" if sunset is None else sunset.date().isoformat()
        gone = failure(f"API v1 was retired on {retired}; use {V2} (see {MIGRATION_GUIDE})", 410)
        self.gone_headers, self.gone_body = gone.raw_headers, gone.body
        self._links: dict[bytes, Header] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The common cases first and cheaply: not http, or not under /api.
        if scope["type"] != "http" or not scope["path"].startswith("/api"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        vary = False
        if not _under(path, V1):
            if _under(path, V2) or not _under(path, "/api"):
                await self.app(scope, receive, send)
                return
            prefix = _requested_prefix(scope["headers"])
            if prefix is None:
                await _unsupported()(scope, receive, _varying(send))
                return
            _rewrite(scope, prefix)
            if prefix == V2:
                await self.app(scope, receive, _varying(send))
                return
            vary = True
        await self._v1(scope, receive, send, vary)

    async def _v1(self, scope: Scope, receive: Receive, send: Send, vary: bool) -> None:
        self.usage.count(_user_agent(scope["headers"]))
        raw: bytes | None = scope.get("raw_path")
        # Kept by the path as sent (uvicorn always sends it): each spelling gets its own back.
        link = self._links.get(raw) if raw is not None else None
        if link is None:
            link = self._link(scope["path"], raw)
        lifecycle = self.lifecycle

        async def announcing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", ()), *lifecycle, link]
                if vary:
                    _with_vary(headers)
                message["headers"] = headers
            await send(message)

        if self.gone_at is not None and self.clock() >= self.gone_at:
            # Retired: nothing reaches the app. The body is the same every time; built once.
            start = {"type": "http.response.start", "status": 410, "headers": self.gone_headers}
            await announcing(start)
            await announcing({"type": "http.response.body", "body": self.gone_body})
            return
        await self.app(scope, receive, announcing)

    def _link(self, path: str, raw_path: bytes | None) -> Header:
        """The Link header for `path`, kept for the next request to it: the hottest repeat."""
        link = (b"link", successor_link(path, raw_path))
        if raw_path is not None:
            if len(self._links) >= LINKS_KEPT:  # mostly paths with ids, each asked for once
                self._links.clear()
            self._links[raw_path] = link
        return link
