"""Endpoints outside the versions: health and the public signing keys."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import Response

from taskmaster.api.deps import RuntimeDep, client_address
from taskmaster.api.responses import JSONBytes
from taskmaster.api.v1.serialize import timestamp
from taskmaster.observe.metrics import CONTENT_TYPE, allowed, exposition

router = APIRouter(tags=["meta"])


@router.get("/health")
async def health(runtime: RuntimeDep) -> Response:
    return JSONBytes(
        {"success": True, "message": "Server is running", "timestamp": timestamp(runtime.clock())}
    )


@router.get("/ready")
async def ready(runtime: RuntimeDep) -> Response:
    """Whether to send this instance traffic: the database answers at the schema's head,
    Redis answers (when configured), and the instance is not draining; 503 otherwise."""
    verdict = await runtime.readiness.verdict()
    return JSONBytes(
        {"success": verdict.ready, "data": verdict.checks},
        status_code=200 if verdict.ready else 503,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, runtime: RuntimeDep) -> Response:
    """Prometheus metrics of every worker (taskmaster.observe.metrics), for the addresses
    METRICS_ALLOW names; others find nothing here."""
    settings = runtime.settings
    if not allowed(client_address(request, settings.trusted_proxy_hops), settings.metrics_allow):
        raise HTTPException(404)
    await runtime.sampler.sample(scraped=True)  # this worker's counts as of now
    return Response(exposition(), media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})


@router.get("/health/database")
async def database_health(runtime: RuntimeDep) -> Response:
    """Each pool's use and each replica's health, as this process sees them (no query)."""
    return JSONBytes({"success": True, "data": runtime.db.stats()})


@router.get("/health/cache")
async def cache_health(runtime: RuntimeDep) -> Response:
    """The read cache's counts in this process (hits, misses, errors, fallbacks, stampedes
    avoided) and its circuit breaker; `data` is null when READ_CACHE=false."""
    reads = runtime.reads
    return JSONBytes({"success": True, "data": None if reads is None else reads.stats()})


@router.get("/.well-known/jwks.json")
async def jwks(runtime: RuntimeDep) -> Response:
    return JSONBytes(runtime.keys.jwks(), headers={"Cache-Control": "public, max-age=300"})
