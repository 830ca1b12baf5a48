"""Latency at a fixed offered rate: an open-loop load, which wrk cannot make.

wrk's connections each wait for an answer before they ask again, so a slow answer delays the
requests behind it and they are never timed as late (coordinated omission): wrk measures the
most requests/s, not the latency a given rate meets. Here request i is due at start + i/rate
whatever happened before, goes out on an idle keep-alive connection (a new one when none is
idle, up to --connections), and its latency runs from when it was due to its answer's last
byte, so a stall counts against every request it held up.

Usage: fixed_rate.py URL --rate 1000 --seconds 10 --values FILE --header Authorization
       [--method POST] [--body '{"title":"Bench task"}'] [--connections 256]
--values holds one header value a line (a token, a user id): request i sends line i mod n.
Prints one line: RESULT offered_per_s achieved_per_s p50_ms p99_ms max_ms errors (and the
errors' causes, statuses or exceptions, on stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import uvloop

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter, float]  # and when last used
IDLE_SECONDS = 4.0  # uvicorn closes a keep-alive connection idle for 5 s: never reuse one near it


@dataclass
class Load:
    host: str
    port: int
    requests: list[bytes]  # one prepared request per header value
    connections: int
    idle: list[Connection] = field(default_factory=list)
    opened: int = 0
    freed: asyncio.Condition = field(default_factory=asyncio.Condition)
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)  # by status or exception


def prepared(url: str, method: str, header: str, values: list[str], body: bytes) -> list[bytes]:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    head = f"{method} {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return [f"{head}{header}: {value}\r\n\r\n".encode() + body for value in values]


async def _connection(load: Load) -> Connection:
    """An idle connection, a new one, or the next to be freed."""
    async with load.freed:
        while not load.idle and load.opened >= load.connections:
            await load.freed.wait()
        if load.idle:
            reader, writer, used = load.idle.pop()
            if time.perf_counter() - used < IDLE_SECONDS:
                return reader, writer, used
            writer.close()  # the server may be closing it: open another in its place
        else:
            load.opened += 1
    try:
        reader, writer = await asyncio.open_connection(load.host, load.port)
    except OSError:
        async with load.freed:
            load.opened -= 1
            load.freed.notify()
        raise
    return reader, writer, time.perf_counter()


async def _answer(reader: asyncio.StreamReader) -> int:
    """Read one answer whole; its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def _request(load: Load, request: bytes, due: float) -> None:
    connection = None
    try:
        connection = await _connection(load)
        reader, writer, _ = connection
        writer.write(request)
        status = await _answer(reader)
    except (OSError, asyncio.IncompleteReadError, ValueError) as error:
        load.errors[type(error).__name__] += 1
        if connection is not None:
            connection[1].close()
            async with load.freed:
                load.opened -= 1
                load.freed.notify()
        return
    answered = time.perf_counter()
    load.latencies.append(answered - due)
    if not 200 <= status < 300:
        load.errors[str(status)] += 1
    async with load.freed:
        load.idle.append((reader, writer, answered))
        load.freed.notify()


Start = Callable[[int, float], Coroutine[Any, Any, None]]  # request i, due at a time


async def offer(rate: float, seconds: float, start: Start) -> float:
    """Start `start(i, due)` at due = the start + i/rate, whatever happened before, for
    `seconds`; wait for all of them. The rate offered."""
    count = int(rate * seconds)
    pending: set[asyncio.Task[None]] = set()
    started = time.perf_counter()
    for i in range(count):
        due = started + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(start(i, due))
        pending.add(task)
        task.add_done_callback(pending.discard)
    offered = count / (time.perf_counter() - started)
    await asyncio.gather(*pending)
    return offered


async def run(load: Load, rate: float, seconds: float) -> tuple[float, float]:
    """Offer `rate` requests/s for `seconds`; the rate offered and the rate answered."""
    started = time.perf_counter()
    offered = await offer(
        rate, seconds, lambda i, due: _request(load, load.requests[i % len(load.requests)], due)
    )
    answered = len(load.latencies) / (time.perf_counter() - started)
    for _, writer, _ in load.idle:
        writer.close()
    return offered, answered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url")
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--values", required=True)
    parser.add_argument("--header", required=True)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body", default="")
    parser.add_argument("--connections", type=int, default=256)
    arguments = parser.parse_args()
    values = [line for line in Path(arguments.values).read_text().splitlines() if line]
    parts = urlsplit(arguments.url)
    requests = prepared(
        arguments.url, arguments.method, arguments.header, values, arguments.body.encode()
    )

    async def measure() -> None:
        load = Load(
            parts.hostname or "127.0.0.1", parts.port or 80, requests, arguments.connections
        )
        offered, answered = await run(load, arguments.rate, arguments.seconds)
        times = sorted(latency * 1000 for latency in load.latencies) or [0.0]
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        errors = sum(load.errors.values())
        print(
            f"RESULT {offered:.1f} {answered:.1f} {statistics.median(times):.3f} {p99:.3f} "
            f"{times[-1]:.3f} {errors}"
        )
        if errors:
            print(f"fixed_rate: failed requests by cause: {dict(load.errors)}", file=sys.stderr)

    uvloop.run(measure())


if __name__ == "__main__":
    main()
