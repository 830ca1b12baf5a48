"""Renders every failure in the wire format of the API version the request spoke."""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.responses import Response

from taskmaster.api.v1.envelope import failure
from taskmaster.errors import TaskMasterError

log = structlog.get_logger(__name__)


async def domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, TaskMasterError)
    retry_after = getattr(error, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return failure(error.message, error.status, headers)


async def http_error(request: Request, error: Exception) -> Response:
    """Unknown routes, and known paths with an unknown method, answer as the MVP did."""
    assert isinstance(error, HTTPException)
    if error.status_code in (404, 405):
        return failure(f"Route {request.url.path} not found", 404)
    return failure(str(error.detail), error.status_code)


async def pool_exhausted(request: Request, error: Exception) -> Response:
    """Every database connection stayed busy for DB_POOL_TIMEOUT: overload, not a bug."""
    log.warning("database pool exhausted", path=request.url.path)
    return failure("Server busy. Please try again.", 503, {"Retry-After": "1"})


async def unexpected_error(request: Request, error: Exception) -> Response:
    log.exception("unhandled error", path=request.url.path, method=request.method)
    return failure("Internal server error", 500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(TaskMasterError, domain_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(PoolTimeout, pool_exhausted)
    app.add_exception_handler(Exception, unexpected_error)
