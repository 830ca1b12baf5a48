"""v1 use counted per client, kept through a store outage, and listed by `taskmaster v1-usage`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from taskmaster import cli
from taskmaster.api import v1_usage
from taskmaster.api.v1_usage import (
    AGENT_BYTES,
    NO_AGENT,
    OTHERS,
    ClientUse,
    V1Usage,
    read_usage,
    usage_key,
)
from taskmaster.cache.base import StoreUnavailable
from taskmaster.cache.memory import MemoryKeyValue
from taskmaster.cache.redis import RedisKeyValue
from taskmaster.config import Settings
from tests.conftest import PATIENT_SECONDS, REDIS_URL, FakeClock, forget
from tests.waiting import eventually


class FlakyStore(MemoryKeyValue):
    """Down for the first `failures` increments, then up."""

    def __init__(self, clock: FakeClock, failures: int, error: Exception) -> None:
        super().__init__(clock)
        self.failures = failures
        self.error = error

    async def incr(self, key: str, *, ttl: float, by: int = 1) -> int:
        if self.failures:
            self.failures -= 1
            raise self.error
        return await super().incr(key, ttl=ttl, by=by)


async def test_each_client_is_counted_apart() -> None:
    clock = FakeClock()
    store = MemoryKeyValue(clock)
    usage = V1Usage(store, clock)
    for agent in (b"app/1", b"app/1", b"", b"app/2", b"app/1"):
        usage.count(agent)
    await usage.flush()
    usage.count(b"app/2")
    await usage.flush()
    today = clock.now.date()
    assert await read_usage(store, today, 1) == [
        ClientUse("app/1", 3, today),
        ClientUse("app/2", 2, today),
        ClientUse(NO_AGENT, 1, today),
    ]


async def test_client_names_are_cut_and_made_printable() -> None:
    clock = FakeClock()
    store = MemoryKeyValue(clock)
    usage = V1Usage(store, clock)
    usage.count(b"x" * 500)
    usage.count(b"x" * AGENT_BYTES + b"different tail")
    usage.count(b"evil\x1b[2J\x07 \xff")
    await usage.flush()
    today = clock.now.date()
    assert await read_usage(store, today, 1) == [
        ClientUse("x" * AGENT_BYTES, 2, today),
        ClientUse("evil?[2J? \ufffd", 1, today),
    ]


async def test_clients_beyond_the_daily_limit_share_one_counter() -> None:
    clock = FakeClock()
    store = MemoryKeyValue(clock)
    usage = V1Usage(store, clock, clients_per_day=2)
    for agent in (b"a", b"b", b"c", b"d", b"a", b"c"):
        usage.count(agent)
    await usage.flush()
    today = clock.now.date()
    assert await read_usage(store, today, 1) == [
        ClientUse(OTHERS, 3, today),
        ClientUse("a", 2, today),
        ClientUse("b", 1, today),
    ]
    clock.advance(days=1)  # a new day: new clients get counters of their own again
    await usage.flush()
    usage.count(b"c")
    await usage.flush()
    tomorrow = clock.now.date()
    assert await read_usage(store, tomorrow, 1) == [ClientUse("c", 1, tomorrow)]


async def test_counts_wait_for_the_store_to_come_back() -> None:
    clock = FakeClock()
    store = FlakyStore(clock, failures=1, error=StoreUnavailable("down"))
    usage = V1Usage(store, clock)
    usage.count(b"patient")
    usage.count(b"patient")
    await usage.flush()
    today = clock.now.date()
    assert await read_usage(store, today, 1) == []
    usage.count(b"patient")
    await usage.flush()
    assert await read_usage(store, today, 1) == [ClientUse("patient", 3, today)]


async def test_the_report_covers_the_days_asked_for() -> None:
    clock = FakeClock()
    store = MemoryKeyValue(clock)
    today = clock.now.date()
    for days_ago, client, requests in ((0, "a", 1), (2, "a", 5), (9, "b", 7), (2, "c", 1)):
        day = today - timedelta(days=days_ago)
        await store.incr(usage_key(day, client), ttl=60, by=requests)
    await store.incr(usage_key(today + timedelta(days=1), "future"), ttl=60)
    await store.incr("v1-usage:not-a-day:x", ttl=60)
    await store.incr("v1-usage-elsewhere", ttl=60)
    assert await read_usage(store, today, 1) == [ClientUse("a", 1, today)]
    assert await read_usage(store, today, 3) == [
        ClientUse("a", 6, today),
        ClientUse("c", 1, today - timedelta(days=2)),
    ]
    assert [use.client for use in await read_usage(store, today, 10)] == ["b", "a", "c"]


async def test_counts_are_flushed_on_a_schedule_and_at_close(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(v1_usage, "FLUSH_SECONDS", 0.01)
    clock = FakeClock()
    store = MemoryKeyValue(clock)
    usage = V1Usage(store, clock)
    today = clock.now.date()
    usage.start()
    usage.count(b"busy")

    async def flushed() -> bool:
        return await read_usage(store, today, 1) == [ClientUse("busy", 1, today)]

    await eventually(flushed, what="the scheduled flush")
    monkeypatch.setattr(v1_usage, "FLUSH_SECONDS", 3600.0)
    await usage.close()  # the loop may be waiting out the short interval: it ends anyway
    usage.start()
    usage.count(b"busy")
    await usage.close()
    assert await read_usage(store, today, 1) == [ClientUse("busy", 2, today)]


async def test_a_failing_flush_does_not_end_the_schedule() -> None:
    clock = FakeClock()
    store = FlakyStore(clock, failures=1, error=RuntimeError("bug"))
    usage = V1Usage(store, clock)
    usage.start()
    usage.count(b"lost")
    await usage.close()  # the last flush fails, is logged, and close still returns
    usage.start()
    usage.count(b"kept")
    await usage.close()
    today = clock.now.date()
    assert await read_usage(store, today, 1) == [ClientUse("kept", 1, today)]


# taskmaster v1-usage


@pytest.fixture
def redis_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, redis_prefix: str) -> Iterator[str]:
    """The CLI's environment pointed at Redis under a throwaway prefix (no .env to leak in);
    its keys are deleted afterwards."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.setenv("REDIS_PREFIX", redis_prefix)
    yield redis_prefix

    async def clean_up() -> None:
        store = RedisKeyValue.from_url(REDIS_URL, redis_prefix, timeout=PATIENT_SECONDS)
        await forget(store)
        await store.close()

    asyncio.run(clean_up())


def counted(prefix: str, clock: FakeClock, agents: list[bytes]) -> None:
    """Requests from `agents`, counted and flushed as a server would."""

    async def run() -> None:
        store = RedisKeyValue.from_url(REDIS_URL, prefix)
        usage = V1Usage(store, clock)
        for agent in agents:
            usage.count(agent)
        await usage.flush()
        await store.close()

    asyncio.run(run())


def test_the_command_lists_clients_busiest_first(redis_env: str) -> None:
    clock = FakeClock()
    today = clock.now.date()
    counted(redis_env, clock, [b"old-app/1.0", b"[bold]markup[/bold]", b"old-app/1.0"])
    clock.advance(days=-3)
    counted(redis_env, clock, [b"old-app/1.0", b"cron"])

    result = CliRunner().invoke(cli.app, ["v1-usage"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "  requests  last seen   client",
        f"         3  {today}  old-app/1.0",
        f"         1  {today}  [bold]markup[/bold]",
        f"         1  {today - timedelta(days=3)}  cron",
    ]
    recent = CliRunner().invoke(cli.app, ["v1-usage", "--days", "1"])
    assert recent.output.splitlines()[1:] == [
        f"         2  {today}  old-app/1.0",
        f"         1  {today}  [bold]markup[/bold]",
    ]


def test_the_command_says_when_nobody_calls_v1(redis_env: str) -> None:
    result = CliRunner().invoke(cli.app, ["v1-usage", "--days", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "No v1 requests in the last 2 days"


def test_the_command_refuses_days_it_does_not_keep(redis_env: str) -> None:
    for days in ("0", "32"):
        assert CliRunner().invoke(cli.app, ["v1-usage", "--days", days]).exit_code == 2


def test_the_command_needs_the_servers_redis(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.app, ["v1-usage"])
    assert result.exit_code == 1
    assert "set REDIS_URL" in result.output

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    down = CliRunner().invoke(cli.app, ["v1-usage"])
    assert down.exit_code == 1
    assert "Redis is unreachable" in down.output
