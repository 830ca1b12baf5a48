"""One key-value interface for shared short-lived state; Redis and in-memory backends."""

from __future__ import annotations

from taskmaster.cache.base import KeyValue
from taskmaster.cache.memory import MemoryKeyValue
from taskmaster.cache.redis import RedisKeyValue
from taskmaster.clock import Clock


def connect(redis_url: str | None, prefix: str, clock: Clock) -> KeyValue:
    """Redis when a URL is configured (shared by every instance), else this process's memory."""
    if redis_url:
        return RedisKeyValue.from_url(redis_url, prefix)
    return MemoryKeyValue(clock)


__all__ = ["KeyValue", "MemoryKeyValue", "connect"]
