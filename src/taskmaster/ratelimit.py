"""Sliding-window rate limits over a shared key-value store, so they hold across instances."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import structlog

from taskmaster.cache.base import KeyValue, StoreUnavailable
from taskmaster.clock import Clock

log = structlog.get_logger(__name__)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


@dataclass(frozen=True)
class Rate:
    """At most `count` events per `seconds`."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """Read '5/15m', '100/h' or '20/1d'."""
        match = _RATE.match(text)
        if match is None:
            raise ValueError(f"a rate looks like 5/15m or 100/h, not {text!r}")
        count, amount, unit = match.groups()
        rate = cls(int(count), int(amount or 1) * _UNITS[unit])
        if rate.count < 1 or rate.seconds < 1:
            raise ValueError(f"a rate allows at least one event in a period of time, not {text!r}")
        return rate


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # whole seconds until another event would be allowed; 0 when allowed
    remaining: int = 0  # events still allowed now, after this one
    # Whole seconds within which no more than `remaining` are allowed: while some remain, until
    # the current window closes; with none left, until one frees (Retry-After's value).
    reset: int = 0
    enforced: bool = True  # False when the store could not be asked and nothing was counted
    granted: int = 1  # events counted by this take (0: refused)
    # The window they were counted in: where to give unspent ones back, not part of the verdict.
    window: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Unspent:
    """Events a take counted in `window` and nobody spent: the next take gives them back."""

    window: int
    count: int


UNENFORCED = Verdict(True, 0, enforced=False)


class RateLimiter:
    """Counts events per key in two fixed windows and weighs the previous one by its overlap.

    The sliding-window counter: precise enough to stop bursts at window edges, and two keys
    per limit in the store, whatever the traffic.
    """

    def __init__(self, store: KeyValue, clock: Clock, namespace: str = "rate") -> None:
        self._store = store
        self._clock = clock
        self._namespace = namespace

    def _key(self, key: str, rate: Rate, window: int) -> str:
        return f"{self._namespace}:{rate.count}/{rate.seconds}:{key}:{window}"

    def _keys(self, key: str, rate: Rate) -> tuple[str, str, float]:
        window, offset = self.window(rate)
        return self._key(key, rate, window), self._key(key, rate, window - 1), offset

    def window(self, rate: Rate) -> tuple[int, float]:
        """The current window of `rate`, and the seconds since it opened."""
        window, offset = divmod(self._clock().timestamp(), rate.seconds)
        return int(window), offset

    async def take(
        self, key: str, rate: Rate, *, want: int = 1, unspent: Unspent | None = None
    ) -> Verdict:
        """Count `want` events, as many of them as stay within `rate` (at least one, or the
        take is refused and counts none), after giving `unspent` events back.

        One atomic step in the store, which reads both windows and counts only within the
        limit: of any number of concurrent events, exactly those within it are allowed, in
        one round trip. With the store down the limit is not enforced (logged): refusing
        every sign-in would turn a cache outage into a full outage.
        """
        window, offset = self.window(rate)
        weight = 1 - offset / rate.seconds
        refund = None if unspent is None else (self._key(key, rate, unspent.window), unspent.count)
        try:
            granted, current, previous = await self._store.incr_below(
                self._key(key, rate, window),
                self._key(key, rate, window - 1),
                limit=rate.count,
                weight=weight,
                ttl=2 * rate.seconds,
                by=want,
                refund=refund,
            )
        except StoreUnavailable:
            log.warning("shared store down: rate limit not enforced", key=key)
            return UNENFORCED
        # The same sum the store compared, so the next event's fate is what `remaining` says.
        remaining = max(0, math.ceil(rate.count - (current + previous * weight)))
        if remaining:
            closes = math.ceil(rate.seconds - offset)
            return Verdict(True, 0, remaining, closes, granted=granted, window=window)
        retry_after = self._retry_after(current, previous, offset, rate)
        return Verdict(
            granted > 0,
            0 if granted else retry_after,
            0,
            retry_after,
            granted=granted,
            window=window,
        )

    async def give_back(self, key: str, rate: Rate) -> None:
        """Uncount one event taken in this window (it turned out not to be one that counts)."""
        current_key, _, _ = self._keys(key, rate)
        try:
            await self._store.incr(current_key, ttl=2 * rate.seconds, by=-1)
        except StoreUnavailable:
            log.warning("shared store down: event not given back", key=key)

    async def reset(self, key: str, rate: Rate) -> None:
        current_key, previous_key, _ = self._keys(key, rate)
        try:
            await self._store.delete(current_key, previous_key)
        except StoreUnavailable:
            log.warning("shared store down: limit not reset", key=key)

    @staticmethod
    def _retry_after(current: int, previous: int, offset: float, rate: Rate) -> int:
        """Whole seconds until the weighted count is strictly under the limit again.

        Past the window's end the current count becomes the previous one, weighted just under
        one, hence the floor-plus-one, computed in seconds so no rounding lands on the edge.
        """
        if current >= rate.count or previous == 0:
            return math.floor(rate.seconds - offset) + 1  # into the next window
        # current + previous * (1 - s / seconds) < count  <=>  s > seconds * (1 - spare / previous)
        target = rate.seconds * (1 - (rate.count - current) / previous)
        return max(1, math.floor(target - offset) + 1)
