"""Who still calls API v1: requests counted per client (its User-Agent) in each process,
added to the shared store every few seconds, read back by `taskmaster v1-usage`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta

import structlog

from taskmaster.cache.base import KeyValue, StoreUnavailable
from taskmaster.clock import Clock

log = structlog.get_logger(__name__)

NAMESPACE = "v1-usage:"
FLUSH_SECONDS = 10.0
KEEP_DAYS = 31
AGENT_BYTES = 200
# Distinct clients one process counts apart in a day; the rest share one counter, so that
# made-up User-Agents cannot fill the store.
CLIENTS_PER_DAY = 1000
NO_AGENT = "(no user agent)"
OTHERS = "(other clients)"
_OTHERS = b"\n"  # no header value holds a line feed: never a real client's


def client_name(agent: bytes) -> str:
    """How a client is stored and shown: its User-Agent, with anything unprintable (terminal
    escapes included) replaced, since operators read it in a terminal."""
    if agent == _OTHERS:
        return OTHERS
    if not agent:
        return NO_AGENT
    text = agent.decode("utf-8", "replace")
    return "".join(char if char.isprintable() else "?" for char in text)


def usage_key(day: date | str, client: str) -> str:
    return f"{NAMESPACE}{day}:{client}"


class V1Usage:
    """Counts v1 requests per client without waiting on anything; `flush` adds the counts to
    the day's counters in the store, `start` flushes every FLUSH_SECONDS until `close`."""

    def __init__(
        self, store: KeyValue, clock: Clock, *, clients_per_day: int = CLIENTS_PER_DAY
    ) -> None:
        self._store = store
        self._clock = clock
        self._limit = clients_per_day
        self._pending: dict[bytes, int] = {}
        self._admitted: set[bytes] = set()
        self._day = clock().date().isoformat()
        self._closing = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def count(self, agent: bytes) -> None:
        """One v1 request from the client that sent this User-Agent (b"" for none)."""
        agent = agent[:AGENT_BYTES]
        if agent not in self._admitted:
            if len(self._admitted) >= self._limit:
                agent = _OTHERS
            else:
                self._admitted.add(agent)
        self._pending[agent] = self._pending.get(agent, 0) + 1

    async def flush(self) -> None:
        """Add the counts made since the last flush to today's counters; with the store
        down, keep them for the next flush."""
        day = self._clock().date().isoformat()
        if day != self._day:  # a new day: every client may have a counter of its own again
            self._day, self._admitted = day, set()
        pending, self._pending = self._pending, {}
        counts = list(pending.items())
        for done, (agent, requests) in enumerate(counts):
            try:
                await self._store.incr(
                    usage_key(day, client_name(agent)), ttl=KEEP_DAYS * 86400, by=requests
                )
            except StoreUnavailable as error:
                for kept, more in counts[done:]:
                    self._pending[kept] = self._pending.get(kept, 0) + more
                log.warning("v1 usage kept for the next flush", error=str(error))
                return

    def start(self) -> None:
        if self._task is None:
            self._closing.clear()
            self._task = asyncio.create_task(self._flush_until_closed(), name="v1-usage")

    async def close(self) -> None:
        """Stop flushing on a schedule, after one last flush."""
        if self._task is None:
            await self.flush()
            return
        self._closing.set()
        await self._task
        self._task = None

    async def _flush_until_closed(self) -> None:
        # Asked to stop rather than cancelled: a cancelled flush would lose the counts it held.
        closing = False
        while not closing:
            try:
                await asyncio.wait_for(self._closing.wait(), FLUSH_SECONDS)
                closing = True
            except TimeoutError:
                pass
            try:
                await self.flush()
            except Exception:  # the schedule outlives any one failure
                log.exception("v1 usage flush failed")


@dataclass(frozen=True)
class ClientUse:
    """A client's v1 requests over the days asked about, and the last day it made one."""

    client: str
    requests: int
    last_day: date


async def read_usage(store: KeyValue, today: date, days: int) -> list[ClientUse]:
    """Requests per client over the `days` days up to `today`, the busiest first."""
    first = today - timedelta(days=days - 1)
    wanted: list[tuple[str, str, date]] = []
    for key in await store.keys(NAMESPACE):
        day_text, _, client = key.removeprefix(NAMESPACE).partition(":")
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            continue  # not a counter this module wrote
        if first <= day <= today:
            wanted.append((key, client, day))
    counts = await store.get_many_ints([key for key, _, _ in wanted]) if wanted else []
    totals: dict[str, tuple[int, date]] = {}
    for (_, client, day), requests in zip(wanted, counts, strict=True):
        if requests:  # expired between listing and reading
            before, last = totals.get(client, (0, day))
            totals[client] = (before + requests, max(last, day))
    uses = [ClientUse(client, requests, last) for client, (requests, last) in totals.items()]
    return sorted(uses, key=lambda use: (-use.requests, use.client))
