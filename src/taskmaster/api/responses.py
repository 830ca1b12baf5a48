"""Responses whose bodies orjson writes: the fast path for every JSON answer."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse


class JSONBytes(JSONResponse):
    """A JSON response (FastAPI documents a route's response model for these) by orjson."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
