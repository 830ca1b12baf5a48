"""Ending a loop that follows a Redis subscription."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

CLOSE_SECONDS = 2.0


async def stop_following(redis: Redis, loop: asyncio.Task[None] | None) -> None:
    """Close `redis`'s connections under `loop` (which has been told it is closing), wait a
    moment for it to end, and close the client. The loop is asked to end rather than
    cancelled: a cancellation landing inside redis-py's connect has been seen to outlive the
    task and break the caller's own waiting."""
    await redis.connection_pool.disconnect()
    if loop is not None:
        try:
            await asyncio.wait_for(asyncio.shield(loop), CLOSE_SECONDS)
        except TimeoutError:
            loop.cancel()
    await redis.aclose()
