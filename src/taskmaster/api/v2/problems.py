"""RFC 9457 problem details: how v2 says what went wrong.

Each kind of error has a stable `type` URI, relative to the API (RFC 9457 allows a relative
reference); GET on it describes the kind. Inputs that failed are listed in `errors`, each
naming its place: a JSON pointer into the body, or a query parameter, header or path
parameter by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from taskmaster.api.responses import JSONBytes
from taskmaster.errors import FieldProblem, TaskMasterError

MEDIA_TYPE = "application/problem+json"
TYPES = "/api/v2/problems/"
INTERNAL = "internal-error"
_PLACES = {"body": "pointer", "query": "parameter", "header": "header", "path": "parameter"}


class ProblemResponse(JSONBytes):
    media_type = MEDIA_TYPE


def type_uri(kind: str) -> str:
    return TYPES + kind


def _field(problem: FieldProblem) -> dict[str, str]:
    name = "#" + problem.name if problem.location == "body" else problem.name
    return {_PLACES[problem.location]: name, "detail": problem.detail}


def problem(
    status: int,
    type_: str,
    title: str,
    detail: str,
    *,
    errors: tuple[FieldProblem, ...] = (),
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> ProblemResponse:
    body: dict[str, Any] = {
        "type": type_,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = [_field(error) for error in errors]
    if extra:
        body.update(extra)
    return ProblemResponse(body, status_code=status, headers=headers)


def of(
    error: TaskMasterError,
    headers: Mapping[str, str] | None = None,
    *,
    extra: Mapping[str, Any] | None = None,
) -> ProblemResponse:
    """The problem document for a domain error, with `extra` members of its kind."""
    return problem(
        error.status,
        type_uri(error.kind),
        error.title,
        error.message,
        errors=error.problems,
        headers=headers,
        extra=extra,
    )


def plain(status: int, detail: str, headers: Mapping[str, str] | None = None) -> ProblemResponse:
    """A problem that is just its HTTP status (RFC 9457's about:blank)."""
    return problem(status, "about:blank", HTTPStatus(status).phrase, detail, headers=headers)


def internal() -> ProblemResponse:
    return problem(500, type_uri(INTERNAL), "Internal server error", "Something failed on our side")
