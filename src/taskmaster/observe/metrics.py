"""Prometheus metrics at `/metrics`, counting every worker of an instance.

Requests are counted as they are answered (method, route template, status) with their
latency. What the other parts keep counts of themselves (the database pools, the read cache,
the relay, the real-time connections) is sampled every few seconds by each worker, and by the
worker that answers a scrape just before it does. With several workers (`serve --workers N`)
every worker writes its values to files in PROMETHEUS_MULTIPROC_DIR (prometheus-client's
multiprocess mode; `taskmaster serve` makes the folder) and a scrape adds them up.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

import structlog
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess

log = structlog.get_logger(__name__)

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
SAMPLE_SECONDS = 5.0
CONTENT_TYPE = CONTENT_TYPE_LATEST

REQUESTS = Counter(
    "taskmaster_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
LATENCY = Histogram(
    "taskmaster_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
POOL_IN_USE = Gauge(
    "taskmaster_db_pool_in_use",
    "Pooled connections lent out",
    ["pool"],
    multiprocess_mode="livesum",
)
POOL_WAITING = Gauge(
    "taskmaster_db_pool_waiting",
    "Requests waiting for a pooled connection",
    ["pool"],
    multiprocess_mode="livesum",
)
POOL_TIMEOUTS = Counter(
    "taskmaster_db_pool_timeouts_total", "Waits for a pooled connection that ran out", ["pool"]
)
RATE_LIMITED = Counter(
    "taskmaster_rate_limited_total", "Requests refused by a rate limit", ["limit"]
)
CACHE = Counter("taskmaster_read_cache_total", "Read cache lookups and troubles", ["outcome"])
PUBLISHED = Counter("taskmaster_outbox_published_total", "Outbox events the relay published")
OLDEST_UNSENT = Gauge(
    "taskmaster_outbox_oldest_unsent_seconds",
    "Age of the oldest event the relay has not published (0: none waits): the relay's lag",
    multiprocess_mode="livemostrecent",  # read from the database by the worker scraped last
)
CLIENTS = Gauge(
    "taskmaster_realtime_clients", "Socket.IO clients connected", multiprocess_mode="livesum"
)
CACHE_OUTCOMES = ("hits", "misses", "errors", "fallbacks")


# Any word is a method to the HTTP parser: the others share one label, so that a client cannot
# grow the metrics without bound. Routes are templates, a bounded set already.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """A request was answered (status 0: it never was). The labelled series are looked up
    once per method, route and status: on the hot path a dict lookup, not the library's."""
    key = (method if method in METHODS else "OTHER", route, status)
    series = _children.get(key)
    if series is None:
        series = _children[key] = (
            REQUESTS.labels(key[0], route, str(status) if status else "none"),
            LATENCY.labels(key[0], route),
        )
    count, latency = series
    count.inc()
    latency.observe(seconds)


def exposition() -> bytes:
    """The metrics in Prometheus' text format: every worker's, in multiprocess mode."""
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        # Registers itself with `registry`; prometheus-client leaves its __init__ unannotated.
        prometheus_multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest()


Networks = Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]


def allowed(address: str, networks: Networks) -> bool:
    """Whether a scrape from `address` is answered."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


class Deltas:
    """Turns totals a part keeps into increments of a Prometheus counter."""

    def __init__(self) -> None:
        self._last: dict[int, int] = {}

    def add(self, counter: Any, total: int) -> None:
        """`total` is the part's count now; the counter grows by what it grew since."""
        grown = total - self._last.get(id(counter), 0)
        if grown > 0:
            counter.inc(grown)
        self._last[id(counter)] = total


class Sampler:
    """Copies this worker's own counts into the metrics, every SAMPLE_SECONDS."""

    def __init__(
        self,
        *,
        pools: Callable[[], dict[str, Any]],
        cache: Callable[[], dict[str, object] | None],
        published: Callable[[], int],
        clients: Callable[[], int],
        oldest_unsent: Callable[[], Awaitable[datetime | None]],
        clock: Callable[[], datetime],
        interval: float = SAMPLE_SECONDS,
    ) -> None:
        self._pools = pools
        self._cache = cache
        self._published = published
        self._clients = clients
        self._oldest_unsent = oldest_unsent
        self._clock = clock
        self._interval = interval
        self._deltas = Deltas()
        self._loop: asyncio.Task[None] | None = None

    async def sample(self, *, scraped: bool = False) -> None:
        """Copy the counts; a scrape also asks the database for the relay's lag (a query
        every few seconds in every worker would borrow pooled connections from requests)."""
        for name, pool in self._pools().items():
            POOL_IN_USE.labels(name).set(pool["inUse"])
            POOL_WAITING.labels(name).set(pool["waiting"])
            self._deltas.add(POOL_TIMEOUTS.labels(name), pool["timeouts"])
        cache = self._cache()
        if cache is not None:
            for outcome in CACHE_OUTCOMES:
                self._deltas.add(CACHE.labels(outcome), int(str(cache[outcome])))
        self._deltas.add(PUBLISHED, self._published())
        CLIENTS.set(self._clients())
        if scraped:
            oldest = await self._oldest_unsent()
            OLDEST_UNSENT.set(0 if oldest is None else (self._clock() - oldest).total_seconds())

    def start(self) -> None:
        if self._loop is None:
            self._loop = asyncio.create_task(self._run(), name="metrics-sampler")

    async def close(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
            self._loop = None

    async def _run(self) -> None:
        while True:
            try:
                await self.sample()
            except Exception as error:  # the database away: the next round tries again
                log.warning("metrics sampling failed", error=repr(error))
            await asyncio.sleep(self._interval)
