"""Per-user rate limits on the API, announced with the IETF RateLimit-Policy and RateLimit fields.

draft-ietf-httpapi-ratelimit-headers (structured fields): every limited answer carries
`RateLimit-Policy: "user";q=<quota>;w=<window>` and `RateLimit: "user";r=<remaining>;t=<s>`,
where t is the seconds until the current window closes while quota remains, and until one
request frees once none does. Past the limit the request never reaches the app: 429 with
`Retry-After` (equal to t), as a v2 problem (rate-limited) or in the v1 envelope.

Limited: every request under /api/v1 and /api/v2 (the unversioned /api arrives here rewritten)
that carries a valid access token, counted per user over both versions; one budget, so
switching versions gains nothing. The MVP contract lists no 429 on tasks, but its envelope is
the shape of every v1 error, and sign-in already answers 429 in it. Anything else passes
untouched: no token (sign-in has its own throttle), or an invalid or expired one (the endpoint
answers 401). Whether the token's session has ended is not asked here, as it may cost a round
trip: the endpoint refuses it, after it counted. With the store down nothing is enforced and
no fields are sent (RateLimiter decides). Each process takes a busy user's events from the
store in blocks (taskmaster.allowances), so most requests make no round trip for the limit.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from taskmaster.allowances import Allowances
from taskmaster.api.v1.envelope import failure
from taskmaster.api.v2 import problems
from taskmaster.api.versions import V1, V2
from taskmaster.errors import RateLimited, Unauthorized
from taskmaster.observe.metrics import RATE_LIMITED
from taskmaster.ratelimit import RateLimiter
from taskmaster.runtime import Runtime

POLICY = "user"  # the policy's name in both fields
KEY = "api-user:"
_SERVICE_LIMIT = f'"{POLICY}";r=%d;t=%d'.encode()
Header = tuple[bytes, bytes]


def _under(path: str, prefix: str) -> bool:
    return path.startswith(prefix) and path[len(prefix) : len(prefix) + 1] in ("", "/")


def _bearer(headers: Iterable[Header]) -> str | None:
    """The bearer token of the first Authorization header, as the endpoints read it."""
    for name, value in headers:
        if name == b"authorization":
            scheme, _, token = value.partition(b" ")
            token = token.strip()
            if scheme.lower() != b"bearer" or not token:
                return None
            return token.decode("latin-1")
    return None


class UserRateLimits:
    """Counts each authenticated API request against its user's quota in the shared store."""

    def __init__(self, app: ASGIApp, *, runtime: Runtime) -> None:
        self.app = app
        self.tokens = runtime.tokens
        self.rate = runtime.settings.rate_api_user
        limiter = RateLimiter(runtime.store, runtime.clock)
        self.allowances = Allowances(limiter, self.rate, runtime.clock)
        # The policy never changes: its field is built once.
        self.policy = (
            b"ratelimit-policy",
            f'"{POLICY}";q={self.rate.count};w={self.rate.seconds}'.encode(),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        token = _bearer(scope["headers"]) if _under(path, V1) or _under(path, V2) else None
        if token is None:
            await self.app(scope, receive, send)
            return
        try:
            claims = self.tokens.verify(token)  # kept from the first time: a dict lookup
        except Unauthorized:
            await self.app(scope, receive, send)
            return
        verdict = await self.allowances.take(KEY + claims.user_id.hex)
        if not verdict.enforced:
            await self.app(scope, receive, send)
            return
        fields = [self.policy, (b"ratelimit", _SERVICE_LIMIT % (verdict.remaining, verdict.reset))]
        if not verdict.allowed:
            RATE_LIMITED.labels("api").inc()
            await _refusal(path, verdict.retry_after, fields)(scope, receive, send)
            return

        async def send_with_fields(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *fields]
            await send(message)

        await self.app(scope, receive, send_with_fields)


def _refusal(path: str, retry_after: int, fields: list[Header]) -> ASGIApp:
    """429 in the version's format, with Retry-After and the RateLimit fields."""
    headers = {"Retry-After": str(retry_after)}
    headers.update((name.decode(), value.decode()) for name, value in fields)
    error = RateLimited(f"Too many requests. Try again in {retry_after} seconds.", retry_after)
    if _under(path, V2):
        return problems.of(error, headers)
    return failure(error.message, error.status, headers)
