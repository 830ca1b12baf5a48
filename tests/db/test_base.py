"""UTCDateTime: aware UTC datetimes in and out, on both backends; naive ones refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.engine import Dialect, make_url

from taskmaster.db.base import UTCDateTime

PARIS_SUMMER = timezone(timedelta(hours=2))


def dialect(name: str) -> Dialect:
    return make_url(f"{name}://").get_dialect()()


SQLITE, POSTGRESQL = dialect("sqlite"), dialect("postgresql")


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), POSTGRESQL)


def test_sqlite_stores_utc_without_an_offset() -> None:
    stored = UTCDateTime().process_bind_param(
        datetime(2026, 7, 1, 12, 0, tzinfo=PARIS_SUMMER), SQLITE
    )
    assert stored == datetime(2026, 7, 1, 10, 0)
    assert stored is not None
    assert stored.tzinfo is None


def test_postgresql_stores_an_aware_utc_datetime() -> None:
    stored = UTCDateTime().process_bind_param(
        datetime(2026, 7, 1, 12, 0, tzinfo=PARIS_SUMMER), POSTGRESQL
    )
    assert stored == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert stored is not None
    assert stored.utcoffset() == timedelta(0)


def test_values_read_back_are_aware_utc() -> None:
    kind = UTCDateTime()
    naive = kind.process_result_value(datetime(2026, 7, 1, 10, 0), SQLITE)
    aware = kind.process_result_value(datetime(2026, 7, 1, 12, 0, tzinfo=PARIS_SUMMER), POSTGRESQL)
    assert naive == aware == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert naive is not None
    assert aware is not None
    assert naive.tzinfo is UTC
    assert aware.tzinfo is UTC


def test_none_passes_through() -> None:
    kind = UTCDateTime()
    assert kind.process_bind_param(None, SQLITE) is None
    assert kind.process_result_value(None, SQLITE) is None
