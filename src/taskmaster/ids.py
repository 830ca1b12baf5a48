"""Time-ordered UUIDs (RFC 9562 version 7): index-friendly primary keys."""

from __future__ import annotations

import os
import threading
import time
import uuid

COUNTER_BITS = 12  # rand_a serves as a counter within one millisecond (RFC 9562, method 1)
RAND_B_BITS = 62
ENTROPY_BITS = COUNTER_BITS + RAND_B_BITS  # every bit but the timestamp, version and variant
MAX_MILLIS = (1 << 48) - 1


def _assemble(millis: int, rand_a: int, rand_b: int) -> uuid.UUID:
    value = (millis & MAX_MILLIS) << 80
    value |= 0x7 << 76  # version
    value |= rand_a << 64
    value |= 0b10 << 62  # RFC 9562 variant
    value |= rand_b & ((1 << RAND_B_BITS) - 1)
    return uuid.UUID(int=value)


class _UUID7Source:
    """Makes UUIDv7s that sort in the order this process made them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._millis = 0
        self._counter = 0

    def _tick(self) -> tuple[int, int]:
        with self._lock:
            millis = time.time_ns() // 1_000_000
            if millis > self._millis:
                self._millis, self._counter = millis, os.urandom(1)[0]
            else:
                self._counter += 1
                if self._counter >= 1 << COUNTER_BITS:  # spent: borrow the next millisecond
                    self._millis, self._counter = self._millis + 1, 0
            return self._millis, self._counter

    def __call__(self) -> uuid.UUID:
        millis, counter = self._tick()
        return _assemble(millis, counter, int.from_bytes(os.urandom(8), "big"))


uuid7 = _UUID7Source()


def uuid7_at(millis: int, entropy: int | None = None) -> uuid.UUID:
    """A UUIDv7 stamped with `millis` (Unix milliseconds) rather than now, for rows dated after
    the fact; its other 74 bits are `entropy`'s lowest, or random."""
    if not 0 <= millis <= MAX_MILLIS:
        raise ValueError(f"{millis} is not a Unix time in milliseconds that UUIDv7 can hold")
    if entropy is None:
        entropy = int.from_bytes(os.urandom(10), "big")
    return _assemble(millis, (entropy >> RAND_B_BITS) & ((1 << COUNTER_BITS) - 1), entropy)


def parse_uuid(text: str) -> uuid.UUID | None:
    """The UUID spelled by `text`, or None when it is not one."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
