"""One key-value interface for shared short-lived state; Redis and in-memory backends."""

from __future__ import annotations

from taskmaster.cache.base import KeyValue
from taskmaster.cache.generations import GenerationStore, MemoryGenerations, RedisGenerations
from taskmaster.cache.memory import MemoryKeyValue
from taskmaster.cache.pipelined import PipelinedRedis
from taskmaster.cache.redis import RedisKeyValue
from taskmaster.clock import Clock


def connect(redis_url: str | None, prefix: str, clock: Clock) -> KeyValue:
    """Redis when a URL is configured (shared by every instance), else this process's memory."""
    if redis_url:
        return RedisKeyValue.from_url(redis_url, prefix)
    return MemoryKeyValue(clock)


CONNECT_SECONDS = 0.5  # a burst of new connections on a busy machine took over 50 ms


def generations(redis_url: str | None, prefix: str, timeout_ms: int) -> GenerationStore:
    """Where cached reads live: Redis, with a client of tight timeouts of its own (a slow
    Redis costs a command `timeout_ms` at most; connections, opened seldom, get longer), or
    this process's memory."""
    if redis_url:
        seconds = timeout_ms / 1000
        connect = max(seconds, CONNECT_SECONDS)
        client = PipelinedRedis(redis_url, timeout=seconds, connect_timeout=connect)
        return RedisGenerations(client, prefix)
    return MemoryGenerations()


__all__ = ["KeyValue", "MemoryKeyValue", "connect"]
