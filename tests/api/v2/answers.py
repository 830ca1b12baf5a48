"""Reading v2 answers in tests: problem documents, the inputs they point at, bodies as modelled."""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import BaseModel

PROBLEM = "application/problem+json"


def problem_of(response: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    """The problem document of `response`, checked for its status and type."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert (body["type"], body["status"]) == (f"/api/v2/problems/{kind}", status)
    assert body["title"]
    assert body["detail"]
    return body


def pointers(response: httpx.Response) -> list[str]:
    """Where the inputs a 400 names are, in the body."""
    return [error["pointer"] for error in problem_of(response, 400, "invalid-request")["errors"]]


def conforms(model: type[BaseModel], body: Any) -> None:
    """`body` is what `model` documents: every member of the right type, and no other."""
    parsed = model.model_validate(body, strict=True)
    assert parsed.model_dump(by_alias=True, exclude_unset=True) == body
