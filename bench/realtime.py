"""Many Socket.IO clients held by running API workers: memory per connection, and the delay
from a task write to its owner's client hearing of it, at a steady write rate.

accounts OUT
    One line per seeded user: its id, an access token, one of its tasks. The tokens are issued
    with the deployment's key (DATABASE_URL and JWT_PRIVATE_KEY_FILE from the environment):
    signing 10,000 users in would spend minutes hashing passwords.
run URL ACCOUNTS --part K/P --rate R --seconds S [--pids PID,...] [--out FILE]
    Connect this part's share of the accounts (one client each), then change one of its users'
    tasks R times a second for S seconds (open loop: each write when it is due), and write
    what was heard as JSON: connections, the workers' memory before and after them, and each
    write's delay from the moment the API stamped it (its updatedAt) to its client hearing it.
report FILE...
    The parts together: clients held, memory per connection, delays (p50, p99, max), misses.

The clients speak Engine.IO 4 over WebSocket themselves (a few lines of protocol): a full
Socket.IO client per connection would cost the load more than the server it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import websockets
from sqlalchemy import text

from taskmaster.config import Settings
from taskmaster.ids import uuid7
from taskmaster.runtime import Runtime

CONNECTING_AT_ONCE = 200
SETTLE_SECONDS = 3.0  # after the last write: what is still on its way arrives
BAR_MS = 100.0
MERGE = {"Content-Type": "application/merge-patch+json"}


ONE_TASK_EACH = "SELECT DISTINCT ON (project_id) project_id, id FROM tasks ORDER BY project_id, id"


async def accounts() -> list[str]:
    runtime = Runtime.build(Settings())
    async with runtime.db.engine.connect() as connection:
        rows = (await connection.execute(text(ONE_TASK_EACH))).all()
    await runtime.db.dispose()
    return [f"{user} {runtime.tokens.issue(user, uuid7())} {task}\n" for user, task in rows]


@dataclass
class Heard:
    connected: int = 0
    refused: int = 0
    delays: dict[tuple[str, int], float] = field(default_factory=dict)  # (task, revision)
    closed: Counter[str] = field(default_factory=Counter)  # why connections ended early


def _rss_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def _moment(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


async def _client(url: str, token: str, heard: Heard, gate: asyncio.Semaphore) -> None:
    socket_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    async with gate:
        connection = await websockets.connect(
            socket_url, ping_interval=None, compression=None, max_queue=None, open_timeout=60
        )
        await connection.recv()  # Engine.IO's open packet
        await connection.send("40" + orjson.dumps({"token": token}).decode())
        answer = await connection.recv()
        if not str(answer).startswith("40"):
            heard.refused += 1
            await connection.close()
            return
        heard.connected += 1
    try:
        await _follow(connection, heard)
    except websockets.ConnectionClosed as closed:
        heard.closed[f"{closed.rcvd.code if closed.rcvd else 'no close frame'}"] += 1


async def _follow(connection: Any, heard: Heard) -> None:
    async with connection:
        async for message in connection:
            if message == "2":  # the server's ping
                await connection.send("3")
            elif isinstance(message, str) and message.startswith("42"):
                received = time.time()
                topic, event = orjson.loads(message[2:])
                if topic == "task:updated":
                    task = event["data"]
                    delay = received - _moment(task["updatedAt"])
                    heard.delays[(task["id"], task["revision"])] = delay


async def _write(api: httpx.AsyncClient, token: str, task: str, n: int) -> tuple[str, int] | None:
    headers = {"Authorization": f"Bearer {token}"} | MERGE
    change = {"title": f"Write {n}"}
    try:
        answer = await api.patch(f"/api/v2/tasks/{task}", json=change, headers=headers)
    except httpx.HTTPError:
        return None
    if answer.status_code != 200:
        return None
    return task, int(answer.json()["revision"])


async def run(arguments: argparse.Namespace, lines: list[str]) -> dict[str, Any]:
    part, parts = (int(x) for x in arguments.part.split("/"))
    mine = [line.split() for line in lines if line][part::parts]
    pids = [int(pid) for pid in arguments.pids.split(",")] if arguments.pids else []
    heard = Heard()
    before = _rss_kib(pids)
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
    started = time.perf_counter()
    clients = [
        asyncio.create_task(_client(arguments.url, token, heard, gate)) for _, token, _ in mine
    ]
    while heard.connected + heard.refused < len(mine):
        failed = [c for c in clients if c.done() and c.exception() is not None]
        if failed:
            raise RuntimeError(f"{len(failed)} clients failed: {failed[0].exception()!r}")
        await asyncio.sleep(0.2)
    connect_seconds = time.perf_counter() - started
    await asyncio.sleep(2)  # let the workers settle before reading their memory
    after = _rss_kib(pids)
    print(f"part {part}: {heard.connected} connected in {connect_seconds:.1f} s", file=sys.stderr)

    writes: list[asyncio.Task[tuple[str, int] | None]] = []
    limits = httpx.Limits(max_connections=64)
    async with httpx.AsyncClient(base_url=arguments.url, limits=limits, timeout=30) as api:
        start = time.perf_counter()
        total = int(arguments.rate * arguments.seconds)
        for n in range(total):
            due = start + n / arguments.rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            _, token, task = random.choice(mine)  # noqa: S311 - a load's choice, not a secret
            writes.append(asyncio.create_task(_write(api, token, task, n)))
        done = [w for w in await asyncio.gather(*writes) if w is not None]
    await asyncio.sleep(SETTLE_SECONDS)
    still = sum(1 for c in clients if not c.done())
    for client in clients:
        client.cancel()
    await asyncio.gather(*clients, return_exceptions=True)
    delays = [heard.delays[w] for w in done if w in heard.delays]
    return {
        "clients": len(mine),
        "connected": heard.connected,
        "held_to_the_end": still,
        "connect_seconds": connect_seconds,
        "rss_before_kib": before,
        "rss_after_kib": after,
        "writes": total,
        "acknowledged": len(done),
        "delays": delays,
        "closed": dict(heard.closed),
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(files: list[str]) -> None:
    parts: list[dict[str, Any]] = [orjson.loads(Path(f).read_bytes()) for f in files]
    clients = sum(p["clients"] for p in parts)
    held = sum(p["held_to_the_end"] for p in parts)
    delays = [d * 1000 for p in parts for d in p["delays"]]
    acknowledged = sum(p["acknowledged"] for p in parts)
    # Every part reads the same workers' memory: the last part to connect saw them all.
    rss_before = min(p["rss_before_kib"] for p in parts)
    rss_after = max(p["rss_after_kib"] for p in parts)
    per_connection = (rss_after - rss_before) / max(1, clients) if rss_after else float("nan")
    p99 = _percentile(delays, 0.99) if delays else float("inf")
    print(f"clients held to the end: {held} of {clients}")
    closed: Counter[str] = Counter()
    for p in parts:
        closed.update(p["closed"])
    if closed:
        print(f"closed early, by close code: {dict(closed)}")
    print(f"workers' memory: {rss_before / 1024:.0f} MiB before, {rss_after / 1024:.0f} MiB after")
    print(f"memory per connection: {per_connection:.1f} KiB")
    print(f"writes: {sum(p['writes'] for p in parts)} sent, {acknowledged} acknowledged")
    print(f"heard: {len(delays)} ({acknowledged - len(delays)} missed)")
    if delays:
        print(
            f"delay from write to client, ms: p50 {statistics.median(delays):.1f}"
            f"  p90 {_percentile(delays, 0.9):.1f}  p99 {p99:.1f}  max {max(delays):.1f}"
        )
    verdict = (
        "meets" if p99 < BAR_MS and held == clients and len(delays) == acknowledged else "misses"
    )
    print(f"bar: {clients} clients held, p99 under {BAR_MS:.0f} ms, none missed: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("accounts")
    made.add_argument("out", type=Path)
    running = commands.add_parser("run")
    running.add_argument("url")
    running.add_argument("accounts")
    running.add_argument("--part", default="0/1")
    running.add_argument("--rate", type=float, default=100)
    running.add_argument("--seconds", type=float, default=30)
    running.add_argument("--pids", default="")
    running.add_argument("--out", default="realtime.json")
    reporting = commands.add_parser("report")
    reporting.add_argument("files", nargs="+")
    arguments = parser.parse_args()
    if arguments.command == "accounts":
        lines = asyncio.run(accounts())
        arguments.out.write_text("".join(lines))
        print(f"{len(lines)} accounts")
    elif arguments.command == "run":
        lines = Path(arguments.accounts).read_text().split("\n")
        with contextlib.suppress(KeyboardInterrupt):
            result = asyncio.run(run(arguments, lines))
            Path(arguments.out).write_bytes(orjson.dumps(result))
    else:
        report(arguments.files)


if __name__ == "__main__":
    main()
