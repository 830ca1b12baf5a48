"""The one place TaskMaster reads the time, so tests can control it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime


def system_now() -> datetime:
    return datetime.now(UTC)


Clock = Callable[[], datetime]


def whole_millis(moment: datetime) -> datetime:
    """`moment` cut to whole milliseconds: the precision the API shows and tasks store."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
