"""Streaming replicas: which of them may serve a read, judged by how far each has replayed."""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from taskmaster.db.query import Query, fetch

log = structlog.get_logger(__name__)

# Positions in the write-ahead log, as byte offsets (comparable integers).
PRIMARY_POSITION = Query(text("SELECT (pg_current_wal_lsn() - '0/0')::bigint"))
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
    problem: str | None = "not checked yet"

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

    def choose(self, at_least: int) -> Replica | None:
        """A healthy replica that has replayed `at_least` (round robin), or None."""
        ready = [r for r in self.replicas if r.healthy and r.replayed >= at_least]
        if not ready:
            return None
        return ready[next(self._turn) % len(ready)]

    def mark_down(self, replica: Replica, error: BaseException) -> None:
        """A request found the replica failing: skip it until a check finds it well."""
        self._set(replica, healthy=False, problem=f"{type(error).__name__}: {error}")

    def _set(self, replica: Replica, *, healthy: bool, problem: str | None) -> None:
        if replica.healthy != healthy:
            if healthy:
                log.info("replica serving reads", replica=replica.name)
            else:
                log.warning("replica skipped", replica=replica.name, problem=problem)
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
                position(replica.engine, REPLAYED_POSITION), self.interval * 5 + 1
            )
        except Exception as error:  # any failure skips the replica; the next check retries
            self._set(replica, healthy=False, problem=f"{type(error).__name__}: {error}")
            return
        if replayed is None:
            self._set(replica, healthy=False, problem="not a standby (pg_is_in_recovery false)")
            return
        replica.replayed = max(replica.replayed, replayed)
        replica.lag = self._lag(replica.replayed, now)
        if replica.lag > self.max_lag:
            self._set(replica, healthy=False, problem=f"{replica.lag:.1f} s behind")
        else:
            self._set(replica, healthy=True, problem=None)

    async def check(self) -> None:
        """One round: the primary's position first, then how far each replica has replayed."""
        now = time.monotonic()
        try:
            reached = await position(self.primary, PRIMARY_POSITION)
        except Exception as error:
            log.warning("could not read the primary's WAL position", error=str(error))
        else:
            if reached is not None and (not self._history or reached > self._history[-1][1]):
                self._history.append((now, reached))
        while self._history and self._history[0][0] < now - self.max_lag - 2 * self.interval:
            if len(self._history) == 1:
                break  # the newest position stays known however long the primary is quiet
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
