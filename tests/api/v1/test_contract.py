"""v1's document, made from its contract (taskmaster.api.v1.contract), held to what v1 serves
and to what it answered: every route served is declared and nothing else, operation ids are
unique, and every frozen answer (snapshots/) is one its operation documents: status, media
type, the headers the snapshots keep, and a body valid against the documented schema."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import orjson
import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute, iter_route_contexts

from taskmaster.api import openapi
from taskmaster.api.v1 import contract
from taskmaster.api.v1 import tasks as v1_tasks
from taskmaster.api.versions import V1
from taskmaster.app import create_app
from taskmaster.runtime import Runtime
from tests.api.v1.test_snapshots import (
    PLACEHOLDER,
    SHOWN_HEADERS,
    Exchange,
    committed_exchanges,
)

BACKENDS = ("sqlite",)  # the routes an app serves are the same on every backend
DOCS = {f"{V1}/openapi.json", f"{V1}/docs"}  # the document itself, and its viewer
JSON = "application/json"
UNDOCUMENTED_HEADERS = {"content-type", "vary"}  # the media type; Vary on /api/... only
FAILURE = {"$ref": "#/components/schemas/Failure"}
CAMEL_CASE = re.compile(r"^[a-z]+(?:[A-Z][a-z]+)*$")
Document = dict[str, Any]


@pytest.fixture(scope="module")
def document() -> Document:
    """v1's document, as the app serves it: the contract's routes under /api/v1."""
    routes = APIRouter(prefix=V1)
    routes.include_router(contract.router)
    return openapi.document("TaskMaster API v1", V1, routes.routes)


def _template(path: str) -> str:
    """A path with its parameters unnamed: /tasks/{task_id} and /tasks/{id} are one route."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def operations(document: Document) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, items in document["paths"].items():
        for method, operation in items.items():
            yield method.upper(), path, operation


def test_the_document_declares_exactly_the_routes_v1_serves(
    document: Document, runtime: Runtime
) -> None:
    lane = {(method, _template(f"{V1}/tasks{path}")) for method, path, _ in v1_tasks.ENDPOINTS}
    # Each route as served, wherever its router was included (FastAPI includes them lazily).
    served = iter_route_contexts(create_app(runtime=runtime).routes)
    framework = {
        (method, _template(route.path or ""))
        for route in served
        if isinstance(route.original_route, APIRoute)
        and (f"{route.path}/").startswith(f"{V1}/")
        and route.path not in DOCS
        for method in route.methods or ()
    }
    documented = {(method, _template(path)) for method, path, _ in operations(document)}
    assert framework, "the app serves v1 routes through FastAPI too"
    assert documented == lane | framework


def test_operation_ids_are_unique_camel_case(document: Document) -> None:
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids))
    assert [name for name in ids if not CAMEL_CASE.match(name)] == []


def test_every_operation_says_what_it_does(document: Document) -> None:
    assert [
        operation["operationId"]
        for _, _, operation in operations(document)
        if not operation.get("description")
    ] == []


def _find(document: Document, exchange: Exchange) -> tuple[str, dict[str, Any]] | None:
    """The documented operation answering `exchange`, with its path; None for none."""
    path = exchange.path
    if not path.startswith(V1 + "/"):  # the MVP's unversioned /api/... is v1 without a header
        path = V1 + path.removeprefix("/api")
    # Literal paths first: /tasks/summary is not the task {id} "summary".
    for template in sorted(document["paths"], key=lambda template: template.count("{")):
        pattern = re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
        if re.fullmatch(re.sub(r"\{[^}]*\}", "[^/]+", pattern), path):
            operation = document["paths"][template].get(exchange.method.lower())
            if operation is not None:
                return template, operation
    return None


def _real(body: str) -> Any:
    """The body as the server sent it, give or take the values placeholders stand for."""

    def value(match: re.Match[str]) -> str:
        kind, number = match.group(1), int(match.group(2))
        return f"00000000-0000-7000-8000-{number:012d}" if kind == "id" else f"{kind}-{number}"

    return orjson.loads(PLACEHOLDER.sub(value, body))


def _schema_errors(document: Document, schema: dict[str, Any], body: str) -> list[str]:
    validator = jsonschema_rs.validator_for(
        {**schema, "components": document["components"]}, validate_formats=True
    )
    return [
        f"{error.instance_path}: {error.message}" for error in validator.iter_errors(_real(body))
    ]


def _problems(document: Document, exchange: Exchange) -> list[str]:
    """How `exchange` differs from what the document says of it; none when it does not."""
    found = _find(document, exchange)
    headers = {name for name, _ in exchange.headers}
    if ("content-type", JSON) not in exchange.headers:
        return [f"answered {exchange.headers}, not {JSON}"]
    if found is None:  # an unknown route: 404 in the failure envelope
        wrong = [] if exchange.status == 404 else [f"{exchange.status} for an unknown route"]
        return wrong + _schema_errors(document, FAILURE, exchange.body)
    _, operation = found
    answer = operation["responses"].get(str(exchange.status))
    if answer is None:
        return [f"{operation['operationId']} does not document {exchange.status}"]
    documented = {name.lower(): header for name, header in answer.get("headers", {}).items()}
    missing = [
        name
        for name, header in documented.items()
        if header.get("required") and name in SHOWN_HEADERS and name not in headers
    ]
    unknown = sorted(headers - UNDOCUMENTED_HEADERS - documented.keys())
    return [
        *(f"no {name} header" for name in missing),
        *(f"an undocumented {name} header" for name in unknown),
        *_schema_errors(document, answer["content"][JSON]["schema"], exchange.body),
    ]


def test_every_frozen_answer_is_as_documented(document: Document) -> None:
    frozen = committed_exchanges()
    assert frozen, "the snapshots are committed"
    problems = [
        f"{scenario}: {exchange.label} ({exchange.method} {exchange.target}): {problem}"
        for scenario, exchanges in frozen.items()
        for exchange in exchanges
        for problem in _problems(document, exchange)
    ]
    assert problems == [], "\n".join(problems)


def test_every_operation_has_a_frozen_success(document: Document) -> None:
    """The snapshots freeze each operation's success, so each one's schema is checked."""
    succeeded = set()
    for exchanges in committed_exchanges().values():
        for exchange in exchanges:
            found = _find(document, exchange)
            if found is not None and exchange.status < 300:
                succeeded.add(found[1]["operationId"])
    every = {operation["operationId"] for _, _, operation in operations(document)}
    assert every - succeeded == set()
