"""Rules every domain applies to the text it accepts."""

from __future__ import annotations

from taskmaster.errors import Invalid


def within(value: str, label: str, *, at_most: int, at_least: int = 0) -> str:
    """`value`, when its length is within bounds; else Invalid, saying which bound."""
    if len(value) < at_least:
        raise Invalid(f"{label} must be at least {at_least} characters long")
    if len(value) > at_most:
        raise Invalid(f"{label} must be at most {at_most} characters long")
    return value
