"""The in-process backend: one dict, expiry read from the clock. For one process only."""

from __future__ import annotations

import math

from taskmaster.clock import Clock

SWEEP_EVERY = 1024  # writes between sweeps of expired keys


class MemoryKeyValue:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._items: dict[str, tuple[bytes, float]] = {}
        self._writes = 0

    def _now(self) -> float:
        return self._clock().timestamp()

    def _live(self, key: str) -> bytes | None:
        item = self._items.get(key)
        if item is None:
            return None
        if item[1] <= self._now():
            del self._items[key]
            return None
        return item[0]

    def _store(self, key: str, value: bytes, ttl: float) -> None:
        self._items[key] = (value, self._now() + ttl)
        self._writes += 1
        if self._writes % SWEEP_EVERY == 0:
            now = self._now()
            self._items = {k: item for k, item in self._items.items() if item[1] > now}

    async def get(self, key: str) -> bytes | None:
        return self._live(key)

    async def get_many_ints(self, keys: list[str]) -> list[int]:
        return [int(self._live(key) or 0) for key in keys]

    async def set(self, key: str, value: bytes, *, ttl: float) -> None:
        self._store(key, value, ttl)

    async def incr(self, key: str, *, ttl: float, by: int = 1) -> int:
        return self._incr(key, ttl, by)

    def _incr(self, key: str, ttl: float, by: int) -> int:
        value = int(self._live(key) or 0) + by
        expires = self._items[key][1] if key in self._items else self._now() + ttl
        self._store(key, str(value).encode(), expires - self._now())
        return value

    async def incr_below(
        self,
        key: str,
        other: str,
        *,
        limit: int,
        weight: float,
        ttl: float,
        by: int = 1,
        refund: tuple[str, int] | None = None,
    ) -> tuple[int, int, int]:
        # No await between reading and writing: atomic within the event loop.
        if refund is not None and self._live(refund[0]) is not None:
            refund_key, count = refund
            self._incr(refund_key, ttl, -min(count, int(self._live(refund_key) or 0)))
        current, previous = int(self._live(key) or 0), int(self._live(other) or 0)
        counted = current + previous * weight
        if counted >= limit:
            return 0, current, previous
        granted = min(by, math.ceil(limit - counted))
        return granted, self._incr(key, ttl, granted), previous

    async def raise_to(self, key: str, value: int, *, ttl: float) -> None:
        self._store(key, str(max(value, int(self._live(key) or 0))).encode(), ttl)

    async def take(self, key: str) -> bytes | None:
        value = self._live(key)
        self._items.pop(key, None)
        return value

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._items.pop(key, None)

    async def keys(self, prefix: str) -> list[str]:
        found = [key for key in self._items if key.startswith(prefix)]
        return sorted(key for key in found if self._live(key) is not None)

    async def close(self) -> None:
        self._items.clear()
