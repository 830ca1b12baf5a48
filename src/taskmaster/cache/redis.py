"""The Redis backend: shared by every API instance."""

from __future__ import annotations

import math
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import RedisError

from taskmaster.cache.base import StoreUnavailable
from taskmaster.cache.pipelined import ReplyError


def _millis(ttl: float) -> int:
    return max(1, math.ceil(ttl * 1000))


@asynccontextmanager
async def unavailable_on_error() -> AsyncIterator[None]:
    """Any client's failure to talk to Redis (redis-py's, or the pipelined client's: an OSError
    or an error reply) as StoreUnavailable."""
    try:
        yield
    except (RedisError, OSError, ReplyError) as error:
        raise StoreUnavailable(str(error)) from error


def _glob_escaped(text: str) -> str:
    """`text` matched literally by SCAN's MATCH, whatever glob characters it holds."""
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


# Atomic, so that of two writers the larger value wins whatever order they arrive in.
RAISE_TO = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) >= current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
"""

# Gives a refund back, reads both counters and counts in one round trip; refusing writes
# nothing. The comparison is the memory backend's, in the same double arithmetic (ARGV[2] is
# Python's repr of the weight).
INCR_BELOW = """
local refund = tonumber(ARGV[5])
if refund > 0 then
  local held = tonumber(redis.call('GET', KEYS[3]) or '0')
  if held > 0 then
    redis.call('DECRBY', KEYS[3], math.min(refund, held))
  end
end
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local other = tonumber(redis.call('GET', KEYS[2]) or '0')
local limit = tonumber(ARGV[1])
local counted = current + other * tonumber(ARGV[2])
if counted >= limit then
  return {0, current, other}
end
local granted = math.min(tonumber(ARGV[4]), math.ceil(limit - counted))
current = redis.call('INCRBY', KEYS[1], granted)
redis.call('EXPIRE', KEYS[1], ARGV[3], 'NX')
return {granted, current, other}
"""


class RedisKeyValue:
    """Every key under `prefix`, so several deployments (or test runs) can share one server."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self._raise_to = redis.register_script(RAISE_TO)
        self._incr_below = redis.register_script(INCR_BELOW)

    @classmethod
    def from_url(cls, url: str, prefix: str, *, timeout: float = 1.0) -> RedisKeyValue:
        """A store whose every connect and answer gives up after `timeout` seconds: a store
        that is away costs a request that long at most (callers then go on without it)."""
        return cls(
            Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout), prefix
        )

    async def get(self, key: str) -> bytes | None:
        async with unavailable_on_error():
            value = await self.redis.get(self.prefix + key)
        return value.encode() if isinstance(value, str) else value

    async def get_many_ints(self, keys: list[str]) -> list[int]:
        async with unavailable_on_error():
            values = await self.redis.mget([self.prefix + key for key in keys])
        return [int(value or 0) for value in values]

    async def set(self, key: str, value: bytes, *, ttl: float) -> None:
        async with unavailable_on_error():
            await self.redis.set(self.prefix + key, value, px=_millis(ttl))

    async def incr(self, key: str, *, ttl: float, by: int = 1) -> int:
        async with unavailable_on_error(), self.redis.pipeline(transaction=True) as pipe:
            pipe.incrby(self.prefix + key, by)
            pipe.expire(self.prefix + key, max(1, math.ceil(ttl)), nx=True)
            value, _ = await pipe.execute()
        return int(value)

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
        refund_key, refund_count = refund or (key, 0)
        keys = [self.prefix + key, self.prefix + other, self.prefix + refund_key]
        args: list[int | str] = [limit, repr(weight), max(1, math.ceil(ttl)), by, refund_count]
        async with unavailable_on_error():
            granted, current, previous = await self._incr_below(keys=keys, args=args)
        return int(granted), int(current), int(previous)

    async def raise_to(self, key: str, value: int, *, ttl: float) -> None:
        async with unavailable_on_error():
            await self._raise_to(keys=[self.prefix + key], args=[value, _millis(ttl)])

    async def take(self, key: str) -> bytes | None:
        async with unavailable_on_error():
            value = await self.redis.getdel(self.prefix + key)
        return value.encode() if isinstance(value, str) else value

    async def delete(self, *keys: str) -> None:
        if keys:
            async with unavailable_on_error():
                await self.redis.delete(*(self.prefix + key for key in keys))

    async def keys(self, prefix: str) -> list[str]:
        pattern = _glob_escaped(self.prefix + prefix) + "*"
        async with unavailable_on_error():
            found = {key async for key in self.redis.scan_iter(match=pattern, count=1000)}
        # SCAN may return a key twice; the set keeps one.
        names = (key.decode(errors="replace") if isinstance(key, bytes) else key for key in found)
        return sorted(name.removeprefix(self.prefix) for name in names)

    async def close(self) -> None:
        await self.redis.aclose()
