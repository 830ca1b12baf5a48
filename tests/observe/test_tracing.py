"""With OTEL_EXPORTER_OTLP_ENDPOINT set, a served instance sends each request's trace over
OTLP/HTTP: its server span and, inside it, the spans of its SQL statements and Redis
commands. Here a real HTTP server takes the place of the collector."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from aiohttp import web
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span
from starlette.types import Receive, Scope, Send

from taskmaster.config import Settings
from taskmaster.observe.tracing import Tracing
from tests.conftest import register
from tests.db.servers import free_port
from tests.instances import fleet
from tests.waiting import eventually

BACKENDS = ("postgres",)


class Collector:
    """An OTLP/HTTP receiver that keeps every span it is sent."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self.services: set[str] = set()

    async def traces(self, request: web.Request) -> web.Response:
        export = ExportTraceServiceRequest.FromString(await request.read())
        for resource_spans in export.resource_spans:
            for attribute in resource_spans.resource.attributes:
                if attribute.key == "service.name":
                    self.services.add(attribute.value.string_value)
            for scope_spans in resource_spans.scope_spans:
                self.spans.extend(scope_spans.spans)
        # An empty ExportTraceServiceResponse: everything taken.
        return web.Response(body=b"", content_type="application/x-protobuf")

    def named(self, prefix: str) -> list[Span]:
        return [span for span in self.spans if span.name.startswith(prefix)]


@asynccontextmanager
async def collector() -> AsyncIterator[tuple[Collector, str]]:
    receiver = Collector()
    app = web.Application()
    app.router.add_post("/v1/traces", receiver.traces)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield receiver, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def attributes(span: Span) -> dict[str, str]:
    return {item.key: item.value.string_value for item in span.attributes}


async def test_a_requests_trace_holds_its_statements_and_commands(settings: Settings) -> None:
    async with collector() as (received, endpoint), fleet(settings) as started:
        instance = await started.serve(
            OTEL_EXPORTER_OTLP_ENDPOINT=endpoint,
            OTEL_SERVICE_NAME="taskmaster-test",
            OTEL_BSP_SCHEDULE_DELAY="100",  # milliseconds between exports
        )
        async with httpx.AsyncClient(base_url=instance.url) as api:
            alice = await register(api, "traced.alice@example.com")
            assert (await api.get("/api/v2/projects", headers=alice.auth)).status_code == 200

        def server_span() -> Span | None:
            found = [
                span
                for span in received.named("GET /api/v2/projects")
                if span.kind == Span.SPAN_KIND_SERVER
            ]
            return found[0] if found else None

        await eventually(lambda: server_span() is not None, what="the request's server span")
        request = server_span()
        assert request is not None

        def inside(span: Span) -> bool:
            return span.trace_id == request.trace_id and span.span_id != request.span_id

        await eventually(
            lambda: any(inside(s) and attributes(s).get("db.system") for s in received.spans),
            what="a statement's span in the request's trace",
        )
    assert received.services == {"taskmaster-test"}
    kinds = {attributes(span).get("db.system") for span in received.spans if inside(span)}
    assert "postgresql" in kinds
    assert "redis" in {attributes(span).get("db.system") for span in received.spans}


async def untraced(scope: Scope, receive: Receive, send: Send) -> None:
    """An app that must come back unwrapped."""


def test_without_an_endpoint_nothing_is_traced(settings: Settings) -> None:
    tracing = Tracing(settings)
    assert not tracing.enabled
    assert tracing.wrap(untraced) is untraced
