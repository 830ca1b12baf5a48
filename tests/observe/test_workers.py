"""With several workers, a scrape of any of them counts the requests every worker answered."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from taskmaster.config import Settings
from tests.instances import START_SECONDS, fleet
from tests.observe.test_metrics import REQUESTS, scrape, value
from tests.waiting import eventually

BACKENDS = ("postgres",)
ROUTE = "/api/v2/projects"
AT_ONCE = 20


def answering(shared: Path) -> int:
    """How many processes answered the route: each writes a file of its own, which names the
    route once it counted a request of it."""
    return sum(ROUTE.encode() in path.read_bytes() for path in shared.glob("counter_*.db"))


async def test_every_worker_is_counted(settings: Settings, tmp_path: Path) -> None:
    shared = tmp_path / "metrics"
    shared.mkdir()
    sent = 0
    async with fleet(settings) as started:
        # Two processes start at once on a machine the other tests keep busy: more time.
        instance = await started.serve(
            within=2 * START_SECONDS, WORKERS="2", PROMETHEUS_MULTIPROC_DIR=str(shared)
        )

        async def ask() -> int:
            async with httpx.AsyncClient(base_url=instance.url) as client:
                return (await client.get(ROUTE)).status_code

        async def both_answered() -> bool:
            # Connections at once, so that the idle worker accepts some too.
            nonlocal sent
            statuses = await asyncio.gather(*(ask() for _ in range(AT_ONCE)))
            assert set(statuses) == {401}
            sent += AT_ONCE
            return answering(shared) == 2

        await eventually(both_answered, what="requests answered by both workers")
        async with httpx.AsyncClient(base_url=instance.url) as client:
            text = await scrape(client)
    assert value(text, REQUESTS, method="GET", route=ROUTE, status="401") == sent
