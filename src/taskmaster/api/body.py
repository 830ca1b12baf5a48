"""Request bodies: a size limit enforced while reading, and JSON objects parsed with orjson."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from taskmaster.errors import Invalid, PayloadTooLarge, UnsupportedMediaType


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"Request body is too large (limit {limit // 1024} KiB)")


class BodyLimit:
    """Refuses bodies over `limit` bytes, declared or streamed, as they are read."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared.isdigit() and int(declared) > self.limit:
                raise _too_large(self.limit)
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise _too_large(self.limit)
            return message

        await self.app(scope, limited_receive, send)


def _is_json(content_type: str) -> bool:
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


async def json_object(request: Request) -> dict[str, Any]:
    """The request's JSON object; an empty body reads as {}.

    A body must say it is JSON: HTML forms cannot, so no other site can post one on a
    visitor's behalf (login CSRF) without a CORS preflight this API refuses.
    """
    raw = await request.body()
    if not raw.strip():
        return {}
    if not _is_json(request.headers.get("content-type", "")):
        raise UnsupportedMediaType("Content-Type must be application/json")
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise Invalid("Malformed JSON in request body") from error
    if not isinstance(value, dict):
        raise Invalid("Request body must be a JSON object")
    return value
