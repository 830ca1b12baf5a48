"""Ending a loop that follows a subscription: however the loop ends, closing returns.

A closing that raised the loop's own ending (a cancelled read, say) broke the teardown of a
test instance; pytest then reused the fixtures of one test for every later one."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from taskmaster.cache import following
from taskmaster.cache.following import stop_following
from tests.conftest import REDIS_URL


async def ended(how: str) -> None:
    if how == "cancelled":
        raise asyncio.CancelledError
    if how == "failed":
        raise RuntimeError("a bug in the loop")


async def forever() -> None:
    await asyncio.Event().wait()


@pytest.mark.parametrize("how", ["returned", "cancelled", "failed"])
async def test_closing_returns_however_the_loop_ended(how: str) -> None:
    loop = asyncio.create_task(ended(how))
    await asyncio.wait({loop})
    redis = Redis.from_url(REDIS_URL)
    await stop_following(redis, loop)
    assert loop.done()


async def test_a_loop_that_does_not_end_is_cancelled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(following, "CLOSE_SECONDS", 0.01)
    loop = asyncio.create_task(forever())
    redis = Redis.from_url(REDIS_URL)
    await stop_following(redis, loop)
    await asyncio.wait({loop})
    assert loop.cancelled()
