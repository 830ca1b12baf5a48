"""Reading v2 query parameters: each failure names its parameter."""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from starlette.datastructures import QueryParams

from taskmaster.clock import in_utc
from taskmaster.errors import Invalid
from taskmaster.ids import parse_uuid

E = TypeVar("E", bound=StrEnum)


def one(params: QueryParams, name: str) -> str | None:
    """The parameter's value; None when absent or empty. Given twice, it is ambiguous."""
    values = params.getlist(name)
    if len(values) > 1:
        raise Invalid.at("query", name, f"{name} may be given once")
    if not values or values[0] == "":
        return None
    if "\x00" in values[0]:
        raise Invalid.at("query", name, f"{name} must not contain NUL characters")
    return values[0]


def bounded(params: QueryParams, name: str, default: int, low: int, high: int) -> int:
    raw = one(params, name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= len(str(high))) or not (
        low <= int(raw) <= high
    ):
        raise Invalid.at("query", name, f"{name} must be an integer from {low} to {high}")
    return int(raw)


def member(params: QueryParams, name: str, kind: type[E]) -> E | None:
    raw = one(params, name)
    if raw is None:
        return None
    with contextlib.suppress(ValueError):
        return kind(raw)
    allowed = ", ".join(item.value for item in kind)
    raise Invalid.at("query", name, f"{name} must be one of: {allowed}")


def moment(params: QueryParams, name: str) -> datetime | None:
    """An RFC 3339 date-time with an offset (Z or ±hh:mm), in UTC."""
    raw = one(params, name)
    if raw is None:
        return None
    parsed = None
    with contextlib.suppress(ValueError):
        parsed = datetime.fromisoformat(raw)
    if parsed is None or parsed.tzinfo is None or "T" not in raw.upper():
        raise Invalid.at("query", name, f"{name} must be an RFC 3339 date-time with an offset")
    return in_utc(parsed)


def identifier(params: QueryParams, name: str) -> uuid.UUID | None:
    """A UUID, as every id is."""
    raw = one(params, name)
    if raw is None:
        return None
    parsed = parse_uuid(raw)
    if parsed is None:
        raise Invalid.at("query", name, f"{name} must be a UUID")
    return parsed


def boolean(params: QueryParams, name: str) -> bool | None:
    raw = one(params, name)
    if raw is None:
        return None
    if raw not in ("true", "false"):
        raise Invalid.at("query", name, f"{name} must be true or false")
    return raw == "true"
