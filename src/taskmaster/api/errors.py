"""Renders every failure in the wire format of the API version the request spoke."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog
from fastapi import FastAPI, Request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from starlette.exceptions import HTTPException
from starlette.responses import Response

from taskmaster.api.v1.envelope import failure
from taskmaster.db.failures import DRIVER_CONNECTION_ERRORS, DatabaseUnavailable, is_unavailable
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


async def database_trouble(request: Request, error: Exception) -> Response:
    """No connection within DB_POOL_TIMEOUT, a dead one, a server restarting: overload or an
    outage, not a bug, and the pool reconnects by itself. Any other database error is one."""
    if not is_unavailable(error):
        return await unexpected_error(request, error)
    log.warning("database unavailable", path=request.url.path, error=repr(error))
    return await domain_error(request, DatabaseUnavailable())


async def unexpected_error(request: Request, error: Exception) -> Response:
    log.exception("unhandled error", path=request.url.path, method=request.method)
    return failure("Internal server error", 500)


Handler = Callable[[Request, Exception], Awaitable[Response]]

# The most specific first: render() takes the first that matches.
HANDLERS: tuple[tuple[tuple[type[Exception], ...], Handler], ...] = (
    ((TaskMasterError,), domain_error),
    ((HTTPException,), http_error),
    ((SQLAlchemyTimeout, DBAPIError, *DRIVER_CONNECTION_ERRORS), database_trouble),
)


async def render(request: Request, error: Exception) -> Response:
    """The answer the installed handlers give to `error`, for code outside FastAPI's."""
    for kinds, handler in HANDLERS:
        if isinstance(error, kinds):
            return await handler(request, error)
    return await unexpected_error(request, error)


def install(app: FastAPI) -> None:
    for kinds, handler in HANDLERS:
        for kind in kinds:
            app.add_exception_handler(kind, handler)
    app.add_exception_handler(Exception, unexpected_error)
