"""Renders every failure in the wire format of the API version the request spoke:
the MVP envelope for v1 (and everything outside /api/v2), problem details for v2."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from taskmaster.api.v1.envelope import failure
from taskmaster.api.v2 import problems
from taskmaster.api.versions import ORIGINAL_PATH
from taskmaster.db.failures import DRIVER_CONNECTION_ERRORS, DatabaseUnavailable, is_unavailable
from taskmaster.errors import (
    FieldProblem,
    Invalid,
    Location,
    MethodNotAllowed,
    NotFound,
    RetryLater,
    TaskMasterError,
)

log = structlog.get_logger(__name__)
V2_PREFIX = "/api/v2"
PARAMETER_LOCATIONS: tuple[Location, ...] = ("query", "header", "path")


def speaks_v2(request: Request) -> bool:
    path: str = request.scope["path"]
    return path.startswith(V2_PREFIX) and path[len(V2_PREFIX) : len(V2_PREFIX) + 1] in ("", "/")


def _rendered(
    request: Request, error: TaskMasterError, headers: Mapping[str, str] | None = None
) -> Response:
    if speaks_v2(request):
        return problems.of(error, headers)
    return failure(error.message, error.status, headers)


async def domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, TaskMasterError)
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RetryLater) else None
    return _rendered(request, error, headers)


async def http_error(request: Request, error: Exception) -> Response:
    """Unknown routes, and known paths with an unknown method: v1 answers both as the MVP
    did (404), v2 tells them apart (404, 405 with Allow)."""
    assert isinstance(error, HTTPException)
    # A path the API-Version header chose was rewritten: name the one the client asked for.
    path: str = request.scope.get(ORIGINAL_PATH) or request.url.path
    if not speaks_v2(request):
        if error.status_code in (404, 405):
            return failure(f"Route {path} not found", 404)
        return failure(str(error.detail), error.status_code)
    if error.status_code == 404:
        return problems.of(NotFound(f"No resource at {path}"))
    if error.status_code == 405:
        allowed = MethodNotAllowed(f"{request.method} is not allowed on {path}")
        return problems.of(allowed, error.headers)
    return problems.plain(error.status_code, str(error.detail), error.headers)


def _field_problem(error: Mapping[str, Any]) -> FieldProblem:
    """One of pydantic's errors, located: `loc` starts with where the input came from."""
    where, *path = tuple(error.get("loc") or ("body",))
    detail = str(error.get("msg", "is invalid"))
    for location in PARAMETER_LOCATIONS:
        if where == location:
            return FieldProblem(location, str(path[0]) if path else "", detail)
    return FieldProblem("body", "".join(f"/{part}" for part in path), detail)


async def validation_error(request: Request, error: Exception) -> Response:
    """A request FastAPI could not read into its parameters or body model."""
    assert isinstance(error, RequestValidationError)
    found = [_field_problem(item) for item in error.errors()]
    summary = "; ".join(f"{problem.name or 'body'}: {problem.detail}" for problem in found)
    return _rendered(request, Invalid(f"Invalid request: {summary}", problems=found))


async def database_trouble(request: Request, error: Exception) -> Response:
    """No connection within DB_POOL_TIMEOUT, a dead one, a server restarting: overload or an
    outage, not a bug, and the pool reconnects by itself. Any other database error is one."""
    if not is_unavailable(error):
        return await unexpected_error(request, error)
    log.warning("database unavailable", path=request.url.path, error=repr(error))
    return await domain_error(request, DatabaseUnavailable())


async def client_gone(request: Request, error: Exception) -> Response:
    """The client left before sending its whole body: nobody reads this answer, and it is
    no fault of ours (nothing to log)."""
    return Response(status_code=400)


async def unexpected_error(request: Request, error: Exception) -> Response:
    log.exception("unhandled error", path=request.url.path, method=request.method)
    if speaks_v2(request):
        return problems.internal()
    return failure("Internal server error", 500)


Handler = Callable[[Request, Exception], Awaitable[Response]]

# The most specific first: render() takes the first that matches.
HANDLERS: tuple[tuple[tuple[type[Exception], ...], Handler], ...] = (
    ((TaskMasterError,), domain_error),
    ((RequestValidationError,), validation_error),
    ((HTTPException,), http_error),
    ((ClientDisconnect,), client_gone),
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
