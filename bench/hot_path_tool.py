"""The helpers of bench/hot_path.sh: sign users in, check the bodies, report the rounds.

signin URL EMAILS PASSWORD TOKENS USERS
    Sign each listed email in; write "Bearer <token>" lines and the users' ids, in order.
check URL TOKENS USERS [--floor URL] [--tasks N] [--sample K] [--create-tokens F --create-users F]
    Fail unless K users' lists hold N tasks each, the floor's list bodies are byte-identical
    to ours, and a create answers alike on both (but for the new task's id and timestamps).
report RESULTS
    Per-round figures, medians, ratios and the bars.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

LIST_PATH = "/api/v1/tasks"
FLOOR_PATH = "/floor/tasks"
NEW_TASK = {"title": "Bench task"}
VARYING = ("id", "createdAt", "updatedAt")  # what two creates of the same task differ in
SIGN_IN_AT_ONCE = 8
P99_BAR = 2.0


@dataclass(frozen=True)
class Pair:
    """A scenario of ours beside its floor, and the throughput ratio it must reach."""

    label: str
    ours: tuple[str, str]  # (target, scenario) as the results name them
    floor: tuple[str, str]
    bar: float


PAIRS = (
    # The list through the read cache (a hit: its users are not written to) beside the same
    # bytes after one Redis GET, through redis-py and through TaskMaster's pipelined client;
    # the list with a cold cache (every request a miss, filling an entry) and without the
    # cache beside the floor's query; the create, whose cache invalidation is included,
    # beside the floor's insert.
    Pair("cached list", ("taskmaster", "list"), ("floor", "cached"), 0.8),
    Pair("cached list, floor on our client", ("taskmaster", "list"), ("floor", "pipelined"), 0.8),
    Pair("list, cold cache", ("taskmaster", "cold"), ("floor", "list"), 0.6),
    Pair("list, no cache", ("uncached", "list"), ("floor", "list"), 0.6),
    Pair("create", ("taskmaster", "create"), ("floor", "create"), 0.6),
)


class Mismatch(Exception):
    """The app and the floor do not answer alike: their figures would not be comparable."""


def _lines(path: str) -> list[str]:
    return [line for line in Path(path).read_text().splitlines() if line]


async def _sign_in(
    client: httpx.AsyncClient, gate: asyncio.Semaphore, email: str, password: str
) -> tuple[str, str]:
    async with gate:
        response = await client.post(
            "/api/v1/auth/login", json={"email": email, "password": password}
        )
    if response.status_code != 200:
        raise Mismatch(f"signing in {email}: {response.status_code} {response.text}")
    data: dict[str, Any] = response.json()["data"]
    return data["token"], data["user"]["id"]


async def sign_in(url: str, emails: str, password: str) -> list[tuple[str, str]]:
    """(token, user id) of each of the users whose emails are listed, in their order."""
    gate = asyncio.Semaphore(SIGN_IN_AT_ONCE)
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        return await asyncio.gather(
            *(_sign_in(client, gate, email, password) for email in _lines(emails))
        )


def _ok(response: httpx.Response, status: int, what: str) -> bytes:
    if response.status_code != status:
        raise Mismatch(f"{what}: {response.status_code} {response.text[:300]}")
    return response.content


async def _check_list(
    ours: httpx.AsyncClient, floor: httpx.AsyncClient | None, token: str, user: str, tasks: int
) -> int:
    body = _ok(await ours.get(LIST_PATH, headers={"Authorization": token}), 200, "our list")
    count = len(orjson.loads(body)["data"])
    if count != tasks:
        raise Mismatch(f"user {user} has {count} tasks, not {tasks}")
    if floor is not None:
        floor_body = _ok(await floor.get(FLOOR_PATH, headers={"X-User": user}), 200, "floor list")
        if floor_body != body:
            raise Mismatch(
                f"list bodies differ for user {user}:\nours:  {body[:400]!r}\nfloor: "
                f"{floor_body[:400]!r}"
            )
    return len(body)


def _comparable(body: bytes) -> dict[str, Any]:
    answer: dict[str, Any] = orjson.loads(body)
    answer["data"] = {key: value for key, value in answer["data"].items() if key not in VARYING}
    return answer


async def _check_create(
    ours: httpx.AsyncClient, floor: httpx.AsyncClient, token: str, user: str
) -> None:
    mine = await ours.post(LIST_PATH, json=NEW_TASK, headers={"Authorization": token})
    theirs = await floor.post(FLOOR_PATH, json=NEW_TASK, headers={"X-User": user})
    our_body, floor_body = _ok(mine, 201, "our create"), _ok(theirs, 201, "floor create")
    if list(orjson.loads(our_body)["data"]) != list(orjson.loads(floor_body)["data"]):
        raise Mismatch(f"create fields differ:\nours:  {our_body!r}\nfloor: {floor_body!r}")
    if _comparable(our_body) != _comparable(floor_body):
        raise Mismatch(f"create bodies differ:\nours:  {our_body!r}\nfloor: {floor_body!r}")


async def check(arguments: argparse.Namespace) -> None:
    tokens, users = _lines(arguments.tokens), _lines(arguments.users)
    sample = list(zip(tokens, users, strict=True))[: arguments.sample]
    async with (
        httpx.AsyncClient(base_url=arguments.url) as ours,
        httpx.AsyncClient(base_url=arguments.floor or arguments.url) as floor,
    ):
        sizes = [
            await _check_list(
                ours, floor if arguments.floor else None, token, user, arguments.tasks
            )
            for token, user in sample
        ]
        if arguments.floor:
            print(
                f"list: {len(sample)} users, {arguments.tasks} tasks each, "
                f"floor bodies byte-identical ({min(sizes)}-{max(sizes)} bytes)"
            )
        else:
            print(f"list: {len(sample)} users, {arguments.tasks} tasks each")
        if arguments.floor and arguments.create_tokens:
            token, user = _lines(arguments.create_tokens)[0], _lines(arguments.create_users)[0]
            await _check_create(ours, floor, token, user)
            print("create: same status, fields and values (but id and timestamps) on both")


@dataclass(frozen=True)
class Figure:
    rps: float
    p99_ms: float
    errors: int
    spread: str  # wrk's connections per worker, most first, e.g. 40/24


def _read(path: str) -> dict[tuple[str, str], dict[int, Figure]]:
    """(target, scenario) -> round -> figure, from lines
    'round target scenario rps p99_ms errors spread'."""
    figures: dict[tuple[str, str], dict[int, Figure]] = defaultdict(dict)
    for line in _lines(path):
        round_, target, scenario, rps, p99, errors, *spread = line.split()
        figure = Figure(float(rps), float(p99), int(errors), "".join(spread) or "?")
        figures[target, scenario][int(round_)] = figure
    return figures


def _median(figures: dict[int, Figure], field: str) -> float:
    return float(statistics.median(getattr(figure, field) for figure in figures.values()))


def _verdict(ok: bool) -> str:
    return "meets the bar" if ok else "BELOW THE BAR"


def _side_by_side(figures: dict[tuple[str, str], dict[int, Figure]], pair: Pair) -> list[str]:
    ours, floor = figures[pair.ours], figures[pair.floor]
    width = len(pair.label) + 7
    lines = [
        f"{pair.label}: round  ours req/s  floor req/s  ratio   ours p99 ms  floor p99 ms  ratio"
        "   connections per worker (ours, floor)"
    ]
    for round_ in sorted(ours):
        a, b = ours[round_], floor[round_]
        lines.append(
            f"{round_:>{width}}  {a.rps:>10,.0f}  {b.rps:>11,.0f}  {a.rps / b.rps:>5.2f}"
            f"   {a.p99_ms:>11.2f}  {b.p99_ms:>12.2f}  {a.p99_ms / b.p99_ms:>5.2f}"
            f"   {a.spread}, {b.spread}"
        )
    rps, floor_rps = _median(ours, "rps"), _median(floor, "rps")
    p99, floor_p99 = _median(ours, "p99_ms"), _median(floor, "p99_ms")
    lines.append(
        f"{'median':>{width}}  {rps:>10,.0f}  {floor_rps:>11,.0f}"
        f"  {rps / floor_rps:>5.2f}   {p99:>11.2f}  {floor_p99:>12.2f}  {p99 / floor_p99:>5.2f}"
    )
    return lines


def _bar(figures: dict[tuple[str, str], dict[int, Figure]], pair: Pair) -> str:
    ours, floor = figures[pair.ours], figures[pair.floor]
    ratio = _median(ours, "rps") / _median(floor, "rps")
    p99_ratio = _median(ours, "p99_ms") / _median(floor, "p99_ms")
    return (
        f"{pair.label}: throughput {ratio:.2f} x floor (bar >= {pair.bar}): "
        f"{_verdict(ratio >= pair.bar)}; p99 {p99_ratio:.2f} x floor's (bar <= {P99_BAR}): "
        f"{_verdict(p99_ratio <= P99_BAR)}"
    )


def report(path: str) -> None:
    figures = _read(path)
    pairs = [pair for pair in PAIRS if pair.ours in figures and pair.floor in figures]
    if pairs:
        print("PostgreSQL, 2 workers each: TaskMaster (ours) beside the floor")
        for pair in pairs:
            print("\n".join(_side_by_side(figures, pair)))
        for pair in pairs:
            print(_bar(figures, pair))
    if ("sqlite", "list") in figures:
        print("Embedded default (SQLite, 1 worker, no Redis)")
        print("scenario round  req/s  p99 ms")
        for scenario in ("list", "create"):
            rounds = figures["sqlite", scenario]
            for round_, figure in sorted(rounds.items()):
                print(f"{scenario:<8} {round_:>5}  {figure.rps:>6,.0f}  {figure.p99_ms:>6.2f}")
            rps, p99 = _median(rounds, "rps"), _median(rounds, "p99_ms")
            print(f"{scenario:<8} median {rps:>6,.0f}  {p99:>6.2f}")
    errors = sum(figure.errors for rounds in figures.values() for figure in rounds.values())
    if errors:
        print(f"WARNING: {errors} requests failed (socket errors or non-2xx): see the rounds")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    signin = commands.add_parser("signin")
    for name in ("url", "emails", "password", "tokens", "users"):
        signin.add_argument(name)
    checking = commands.add_parser("check")
    for name in ("url", "tokens", "users"):
        checking.add_argument(name)
    checking.add_argument("--floor")
    checking.add_argument("--tasks", type=int, default=50)
    checking.add_argument("--sample", type=int, default=5)
    checking.add_argument("--create-tokens")
    checking.add_argument("--create-users")
    reporting = commands.add_parser("report")
    reporting.add_argument("results")
    arguments = parser.parse_args()
    try:
        if arguments.command == "signin":
            signed_in = asyncio.run(sign_in(arguments.url, arguments.emails, arguments.password))
            Path(arguments.tokens).write_text("".join(f"Bearer {t}\n" for t, _ in signed_in))
            Path(arguments.users).write_text("".join(f"{user}\n" for _, user in signed_in))
            print(f"signed in {len(signed_in)} users")
        elif arguments.command == "check":
            asyncio.run(check(arguments))
        else:
            report(arguments.results)
    except Mismatch as error:
        sys.exit(f"hot_path: {error}")


if __name__ == "__main__":
    main()
