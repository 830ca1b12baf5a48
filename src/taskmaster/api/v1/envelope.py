"""The MVP envelope: {"success": true, "data", "message"} and {"success": false, "error"}."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from taskmaster.api.responses import JSONBytes

_NOTHING = object()


def ok(
    data: Any = _NOTHING,
    *,
    message: str | None = None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> JSONBytes:
    body: dict[str, Any] = {"success": True}
    if data is not _NOTHING:
        body["data"] = data
    if message is not None:
        body["message"] = message
    return JSONBytes(body, status_code=status, headers=headers)


def failure(message: str, status: int, headers: Mapping[str, str] | None = None) -> JSONBytes:
    return JSONBytes({"success": False, "error": message}, status_code=status, headers=headers)
