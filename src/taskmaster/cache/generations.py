"""Where cached reads live: entries keyed by the generations of their audience.

An audience is a user (whose project list is cached at the user's generation) and the
projects a read shows. Every key of an entry holds a stamp made from the user's generation
and the generation of every project the read shows: a write bumps its projects' generations
(a membership change its user's) after it commits, so every read that starts after the write
is acknowledged looks under a new key, whatever a slower reader stored under the old one.

A missing generation starts at the store's clock in microseconds and only grows, so a
generation never comes back after a flush or an expiry while entries made under it live
(generations outlive entries: GENERATION_TTL > ENTRY_TTL).

Two backends with one behaviour: Redis, where a lookup is one script (one round trip), and
this process's memory, for a single process without Redis.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from taskmaster.cache.pipelined import PipelinedRedis, Script
from taskmaster.cache.redis import unavailable_on_error

ENTRY_TTL = 300.0  # seconds: the backstop, not the mechanism
GENERATION_TTL = 86_400.0  # renewed by every bump; far longer than any entry lives
MEMORY_ENTRIES_MAX = 10_000


@dataclass(frozen=True)
class Lookup:
    """What a lookup found. `listed` is False when the user's project list is not cached
    at `user_generation` (the caller loads it and asks again); `stamp` is None when the read
    names a project the user is not a member of (the database answers, uncached)."""

    user_generation: int
    listed: bool
    stamp: str | None = None
    entry: bytes | None = None
    locked: bool = False  # this lookup took the fill lock of a missing entry


def entry_key(user: str, stamp: str, view: str) -> str:
    return f"v:{user}:{stamp}:{view}"


def lock_key(key: str) -> str:
    return f"lock:{key}"


def _stamp(parts: Iterable[int]) -> str:
    text = ":".join(str(p) for p in parts).encode()
    return hashlib.sha1(text, usedforsecurity=False).hexdigest()


class GenerationStore(Protocol):
    async def lookup(self, user: str, project: str | None, view: str, lock_ms: int) -> Lookup:
        """The user's generation and project list, and, with the list, the stamp of the
        read's audience and the entry stored under it. On a miss, try to take the fill lock
        for `lock_ms` (0: don't)."""
        ...

    async def remember_projects(self, user: str, generation: int, projects: list[str]) -> None:
        """Cache the user's project list as of `generation`."""
        ...

    async def store(self, key: str, entry: bytes) -> None: ...

    async def peek(self, key: str) -> bytes | None: ...

    async def bump(self, users: Iterable[str], projects: Iterable[str]) -> None:
        """Move each generation past every value it had."""
        ...

    async def close(self) -> None: ...


# KEYS: none (every key is made from ARGV, so all must live on one server).
# ARGV: prefix, user, project ('' for all of the user's), view, lock milliseconds, gen ttl.
# Returns {user generation, listed (0 or 1), stamp or false, entry kept (0 or 1), locked}.
# Not the entry itself: a script copies a value into Lua and out again, which cost Redis three
# times a GET's time for a 35 KB list, on a machine whose cores the API shares. A hit GETs it
# next (one more command on the pipelined connection).
LOOKUP = """
local prefix, user, project, view = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local lock_ms, gen_ttl = tonumber(ARGV[5]), tonumber(ARGV[6])
local function generation(key)
  local value = redis.call('GET', key)
  if value then return value end
  local now = redis.call('TIME')
  value = now[1] .. string.format('%06d', tonumber(now[2]))
  if redis.call('SET', key, value, 'NX', 'EX', gen_ttl) then return value end
  return redis.call('GET', key)
end
local user_generation = generation(prefix .. 'gen:u:' .. user)
local listed = redis.call('GET', prefix .. 'projects:' .. user .. ':' .. user_generation)
if not listed then return {user_generation, 0, false, false, 0} end
local parts = {user_generation}
if project ~= '' then
  if not string.find(',' .. listed .. ',', ',' .. project .. ',', 1, true) then
    return {user_generation, 1, false, false, 0}
  end
  parts[2] = generation(prefix .. 'gen:p:' .. project)
else
  for each in string.gmatch(listed, '[^,]+') do
    parts[#parts + 1] = generation(prefix .. 'gen:p:' .. each)
  end
end
local stamp = redis.sha1hex(table.concat(parts, ':'))
local key = 'v:' .. user .. ':' .. stamp .. ':' .. view
local kept = redis.call('EXISTS', prefix .. key)
local locked = 0
if kept == 0 and lock_ms > 0 then
  if redis.call('SET', prefix .. 'lock:' .. key, '1', 'NX', 'PX', lock_ms) then locked = 1 end
end
return {user_generation, 1, stamp, kept, locked}
"""

# ARGV: gen ttl, then every generation key (prefixed). Each grows by one, or starts at now.
BUMP = """
local now = redis.call('TIME')
local start = now[1] .. string.format('%06d', tonumber(now[2]))
for i = 2, #ARGV do
  if redis.call('EXISTS', ARGV[i]) == 1 then
    redis.call('INCR', ARGV[i])
    redis.call('EXPIRE', ARGV[i], ARGV[1])
  else
    redis.call('SET', ARGV[i], start, 'EX', ARGV[1])
  end
end
return #ARGV - 1
"""


class RedisGenerations:
    """The generations and entries in Redis, shared by every API instance, through the
    pipelined client (one connection per process, tight timeouts)."""

    def __init__(self, redis: PipelinedRedis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self._lookup = Script(redis, LOOKUP)
        self._bump = Script(redis, BUMP)

    async def _call(self, *arguments: str | bytes | int) -> object:
        async with unavailable_on_error():
            return await self.redis.call(*arguments)

    async def lookup(self, user: str, project: str | None, view: str, lock_ms: int) -> Lookup:
        async with unavailable_on_error():
            found = await self._lookup(
                [], [self.prefix, user, project or "", view, lock_ms, int(GENERATION_TTL)]
            )
        assert isinstance(found, list), "the lookup script answers a list"
        user_generation, listed, stamp, kept, locked = found
        if not isinstance(stamp, bytes):
            return Lookup(int(user_generation), bool(listed))
        entry = await self.peek(entry_key(user, stamp.decode(), view)) if kept else None
        # An entry that expired since the script saw it is a miss whose lock nobody took.
        return Lookup(int(user_generation), True, stamp.decode(), entry, bool(locked))

    async def remember_projects(self, user: str, generation: int, projects: list[str]) -> None:
        key = f"{self.prefix}projects:{user}:{generation}"
        await self._call("SET", key, ",".join(projects), "EX", int(ENTRY_TTL))

    async def store(self, key: str, entry: bytes) -> None:
        await self._call("SET", self.prefix + key, entry, "EX", int(ENTRY_TTL))

    async def peek(self, key: str) -> bytes | None:
        found = await self._call("GET", self.prefix + key)
        return found if isinstance(found, bytes) else None

    async def bump(self, users: Iterable[str], projects: Iterable[str]) -> None:
        keys = [f"{self.prefix}gen:u:{u}" for u in users]
        keys += [f"{self.prefix}gen:p:{p}" for p in projects]
        if keys:
            async with unavailable_on_error():
                await self._bump([], [int(GENERATION_TTL), *keys])

    async def close(self) -> None:
        await self.redis.close()


class MemoryGenerations:
    """The same in this process's memory: for one process without Redis. Entries are kept
    least recently used first, at most MEMORY_ENTRIES_MAX of them."""

    def __init__(self, entries_max: int = MEMORY_ENTRIES_MAX) -> None:
        self._generations: dict[str, int] = {}
        self._entries: OrderedDict[str, tuple[bytes, float]] = OrderedDict()
        self._entries_max = entries_max

    def _generation(self, key: str) -> int:
        return self._generations.setdefault(key, time.time_ns() // 1000)

    def _live(self, key: str) -> bytes | None:
        found = self._entries.get(key)
        if found is None:
            return None
        if found[1] <= time.monotonic():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return found[0]

    def _keep(self, key: str, value: bytes, ttl: float) -> None:
        self._entries[key] = (value, time.monotonic() + ttl)
        self._entries.move_to_end(key)
        while len(self._entries) > self._entries_max:
            self._entries.popitem(last=False)

    async def lookup(self, user: str, project: str | None, view: str, lock_ms: int) -> Lookup:
        user_generation = self._generation(f"gen:u:{user}")
        listed = self._live(f"projects:{user}:{user_generation}")
        if listed is None:
            return Lookup(user_generation, listed=False)
        projects = [p for p in listed.decode().split(",") if p]
        if project is not None and project not in projects:
            return Lookup(user_generation, listed=True)
        shown = (project,) if project is not None else projects
        stamp = _stamp([user_generation, *(self._generation(f"gen:p:{p}") for p in shown)])
        entry = self._live(entry_key(user, stamp, view))
        return Lookup(user_generation, True, stamp, entry, locked=entry is None)

    async def remember_projects(self, user: str, generation: int, projects: list[str]) -> None:
        self._keep(f"projects:{user}:{generation}", ",".join(projects).encode(), ENTRY_TTL)

    async def store(self, key: str, entry: bytes) -> None:
        self._keep(key, entry, ENTRY_TTL)

    async def peek(self, key: str) -> bytes | None:
        return self._live(key)

    async def bump(self, users: Iterable[str], projects: Iterable[str]) -> None:
        start = time.time_ns() // 1000
        for key in [*(f"gen:u:{u}" for u in users), *(f"gen:p:{p}" for p in projects)]:
            current = self._generations.get(key)
            self._generations[key] = start if current is None else current + 1

    async def close(self) -> None:
        self._entries.clear()


def ids(values: Iterable[uuid.UUID]) -> list[str]:
    """Ids as the store spells them."""
    return [value.hex for value in values]
