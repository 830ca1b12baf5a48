"""HEAD wherever GET works: a HEAD request is answered as its GET would be, without the body.

FastAPI's routes answer only the methods they name, so `HEAD /` and `HEAD /api/v2/tasks` were
405 or 404. The request goes on as a GET (rate limits, caching, versions all apply) and its
answer keeps every header, Content-Length included, as RFC 9110 allows. What the routing found
(the route, for the request log and metrics) is handed back to the HEAD request's scope."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body" and message.get("body"):
                message = {**message, "body": b""}
            await send(message)

        as_get = {**scope, "method": "GET"}
        try:
            await self.app(as_get, receive, without_body)
        finally:
            scope.update((key, value) for key, value in as_get.items() if key != "method")
