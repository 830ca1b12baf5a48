"""Waiting on a condition, never on the clock alone: tests stay fast and hold on a slow machine."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable

POLL_SECONDS = 0.02


async def eventually(
    check: Callable[[], bool | Awaitable[bool]], within: float = 10, what: str = "the condition"
) -> float:
    """Wait until `check()` holds, failing after `within` seconds; the seconds it took."""
    start = time.monotonic()
    while True:
        holds = check()
        if inspect.isawaitable(holds):
            holds = await holds
        if holds:
            return time.monotonic() - start
        assert time.monotonic() - start < within, f"{what} did not hold within {within} s"
        await asyncio.sleep(POLL_SECONDS)


def until(check: Callable[[], bool], within: float = 10, what: str = "the condition") -> float:
    """`eventually` for code that is not async (fixtures that start servers): the same wait."""
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < within, f"{what} did not hold within {within} s"
        time.sleep(POLL_SECONDS)
    return time.monotonic() - start
