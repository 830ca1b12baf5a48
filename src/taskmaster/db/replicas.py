"""Streaming replicas: which of them may serve a read, judged by how far each has replayed."""

from __future__ import annotations

import asyncio
import itertools
import math
from collections import deque
from dataclasses import dataclass, field
from time import monotonic
from typing import Any

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from taskmaster.db.query import Query, fetch

log = structlog.get_logger(__name__)

# Positions in the write-ahead log, as byte offsets (comparable integers).
# The insert position: past every record written so far, commits included, whatever
# synchronous_commit says.
PRIMARY_POSITION = Query(text("SELECT (pg_current_wal_insert_lsn() - '0/0')::bigint"))
REPLAYED_POSITION = Query(text("SELECT (pg_last_wal_replay_lsn() - '0/0')::bigint"))


async def position(engine: AsyncEngine, query: Query) -> int | None:
    async with engine.connect() as connection:
        rows = await fetch(connection, query, {})
    value = rows[0][0]
    return None if value is None else int(value)


@dataclass
class Replica:
    """One replica and what the last check learnt of it."""

    name: str
    engine: AsyncEngine
    replayed: int = -1  # the last WAL position it was seen to have replayed
    lag: float = math.inf  # seconds behind the primary at the last check
    healthy: bool = False
    problem: str | None = "not checked yet"  # a category: the details go to the log
    checked_at: float = -math.inf  # when the last successful check began (monotonic)

    def describe(self) -> dict[str, Any]:
        return {
            "healthy": self.healthy,
            "lagSeconds": None if math.isinf(self.lag) else round(self.lag, 3),
            "problem": self.problem,
        }


@dataclass
class ReplicaSet:
    """Checks every replica each `interval` seconds; a replica serves reads only while its
    last check succeeded and it was at most `max_lag` seconds behind the primary.

    Lag is measured in time, not bytes: the set remembers when the primary reached each
    position, and a replica is as far behind as the oldest position it has not replayed.
    """

    primary: AsyncEngine
    replicas: list[Replica]
    max_lag: float
    interval: float
    _history: deque[tuple[float, int]] = field(default_factory=deque)
    _turn: itertools.count[int] = field(default_factory=itertools.count)
    _task: asyncio.Task[None] | None = None

    @property
    def fresh_for(self) -> float:
        """Seconds a check's verdict holds: a replica not checked since is not used, so
        that a stuck check (a busy pool, a slow server) never vouches for a stale replica."""
        return 5 * self.interval + 1

    def choose(self, at_least: int) -> Replica | None:
        """A healthy, recently checked replica that has replayed `at_least` (round robin)."""
        checked_since = monotonic() - self.fresh_for
        ready = [
            r
            for r in self.replicas
            if r.healthy and r.replayed >= at_least and r.checked_at >= checked_since
        ]
        if not ready:
            return None
        return ready[next(self._turn) % len(ready)]

    def mark_down(self, replica: Replica, error: BaseException) -> None:
        """A request found the replica failing: skip it until a check finds it well."""
        self._set(replica, healthy=False, problem="failing", error=error)

    def _set(
        self,
        replica: Replica,
        *,
        healthy: bool,
        problem: str | None,
        error: BaseException | None = None,
    ) -> None:
        if replica.healthy != healthy:
            if healthy:
                log.info("replica serving reads", replica=replica.name)
            else:
                detail = f"{type(error).__name__}: {error}" if error is not None else None
                log.warning("replica skipped", replica=replica.name, problem=problem, detail=detail)
        replica.healthy, replica.problem = healthy, problem

    def _lag(self, replayed: int, now: float) -> float:
        """Seconds since the primary first passed `replayed` (0 when it has not)."""
        for moment, reached in self._history:
            if reached > replayed:
                return now - moment
        return 0.0

    async def _check(self, replica: Replica, now: float) -> None:
        try:
            replayed = await asyncio.wait_for(
                position(replica.engine, REPLAYED_POSITION), self.fresh_for
            )
        except Exception as error:  # any failure skips the replica; the next check retries
            self._set(replica, healthy=False, problem="unreachable", error=error)
            return
        if replayed is None:
            self._set(replica, healthy=False, problem="not a standby")
            return
        replica.checked_at = now
        replica.replayed = max(replica.replayed, replayed)
        replica.lag = self._lag(replica.replayed, now)
        if replica.lag > self.max_lag:
            self._set(replica, healthy=False, problem=f"{replica.lag:.1f} s behind")
        else:
            self._set(replica, healthy=True, problem=None)

    async def check(self) -> None:
        """One round: the primary's position first, then how far each replica has replayed."""
        now = monotonic()
        try:
            reached = await asyncio.wait_for(
                position(self.primary, PRIMARY_POSITION), self.fresh_for
            )
        except Exception as error:
            log.warning("could not read the primary's WAL position", error=str(error))
        else:
            if reached is not None and (not self._history or reached > self._history[-1][1]):
                self._history.append((now, reached))
        # Forget positions older than the window, but keep the newest of them: a replica that
        # has not replayed even that one is at least that far behind, however quiet since.
        cutoff = now - self.max_lag - 2 * self.interval
        while len(self._history) >= 2 and self._history[1][0] < cutoff:
            self._history.popleft()
        await asyncio.gather(*(self._check(replica, now) for replica in self.replicas))

    async def _watch(self) -> None:
        while True:
            await self.check()
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._watch(), name="replica-watch")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        for replica in self.replicas:
            await replica.engine.dispose()
