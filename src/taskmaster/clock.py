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


# The first and last whole milliseconds of the calendar, but for the very first and last
# moments: asyncpg sends those as -infinity and infinity.
EARLIEST = datetime.min.replace(microsecond=1000, tzinfo=UTC)
LATEST = datetime.max.replace(microsecond=999_000, tzinfo=UTC)


def in_utc(moment: datetime) -> datetime:
    """An aware `moment` in UTC; one whose offset takes it beyond the years 1 to 9999 there
    (0001-01-01T00:00-05:00 is still year 0 in UTC) becomes the nearest moment within."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return EARLIEST if moment.year == 1 else LATEST
