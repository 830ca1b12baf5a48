"""UUIDv7: version, variant, order and embedded time; parsing."""

from __future__ import annotations

import itertools
import time
import uuid

import pytest

from taskmaster import ids
from taskmaster.ids import parse_uuid, uuid7


def millis(value: uuid.UUID) -> int:
    return value.int >> 80


def counter(value: uuid.UUID) -> int:
    return (value.int >> 64) & 0xFFF


def test_version_and_variant() -> None:
    for _ in range(1000):
        value = uuid7()
        assert value.version == 7
        assert value.variant == uuid.RFC_4122
        assert (value.int >> 62) & 0b11 == 0b10


def test_monotonic_over_ten_thousand_calls() -> None:
    made = [uuid7() for _ in range(10_000)]
    assert all(a < b for a, b in itertools.pairwise(made))
    assert [str(v) for v in made] == sorted(str(v) for v in made)  # text sorts the same
    assert len(set(made)) == len(made)


def test_the_timestamp_is_now() -> None:
    before = time.time_ns() // 1_000_000
    value = uuid7()
    after = time.time_ns() // 1_000_000
    # Within the call, or at most a few milliseconds ahead after a burst spent a counter.
    assert before <= millis(value) <= after + 5


def test_the_random_bits_differ() -> None:
    low_bits = {uuid7().int & 0x3FFF_FFFF_FFFF_FFFF for _ in range(1000)}
    assert len(low_bits) == 1000


def test_a_spent_counter_borrows_the_next_millisecond(monkeypatch: pytest.MonkeyPatch) -> None:
    frozen = 1_800_000_000_000 * 1_000_000  # a fixed instant, in nanoseconds
    monkeypatch.setattr(time, "time_ns", lambda: frozen)
    source = ids._UUID7Source()
    made = [source() for _ in range(5000)]
    assert all(a < b for a, b in itertools.pairwise(made))
    assert millis(made[0]) == frozen // 1_000_000
    assert millis(made[-1]) == frozen // 1_000_000 + 1
    assert all(v.version == 7 and v.variant == uuid.RFC_4122 for v in made)


def test_a_clock_stepping_back_keeps_the_order(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1_800_000_000_000 * 1_000_000]
    monkeypatch.setattr(time, "time_ns", lambda: now[0])
    source = ids._UUID7Source()
    first = source()
    now[0] -= 60 * 1_000_000_000  # NTP steps the clock back a minute
    second = source()
    assert first < second
    assert millis(second) == millis(first)
    assert counter(second) == counter(first) + 1


def test_parse_uuid() -> None:
    value = uuid7()
    assert parse_uuid(str(value)) == value
    assert parse_uuid(str(value).upper()) == value
    assert parse_uuid(value.hex) == value
    for text in ["", "nope", str(value)[:-1], str(value) + "0", "g" * 32, "\x00" * 32]:
        assert parse_uuid(text) is None
