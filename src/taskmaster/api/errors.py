"""Renders every failure in the wire format of the API version the request spoke."""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException
from starlette.responses import Response

from taskmaster.api.v1.envelope import failure
from taskmaster.errors import RateLimited, TaskMasterError

log = structlog.get_logger(__name__)


async def domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, TaskMasterError)
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else None
    return failure(error.message, error.status, headers)


async def http_error(request: Request, error: Exception) -> Response:
    """Unknown routes, and known paths with an unknown method, answer as the MVP did."""
    assert isinstance(error, HTTPException)
    if error.status_code in (404, 405):
        return failure(f"Route {request.url.path} not found", 404)
    return failure(str(error.detail), error.status_code)


async def unexpected_error(request: Request, error: Exception) -> Response:
    log.exception("unhandled error", path=request.url.path, method=request.method)
    return failure("Internal server error", 500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(TaskMasterError, domain_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
