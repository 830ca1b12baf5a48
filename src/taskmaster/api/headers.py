"""Headers every response carries: no framing (clickjacking), no sniffing, no referrers, and
in production HTTPS only (HSTS). A response with a policy of its own (the web app's pages,
taskmaster.browser_policy) keeps it instead of the API's."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from taskmaster.browser_policy import STRICT_TRANSPORT

POLICY = b"content-security-policy"
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
]
API_POLICY = (POLICY, b"frame-ancestors 'none'")
HSTS = (b"strict-transport-security", STRICT_TRANSPORT.encode())


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, strict_transport: bool = False) -> None:
        self.app = app
        self.headers = [*SECURITY_HEADERS, *([HSTS] if strict_transport else [])]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                own = message.get("headers", [])
                policy = [] if any(name == POLICY for name, _ in own) else [API_POLICY]
                message["headers"] = [*own, *self.headers, *policy]
            await send(message)

        await self.app(scope, receive, send_with_headers)
