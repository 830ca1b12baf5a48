"""Ending a loop that follows a Redis subscription."""

from __future__ import annotations

import asyncio

import structlog
from redis.asyncio import Redis

log = structlog.get_logger(__name__)

CLOSE_SECONDS = 2.0


async def stop_following(redis: Redis, loop: asyncio.Task[None] | None) -> None:
    """Close `redis`'s connections under `loop` (which has been told it is closing), wait a
    moment for it to end, and close the client. The loop is asked to end rather than
    cancelled: a cancellation landing inside redis-py's connect has been seen to outlive the
    task and break the caller's own waiting. However the loop ends (redis-py may cancel the
    read it was waiting in), its ending is not the caller's: closing never raises it."""
    await redis.connection_pool.disconnect()
    if loop is not None:
        ended, _ = await asyncio.wait({loop}, timeout=CLOSE_SECONDS)
        if not ended:
            loop.cancel()
        elif not loop.cancelled() and (error := loop.exception()) is not None:
            log.warning("a subscription ended with an error", error=repr(error))
    await redis.aclose()
