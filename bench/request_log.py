"""What observing a request costs: the request log middleware around an app that answers at
once, beside the bare app, in one process (no server, no network).

Usage: .venv/bin/python bench/request_log.py [calls=50000]
With PROMETHEUS_MULTIPROC_DIR set to an empty folder, the metrics are kept as with several
workers.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from taskmaster.config import Settings
from taskmaster.logs import configure_logging
from taskmaster.observe.requests import RequestLog


class Route:
    path = "/api/v2/tasks"


async def answer(scope: Scope, receive: Receive, send: Send) -> None:
    scope["route"] = Route
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"[]"})


async def dropped(message: Message) -> None:
    return None


async def nothing() -> Message:
    return {"type": "http.request"}


async def per_call(app: ASGIApp, calls: int) -> float:
    """Microseconds a call."""
    started = time.perf_counter()
    for _ in range(calls):
        scope = {"type": "http", "method": "GET", "path": "/api/v2/tasks", "headers": []}
        await app(scope, nothing, dropped)
    return (time.perf_counter() - started) / calls * 1e6


async def main(calls: int) -> None:
    configure_logging(Settings(_env_file=None, log_level="warning"))  # as bench/ servers run
    logged = RequestLog(answer, trust_given_id=False)
    costs = []
    for _ in range(5):
        bare, observed = await per_call(answer, calls), await per_call(logged, calls)
        costs.append(observed - bare)
        print(f"bare {bare:.2f} µs, observed {observed:.2f} µs: {observed - bare:.2f} µs a request")
    print(f"median cost {statistics.median(costs):.2f} µs a request")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000))
