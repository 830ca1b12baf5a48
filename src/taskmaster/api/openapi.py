"""The OpenAPI 3.1 document of each API version, and its interactive docs.

Each version's document comes from FastAPI's generator over that version's routes: the
FastAPI routes it serves, and the declarations of the operations the fast lane serves (a
`contract` module per version). The schema tests (schemathesis) hold the served bytes to the
document, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from fastapi.security import HTTPBearer
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute

from taskmaster import __version__
from taskmaster.api.v2.problems import MEDIA_TYPE as PROBLEM_MEDIA_TYPE
from taskmaster.api.v2.schemas import Problem

BEARER = "bearer"
SIGNED_IN: dict[str, Any] = {"security": [{BEARER: []}]}
# A declaration's parameter for the access token the operation needs (the contract modules).
Bearer = Annotated[
    Any,
    Depends(HTTPBearer(scheme_name=BEARER, description="An access token from sign-in")),
]
# The schema of a response header whose value is text.
STRING: dict[str, Any] = {"schema": {"type": "string"}}
_REF = "#/components/schemas/{model}"
_FRAMEWORK_SCHEMAS = ("HTTPValidationError", "ValidationError")


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entries of a v2 operation that may fail with these statuses."""
    return {
        status: {
            "description": f"{HTTPStatus(status).phrase}: a problem document",
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": _REF.format(model="Problem")}}},
        }
        for status in statuses
    }


def _finished(document: dict[str, Any]) -> dict[str, Any]:
    """FastAPI's document, told the truth: requests it cannot read get the version's own
    400, never FastAPI's 422; problem documents have their schema; bearer tokens sign in."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _FRAMEWORK_SCHEMAS:
        schemas.pop(name, None)
    if _REF.format(model="Problem") in orjson.dumps(document).decode():
        problem = Problem.model_json_schema(ref_template=_REF)
        schemas.update(problem.pop("$defs", {}))
        schemas["Problem"] = problem
    document["components"]["securitySchemes"] = {
        BEARER: {"type": "http", "scheme": "bearer", "bearerFormat": "JWT (EdDSA)"}
    }
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if responses.get("422", {}).get("description") == "Validation Error":
                del responses["422"]
            for parameter in operation.get("parameters", []):
                parameter["schema"] = _never_null(parameter["schema"])
    return document


def _never_null(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional parameter is absent or a value, never null (as `X | None` reads)."""
    kinds = schema.get("anyOf")
    if not kinds:
        return schema
    values = [kind for kind in kinds if kind != {"type": "null"}]
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    return {**rest, **values[0]} if len(values) == 1 else {**rest, "anyOf": values}


Documented = BaseRoute | RouteContext


def document(title: str, version: str, routes: Sequence[Documented]) -> dict[str, Any]:
    return _finished(
        get_openapi(title=title, version=__version__, summary=version, routes=list(routes))
    )


def under(app: FastAPI, prefix: str) -> list[RouteContext]:
    """The app's documented routes under `prefix` (included routers' routes, as mounted)."""
    return [
        context
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
        and context.original_route.include_in_schema
        and (context.path or "").startswith(prefix)
    ]


def docs_router(prefix: str, title: str, routes: Callable[[], Iterable[Documented]]) -> APIRouter:
    """`prefix`/openapi.json and `prefix`/docs; the document is built on first request."""
    router = APIRouter(prefix=prefix, include_in_schema=False)
    built: list[bytes] = []

    @router.get("/openapi.json")
    async def openapi_document() -> Response:
        if not built:
            built.append(orjson.dumps(document(title, prefix, list(routes()))))
        return Response(built[0], media_type="application/json")

    @router.get("/docs")
    async def interactive_docs(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=f"{prefix}/openapi.json", title=f"{title} docs")

    return router
