"""The pipelined Redis client, against a real Redis server of the test's own."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import uvloop
from redis.asyncio import Redis

from taskmaster.cache.pipelined import Address, PipelinedRedis, ReplyError, Script
from tests.db.servers import RedisServer

TIMEOUT = 0.2


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("redis://127.0.0.1:6379/0", Address("127.0.0.1", 6379, None, False, None, None, 0)),
        ("redis://cache", Address("cache", 6379, None, False, None, None, 0)),
        (
            "rediss://bob:s%40cret@cache.example:6380/4",
            Address("cache.example", 6380, None, True, "bob", "s@cret", 4),
        ),
        ("redis://:pw@cache/2", Address("cache", 6379, None, False, None, "pw", 2)),
        (
            "unix:///run/redis.sock?db=3",
            Address(None, 6379, "/run/redis.sock", False, None, None, 3),
        ),
    ],
)
def test_addresses_are_read_from_urls(url: str, address: Address) -> None:
    assert Address.parse(url) == address


def test_other_urls_are_refused() -> None:
    with pytest.raises(ValueError, match="redis://"):
        Address.parse("http://cache:6379")


@pytest.fixture
async def client(redis_process: RedisServer) -> AsyncIterator[PipelinedRedis]:
    made = PipelinedRedis(redis_process.url, timeout=TIMEOUT, connect_timeout=1)
    try:
        yield made
    finally:
        await made.close()


async def _connected_clients(url: str) -> int:
    admin = Redis.from_url(url)
    try:
        info = await admin.info("clients")
        return int(info["connected_clients"]) - 1  # not counting this one
    finally:
        await admin.aclose()


async def test_concurrent_commands_share_one_connection_and_get_their_own_replies(
    client: PipelinedRedis, redis_process: RedisServer
) -> None:
    await asyncio.gather(*(client.call("SET", f"k{i}", f"v{i}" * i) for i in range(300)))
    replies = await asyncio.gather(*(client.call("GET", f"k{i}") for i in range(300)))
    assert replies == [f"v{i}".encode() * i or b"" for i in range(300)]
    assert await _connected_clients(redis_process.url) == 1


async def test_an_error_reply_is_raised_and_the_connection_goes_on(
    client: PipelinedRedis, redis_process: RedisServer
) -> None:
    await client.call("SET", "text", "not a number")
    results = await asyncio.gather(
        client.call("INCR", "text"), client.call("GET", "text"), return_exceptions=True
    )
    assert isinstance(results[0], ReplyError)
    assert results[1] == b"not a number"
    assert await client.call("INCR", "n") == 1
    assert await _connected_clients(redis_process.url) == 1


async def test_a_paused_redis_fails_every_waiting_command_within_the_timeout(
    client: PipelinedRedis, redis_process: RedisServer
) -> None:
    await client.call("SET", "k", "v")
    redis_process.pause()
    try:
        started = asyncio.get_running_loop().time()
        results = await asyncio.gather(
            *(client.call("GET", "k") for _ in range(5)), return_exceptions=True
        )
        waited = asyncio.get_running_loop().time() - started
    finally:
        redis_process.resume()
    assert all(isinstance(result, TimeoutError) for result in results)
    assert waited < 10 * TIMEOUT  # bounded by the timeout, not by the pause
    assert await client.call("GET", "k") == b"v"  # a new connection


async def test_a_stopped_redis_fails_at_once_and_is_found_again(
    client: PipelinedRedis, redis_process: RedisServer
) -> None:
    await client.call("SET", "k", "v")
    redis_process.stop()
    with pytest.raises(ConnectionError):
        await client.call("GET", "k")
    with pytest.raises(ConnectionRefusedError):  # while it is down
        await client.call("GET", "k")
    redis_process.start()  # empty: it keeps nothing
    assert await client.call("GET", "k") is None


async def test_a_script_unknown_to_redis_is_sent_whole_then_run_by_digest(
    client: PipelinedRedis,
) -> None:
    script = Script(client, "return redis.call('INCRBY', KEYS[1], ARGV[1])")
    await client.call("SCRIPT", "FLUSH")
    assert await script(["n"], [2]) == 2
    assert await script(["n"], [3]) == 5
    assert await client.call("SCRIPT", "EXISTS", script.digest) == [1]


async def test_the_password_and_database_come_from_the_url(redis_process: RedisServer) -> None:
    admin = Redis.from_url(redis_process.url)
    await admin.config_set("requirepass", "s@cret")
    await admin.aclose()
    url = f"redis://:s%40cret@127.0.0.1:{redis_process.port}/3"
    signed_in = PipelinedRedis(url, timeout=TIMEOUT, connect_timeout=1)
    wrong = PipelinedRedis(url.replace("s%40cret", "wrong"), timeout=TIMEOUT, connect_timeout=1)
    admin = Redis.from_url(url)
    try:
        await signed_in.call("SET", "k", "in three")
        with pytest.raises(ConnectionError, match="AUTH"):
            await wrong.call("GET", "k")
        assert await admin.get("k") == b"in three"
    finally:
        await signed_in.close()
        await wrong.close()
        await admin.aclose()


def test_it_runs_on_uvloop_as_the_server_does(redis_process: RedisServer) -> None:
    """uvloop's transports are not asyncio's classes: the client must not care."""

    async def scenario() -> list[object]:
        client = PipelinedRedis(redis_process.url, timeout=TIMEOUT, connect_timeout=1)
        try:
            await client.call("SET", "k", "v")
            return list(await asyncio.gather(*(client.call("GET", "k") for _ in range(50))))
        finally:
            await client.close()

    assert uvloop.run(scenario()) == [b"v"] * 50
