"""The 10,000 most common passwords (zxcvbn's maintained list), refused for new passwords."""

from __future__ import annotations

from functools import cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS

COMMON_COUNT = 10_000


@cache
def _common() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_COUNT])


def is_common(password: str) -> bool:
    """Whether the password, ignoring case, is among the most common ones."""
    return password.lower() in _common()
