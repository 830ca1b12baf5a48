"""With several processes (serve --workers N), a scrape of any of them counts the requests
every one answered: each keeps its values in files of one shared folder, which a scrape adds
up. Here two instances share the folder as two workers do, and each answers some requests."""

from __future__ import annotations

from pathlib import Path

import httpx

from taskmaster.config import Settings
from tests.instances import fleet
from tests.observe.test_metrics import REQUESTS, scrape, value

BACKENDS = ("postgres",)
ROUTE = "/api/v2/projects"


def answering(shared: Path) -> int:
    """How many processes answered the route: each writes a file of its own, which names the
    route once it counted a request of it."""
    return sum(ROUTE.encode() in path.read_bytes() for path in shared.glob("counter_*.db"))


async def test_every_process_is_counted(settings: Settings, tmp_path: Path) -> None:
    shared = tmp_path / "metrics"
    shared.mkdir()
    async with fleet(settings) as started:
        instances = [await started.serve(PROMETHEUS_MULTIPROC_DIR=str(shared)) for _ in range(2)]
        for asked, instance in enumerate(instances, start=1):
            async with httpx.AsyncClient(base_url=instance.url) as client:
                for _ in range(3 * asked):  # 3 requests to one, 6 to the other
                    assert (await client.get(ROUTE)).status_code == 401
        async with httpx.AsyncClient(base_url=instances[0].url) as client:
            text = await scrape(client)
    assert answering(shared) == 2
    assert value(text, REQUESTS, method="GET", route=ROUTE, status="401") == 9
