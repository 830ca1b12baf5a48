"""The Idempotency-Key header of v2's creates: how it is read, declared and answered.

The work itself runs once per key in `taskmaster.idempotency.keys`; this is its wire side,
shared by every create that takes a key (tasks on the fast lane, projects on the router).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header
from starlette.requests import Request
from starlette.responses import Response

from taskmaster.api.openapi import STRING
from taskmaster.api.responses import JSONBytes
from taskmaster.errors import Invalid
from taskmaster.idempotency.keys import Answer

KEY_MAX = 255
HEADER = "Idempotency-Key"
MALFORMED = f"{HEADER} must be 1 to {KEY_MAX} printable ASCII characters"
REPLAYED: dict[str, Any] = {
    "Idempotent-Replayed": {
        "description": "true when this is the first answer, given again",
        **STRING,
    }
}


# The header as an endpoint declares it, for the OpenAPI document.
KeyHeader = Annotated[
    str | None,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=KEY_MAX,
        description="A fresh key per new resource, the same with each retry: a retry gets the "
        "first answer and never creates a second one. Kept 24 hours.",
    ),
]


def key_of(request: Request) -> str | None:
    """The request's key, if it sent one; a malformed one is refused, naming the header."""
    key = request.headers.get(HEADER)
    if key is not None and not (0 < len(key) <= KEY_MAX and key.isascii() and key.isprintable()):
        raise Invalid.at("header", HEADER, MALFORMED)
    return key


def answered(answer: Answer, headers: dict[str, str]) -> Response:
    """A create's answer, first given or given again (then saying so), with `headers`."""
    if answer.replayed:
        headers = headers | {"Idempotent-Replayed": "true"}
    return Response(answer.body, answer.status, headers, media_type=JSONBytes.media_type)
