"""Cache-aside for task reads: what a read answered, kept as bytes under its audience's stamp.

A read names its user, the one project it shows (or None: every project of the user's) and
its view (the request's digest). The store answers with the stamp of that audience's
generations and the entry under it, in one round trip. On a miss, one request per process
fills the entry while the others for the same key wait for it (a shared future), and across
processes the first takes a short lock and the others wait a moment for its entry.

Writes report what they touched after they commit (`touched`); the store bumps those
generations, so no read that starts afterwards finds an entry made before.

When the store fails or is slow, reads go to the database (no error, nothing stale: nothing
is read from or stored to the store then), a circuit breaker stops paying the timeout on
every request, and bumps that could not be sent are tried again every RESEND_SECONDS until
the store takes them, and always before this process reads the cache again.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict, dataclass

import structlog

from taskmaster.cache.base import StoreUnavailable
from taskmaster.cache.breaker import CircuitBreaker
from taskmaster.cache.generations import GenerationStore, Lookup, entry_key, ids

log = structlog.get_logger(__name__)

LOCK_MS = 2_000  # how long a filler holds its key's lock at most
RESEND_SECONDS = 0.1  # between tries to send bumps the store did not take
WAIT_STEPS = (0.002, 0.004, 0.008, 0.016, 0.032, 0.064)  # seconds; then fill it ourselves

Produce = Callable[[], Awaitable[bytes]]
ProjectsOf = Callable[[uuid.UUID], Awaitable[list[uuid.UUID]]]


@dataclass
class CacheCounts:
    """This process's counts since it started."""

    hits: int = 0
    misses: int = 0
    coalesced: int = 0  # misses that waited for this process's own fill
    waited: int = 0  # misses that waited for another process's fill
    bypassed: int = 0  # reads the cache does not answer (a project the user is not in)
    errors: int = 0  # store operations that failed
    fallbacks: int = 0  # reads answered by the database because of the store's trouble

    @property
    def stampedes_avoided(self) -> int:
        return self.coalesced + self.waited


@dataclass(frozen=True)
class Read:
    """A read's entry, and the stamp it is kept under (None: not from or for the cache)."""

    entry: bytes
    stamp: str | None


class ReadCache:
    def __init__(
        self,
        store: GenerationStore,
        projects_of: ProjectsOf,
        *,
        breaker: CircuitBreaker | None = None,
        lock_ms: int = LOCK_MS,
    ) -> None:
        self._store = store
        self._projects_of = projects_of
        self.breaker = breaker or CircuitBreaker()
        self._lock_ms = lock_ms
        self._filling: dict[str, asyncio.Future[bytes]] = {}
        self._unsent_users: set[str] = set()
        self._unsent_projects: set[str] = set()
        self._resending: asyncio.Task[None] | None = None
        self.counts = CacheCounts()

    def stats(self) -> dict[str, object]:
        return {
            **asdict(self.counts),
            "stampedesAvoided": self.counts.stampedes_avoided,
            "breaker": "closed" if self.breaker.closed else "open",
            "breakerOpened": self.breaker.opened,
            "unsentBumps": len(self._unsent_users) + len(self._unsent_projects),
        }

    async def read(
        self, user: uuid.UUID, project: uuid.UUID | None, view: str, produce: Produce
    ) -> Read:
        """The entry for `view` of `user`'s `project` (None: all of the user's projects):
        cached, or made by `produce` and cached. `produce` raises for answers not to keep."""
        try:
            found = await self._lookup(user, project, view)
        except StoreUnavailable as error:
            self._failed(error)
            found = None
        if found is None:
            self.counts.fallbacks += 1
            return Read(await produce(), None)
        if found.stamp is None:
            self.counts.bypassed += 1
            return Read(await produce(), None)
        if found.entry is not None:
            self.counts.hits += 1
            return Read(found.entry, found.stamp)
        self.counts.misses += 1
        key = entry_key(user.hex, found.stamp, view)
        return Read(await self._fill(key, found.locked, produce), found.stamp)

    async def touched(
        self, *, users: Iterable[uuid.UUID] = (), projects: Iterable[uuid.UUID] = ()
    ) -> None:
        """Bump the generations of what a committed write changed: `users` whose project
        lists changed, `projects` whose tasks did. Kept to send later if the store fails."""
        self._unsent_users.update(ids(users))
        self._unsent_projects.update(ids(projects))
        if self.breaker.allow():
            try:
                await self._send_bumps()
            except StoreUnavailable as error:
                self._failed(error)
        if self._unsent_users or self._unsent_projects:
            self._keep_sending()

    def _keep_sending(self) -> None:
        """Send what the store did not take as soon as it takes it again, whatever this
        process does meanwhile: other processes may read the entries those bumps outdate the
        moment the store is back, and this one may have nothing to read or write then."""
        if self._resending is None or self._resending.done():
            self._resending = asyncio.get_running_loop().create_task(self._resend())

    async def _resend(self) -> None:
        while self._unsent_users or self._unsent_projects:
            await asyncio.sleep(RESEND_SECONDS)
            try:
                await self._send_bumps()
            except StoreUnavailable:
                continue  # counted and logged when it first failed
        log.info("read cache bumps sent after the store came back")

    async def _send_bumps(self) -> None:
        if not (self._unsent_users or self._unsent_projects):
            return
        users, projects = list(self._unsent_users), list(self._unsent_projects)
        await self._store.bump(users, projects)
        self._unsent_users.difference_update(users)
        self._unsent_projects.difference_update(projects)
        self.breaker.succeeded()

    async def _lookup(self, user: uuid.UUID, project: uuid.UUID | None, view: str) -> Lookup | None:
        """The store's answer; None when the breaker is open or bumps are still unsent (an
        entry may be older than a write this process acknowledged)."""
        if not self.breaker.allow():
            return None
        await self._send_bumps()
        wanted = None if project is None else project.hex
        found = await self._store.lookup(user.hex, wanted, view, self._lock_ms)
        self.breaker.succeeded()
        if not found.listed:
            projects = await self._projects_of(user)
            await self._store.remember_projects(user.hex, found.user_generation, ids(projects))
            found = await self._store.lookup(user.hex, wanted, view, self._lock_ms)
        return found if found.listed else None

    async def _fill(self, key: str, locked: bool, produce: Produce) -> bytes:
        """The entry for `key`: this process's fill under way, another's just stored, or
        made now and stored."""
        filling = self._filling.get(key)
        if filling is not None:
            self.counts.coalesced += 1
            return await asyncio.shield(filling)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_retrieved)
        self._filling[key] = future
        try:
            entry = None if locked else await self._wait_for(key)
            if entry is None:
                entry = await produce()
                await self._keep(key, entry)
            future.set_result(entry)
            return entry
        except BaseException as error:
            future.set_exception(error)
            raise
        finally:
            del self._filling[key]

    async def _wait_for(self, key: str) -> bytes | None:
        """Another process's entry for `key`, if it stores one within a moment."""
        for step in WAIT_STEPS:
            await asyncio.sleep(step)
            try:
                entry = await self._store.peek(key)
            except StoreUnavailable as error:
                self._failed(error)
                return None
            if entry is not None:
                self.counts.waited += 1
                return entry
        return None

    async def _keep(self, key: str, entry: bytes) -> None:
        if not self.breaker.allow():
            return
        try:
            await self._store.store(key, entry)
        except StoreUnavailable as error:
            self._failed(error)

    def _failed(self, error: StoreUnavailable) -> None:
        self.counts.errors += 1
        self.breaker.failed()
        log.warning("read cache store failed", error=str(error), breaker_closed=self.breaker.closed)

    async def close(self) -> None:
        if self._resending is not None:
            self._resending.cancel()
        await self._store.close()


def _retrieved(future: asyncio.Future[bytes]) -> None:
    """Mark a fill's failure as seen: its waiters, if any, raise it themselves."""
    if not future.cancelled():
        future.exception()
