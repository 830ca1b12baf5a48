"""/metrics: Prometheus' text format, for allowed addresses only, counting requests by route
and status and what the pools, the cache, the relay, the limits and the hub report."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from taskmaster.app import create_app
from taskmaster.config import Settings
from taskmaster.ratelimit import Rate
from taskmaster.runtime import Runtime
from tests.conftest import lifespan, register
from tests.waiting import eventually


def value(exposition: str, name: str, **labels: str) -> float:
    """The sample `name` with these labels (0 when there is none yet)."""
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


async def scrape(client: httpx.AsyncClient) -> str:
    answer = await client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    return answer.text


REQUESTS = "taskmaster_http_requests_total"
LIMITED = "taskmaster_rate_limited_total"


async def test_requests_are_counted_by_route_and_status(client: httpx.AsyncClient) -> None:
    before = await scrape(client)
    for _ in range(3):
        assert (await client.get("/api/v2/tasks")).status_code == 401
    after = await scrape(client)
    labels = {"method": "GET", "route": "/api/v2/tasks", "status": "401"}
    assert value(after, REQUESTS, **labels) - value(before, REQUESTS, **labels) == 3
    latency = "taskmaster_http_request_duration_seconds_count"
    route = {"method": "GET", "route": "/api/v2/tasks"}
    assert value(after, latency, **route) - value(before, latency, **route) == 3


async def test_the_parts_report_their_counts(client: httpx.AsyncClient, runtime: Runtime) -> None:
    alice = await register(client, "metrics.alice@example.com")
    await client.get("/api/v2/tasks", headers=alice.auth)
    await eventually(lambda: runtime.relay.published > 0, what="the registration's events sent")
    text = await scrape(client)
    assert value(text, "taskmaster_db_pool_in_use", pool="primary") >= 0
    assert value(text, "taskmaster_db_pool_waiting", pool="primary") == 0
    assert "taskmaster_db_pool_timeouts_total" in text
    assert value(text, "taskmaster_read_cache_total", outcome="misses") >= 1
    assert value(text, "taskmaster_outbox_published_total") >= 1, "the registration's events"
    assert value(text, "taskmaster_outbox_oldest_unsent_seconds") >= 0
    assert value(text, "taskmaster_realtime_clients") == 0


async def test_refusals_of_a_limit_are_counted(settings: Settings) -> None:
    strict = settings.model_copy(update={"rate_register_ip": Rate(1, 3600)})
    runtime = Runtime.build(strict)
    try:
        async with lifespan(create_app(runtime=runtime)) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
                before = value(await scrape(client), LIMITED, limit="register")
                await register(client, "first@example.com")
                second = await client.post(
                    "/api/v2/auth/register",
                    json={
                        "email": "second@example.com",
                        "password": "correct horse 1",
                        "name": "S",
                    },
                )
                assert second.status_code == 429
                after = value(await scrape(client), LIMITED, limit="register")
    finally:
        await runtime.close()
    assert after - before == 1


async def test_other_addresses_find_nothing(client: httpx.AsyncClient) -> None:
    # The client fixture sits behind a proxy on 127.0.0.1 that names the caller.
    answer = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert answer.status_code == 404
