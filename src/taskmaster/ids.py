"""Time-ordered UUIDs (RFC 9562 version 7): index-friendly primary keys."""

from __future__ import annotations

import os
import threading
import time
import uuid

COUNTER_BITS = 12  # rand_a serves as a counter within one millisecond (RFC 9562, method 1)


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
        value = (millis & 0xFFFF_FFFF_FFFF) << 80
        value |= 0x7 << 76  # version
        value |= counter << 64
        value |= 0b10 << 62  # RFC 9562 variant
        value |= int.from_bytes(os.urandom(8), "big") & 0x3FFF_FFFF_FFFF_FFFF
        return uuid.UUID(int=value)


uuid7 = _UUID7Source()


def parse_uuid(text: str) -> uuid.UUID | None:
    """The UUID spelled by `text`, or None when it is not one."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
