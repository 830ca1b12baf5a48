"""SIGTERM drains a served instance: /ready answers 503 at once while it keeps serving, and
DRAIN_SECONDS later it stops; a second SIGTERM stops it at once."""

from __future__ import annotations

import asyncio
import signal
import time

import httpx

from taskmaster.config import Settings
from tests.instances import STOP_SECONDS, fleet
from tests.waiting import eventually

BACKENDS = ("postgres",)
DRAIN_SECONDS = 3


async def test_sigterm_makes_an_instance_unready_then_stops_it(settings: Settings) -> None:
    async with fleet(settings) as started:
        instance = await started.serve(DRAIN_SECONDS=str(DRAIN_SECONDS))
        async with httpx.AsyncClient(base_url=instance.url) as api:
            assert (await api.get("/ready")).status_code == 200
            instance.process.send_signal(signal.SIGTERM)
            asked = time.monotonic()

            async def unready() -> bool:
                return (await api.get("/ready")).status_code == 503

            await eventually(unready, what="/ready answering 503")
            draining = await api.get("/ready")
            assert draining.json()["data"]["instance"] == "draining"
            assert (await api.get("/health")).status_code == 200, "still serving meanwhile"
        exit_code = await asyncio.to_thread(instance.process.wait, DRAIN_SECONDS + STOP_SECONDS)
        assert time.monotonic() - asked >= DRAIN_SECONDS
        assert exit_code in (0, -signal.SIGTERM)


async def test_a_second_sigterm_stops_at_once(settings: Settings) -> None:
    async with fleet(settings) as started:
        instance = await started.serve(DRAIN_SECONDS="600")
        async with httpx.AsyncClient(base_url=instance.url) as api:
            instance.process.send_signal(signal.SIGTERM)

            async def unready() -> bool:
                return (await api.get("/ready")).status_code == 503

            await eventually(unready, what="/ready answering 503")
        instance.process.send_signal(signal.SIGTERM)
        exit_code = await asyncio.to_thread(instance.process.wait, STOP_SECONDS)
        assert exit_code in (0, -signal.SIGTERM)
