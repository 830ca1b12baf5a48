"""The key-value interface the rate limits, revocations and caches are written against."""

from __future__ import annotations

from typing import Protocol


class StoreUnavailable(Exception):
    """The shared store could not be reached; callers degrade instead of failing."""


class KeyValue(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def get_many_ints(self, keys: list[str]) -> list[int]:
        """The integer at each key, 0 where there is none."""
        ...

    async def set(self, key: str, value: bytes, *, ttl: float) -> None: ...

    async def incr(self, key: str, *, ttl: float, by: int = 1) -> int:
        """Add `by` to the counter at `key` (created with `ttl` seconds to live); its new value."""
        ...

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
        """Atomically: first take `refund`'s count off the counter at its key (events counted
        there and never spent), then add to `key` as many of `by` events as stay below
        `limit`, each counted only while `key` plus `weight` times the counter at `other` is
        below it; how many it counted (0: refused), and both counters as they are then."""
        ...

    async def raise_to(self, key: str, value: int, *, ttl: float) -> None:
        """Set the integer at `key` to `value` unless it holds a larger one; `ttl` restarts."""
        ...

    async def take(self, key: str) -> bytes | None:
        """The value at `key`, deleted in the same step: of two takers, one gets it."""
        ...

    async def delete(self, *keys: str) -> None: ...

    async def keys(self, prefix: str) -> list[str]:
        """Every live key starting with `prefix`, sorted. A scan of the whole store: for
        operators' reports, never for a request."""
        ...

    async def close(self) -> None: ...
