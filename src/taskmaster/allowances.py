"""A shared rate limit spent in blocks: each process takes a key's events from the store a
block at a time and spends them without a round trip.

The per-user API limit is asked on every request; one store round trip each cost a cached
read about a third of its throughput. A block is taken in the store's one atomic step
(`RateLimiter.take` with `want`), so the instances together never allow more than the
quota. What the blocks give up is only earliness: a block holds at most 1/SHARE of the
quota and lives at most LIFETIME seconds (never past its window); its unspent events go
back to the store with the key's next take, so a user at the edge of their quota may be
refused a few events early, for at most that second, by an instance holding none of them.

A block's size follows the key's pace here: it starts at one event (a quiet user costs a
round trip per request, as before), doubles when a block is spent within its life, and
shrinks to what was spent when one expires.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

from taskmaster.clock import Clock
from taskmaster.ratelimit import Rate, RateLimiter, Unspent, Verdict

LIFETIME = 1.0  # seconds a block may be spent for
SHARE = 20  # a block holds at most this fraction of the quota
MAX_BLOCK = 64
SWEEP_EVERY = 1024  # takes from the store between sweeps of long-expired blocks


@dataclass
class _Block:
    size: int  # events the store counted for this block
    left: int  # of them, not yet spent
    remaining: int  # the quota's events still free in the store when it was taken
    window: int  # the window they were counted in
    resets: float  # when the RateLimit field's countdown ends (a timestamp)
    expires: float  # when it may no longer be spent (a timestamp)

    def spend(self, now: float) -> Verdict | None:
        """One event from this block; None when it has none left or has expired."""
        if not self.left or now >= self.expires:
            return None
        self.left -= 1
        return Verdict(True, 0, self.remaining + self.left, max(0, math.ceil(self.resets - now)))

    def next_size(self, now: float, cap: int) -> int:
        if not self.left and now < self.expires:  # spent within its life: the key is busy here
            return min(cap, self.size * 2)
        return max(1, self.size - self.left)  # expired: as many as were spent in its life

    def unspent(self) -> Unspent | None:
        return Unspent(self.window, self.left) if self.left else None


class Allowances:
    """`rate` per key, spent from blocks this process takes from `limiter`'s store."""

    def __init__(
        self, limiter: RateLimiter, rate: Rate, clock: Clock, *, lifetime: float = LIFETIME
    ) -> None:
        self._limiter = limiter
        self._rate = rate
        self._clock = clock
        self._lifetime = lifetime
        self.cap = max(1, min(MAX_BLOCK, rate.count // SHARE))
        self._blocks: dict[str, _Block] = {}
        self._taking: dict[str, asyncio.Future[None]] = {}
        self._takes = 0

    def _now(self) -> float:
        return self._clock().timestamp()

    async def take(self, key: str) -> Verdict:
        """Count one event of `key`: from this process's block, or from the store."""
        while True:
            block = self._blocks.get(key)
            spent = None if block is None else block.spend(self._now())
            if spent is not None:
                return spent
            taking = self._taking.get(key)
            if taking is None:
                break
            await asyncio.shield(taking)  # another request is taking this key's next block
        taken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._taking[key] = taken
        try:
            return await self._take_block(key, block)
        finally:
            del self._taking[key]
            taken.set_result(None)

    async def _take_block(self, key: str, spent: _Block | None) -> Verdict:
        now = self._now()
        size = 1 if spent is None else spent.next_size(now, self.cap)
        unspent = None if spent is None else spent.unspent()
        verdict = await self._limiter.take(key, self._rate, want=size, unspent=unspent)
        self._blocks.pop(key, None)  # its unspent events went back (or the store is down)
        self._sweep(now)
        if not verdict.enforced or not verdict.granted:
            return verdict
        window_ends = (verdict.window + 1) * self._rate.seconds
        block = _Block(
            size=verdict.granted,
            left=verdict.granted,
            remaining=verdict.remaining,
            window=verdict.window,
            resets=now + verdict.reset,
            expires=min(now + self._lifetime, window_ends),
        )
        self._blocks[key] = block
        first = block.spend(now)
        assert first is not None, "a block is taken with at least one event"
        return first

    def _sweep(self, now: float) -> None:
        """Forget blocks expired for a whole window: what they hold no longer counts."""
        self._takes += 1
        if self._takes % SWEEP_EVERY:
            return
        stale = now - self._rate.seconds
        for key in [key for key, block in self._blocks.items() if block.expires < stale]:
            del self._blocks[key]
