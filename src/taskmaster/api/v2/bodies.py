"""Reading a v2 request body into its model, with every failure located for the client."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from taskmaster.errors import FieldProblem, Invalid, UnsupportedMediaType

M = TypeVar("M", bound=BaseModel)
JSON = "application/json"
MERGE_PATCH = "application/merge-patch+json"

# Failures of the body as a whole, in words a client's developer recognises.
_WHOLE_BODY = {
    "json_invalid": "Malformed JSON in request body",
    "model_type": "Request body must be a JSON object",
    "model_attributes_type": "Request body must be a JSON object",
}


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()


def _problem(error: Any) -> FieldProblem:
    pointer = "".join(f"/{part}" for part in error["loc"])
    detail = _WHOLE_BODY.get(error["type"]) if not pointer else None
    if error["type"] == "extra_forbidden":
        detail = "is not a member of this body"
    elif error["type"] == "value_error":  # our own checks: their words, without a prefix
        detail = str(error["ctx"]["error"])
    return FieldProblem("body", pointer, detail or error["msg"])


async def read(request: Request, model: type[M], *, media: str = JSON) -> M:
    """The body as `model`; it must be of media type `media`."""
    if media_type(request) != media:
        raise UnsupportedMediaType.at("header", "Content-Type", f"Content-Type must be {media}")
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as error:
        found = [_problem(item) for item in error.errors(include_url=False)]
        if len(found) == 1 and not found[0].name:
            raise Invalid(found[0].detail, problems=found) from None
        summary = "; ".join(f"{problem.name[1:]}: {problem.detail}" for problem in found)
        raise Invalid(f"Invalid request body: {summary}", problems=found) from None
