"""Reading typed fields out of a v1 JSON body, with the contract's messages."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from taskmaster.errors import Invalid

E = TypeVar("E", bound=StrEnum)


def checked_text(value: str, label: str) -> str:
    """Refuse NUL characters: no database stores them and no person types them."""
    if "\x00" in value:
        raise Invalid(f"{label} must not contain NUL characters")
    return value


def text(body: dict[str, Any], key: str, label: str) -> str | None:
    """The string at `key`, or None when it is absent or null."""
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(f"{label} must be a string")
    return checked_text(value, label)


def choice(value: object, kind: type[E], label: str) -> E:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return kind(value)
    allowed = ", ".join(member.value for member in kind)
    raise Invalid(f"Invalid {label}. Must be one of: {allowed}")


def moment(value: object, label: str) -> datetime | None:
    """An ISO 8601 date-time (a bare date means its start in UTC), or None for null."""
    if value is None:
        return None
    if isinstance(value, str) and "\x00" not in value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is None:
            try:
                day = date.fromisoformat(value)
            except ValueError:
                day = None
            if day is not None:
                parsed = datetime(day.year, day.month, day.day)
        if parsed is not None:
            try:
                return (
                    parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
                )
            except OverflowError:  # an offset that pushes the moment out of years 1..9999
                pass
    raise Invalid(f"{label} must be an ISO 8601 date-time or null")
