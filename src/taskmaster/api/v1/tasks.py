"""v1 tasks: the MVP's CRUD plus priority, due dates, sorting and pages.

The hottest routes of the API, so they are served by the fast lane (taskmaster.api.lane):
plain endpoints that ask for the caller and the body themselves.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from taskmaster.api.body import json_object
from taskmaster.api.cached import cached
from taskmaster.api.deps import caller, runtime_of
from taskmaster.api.lane import Endpoint, LaneRoute
from taskmaster.api.v1 import serialize
from taskmaster.api.v1.envelope import ok
from taskmaster.api.v1.fields import checked_text, choice, moment, text
from taskmaster.errors import Invalid
from taskmaster.ids import parse_uuid
from taskmaster.tasks.filters import Ordering, SortKey, TaskFilter
from taskmaster.tasks.models import Priority, Status
from taskmaster.tasks.service import UNSET, TaskChanges, TaskDraft, TaskService

LIMIT_MAX = 1000
OFFSET_MAX = 10_000_000
SEARCH_MAX = 200


def _bounded_int(params: QueryParams, key: str, default: int, low: int, high: int) -> int:
    raw = params.get(key)
    if raw is None or raw == "":
        return default
    digits = raw.isascii() and raw.isdigit() and len(raw) <= len(str(high))
    if not digits or not low <= int(raw) <= high:
        raise Invalid(f"{key} must be an integer from {low} to {high}")
    return int(raw)


def _task_filter(params: QueryParams) -> TaskFilter:
    status = params.get("status") or None
    priority = params.get("priority") or None
    search = checked_text(params.get("search", "").strip(), "Search")
    if len(search) > SEARCH_MAX:
        raise Invalid(f"Search must be at most {SEARCH_MAX} characters long")
    sort = params.get("sort") or "-createdAt"
    try:
        key = SortKey(sort.removeprefix("-"))
    except ValueError as error:
        names = ", ".join(SortKey)
        raise Invalid(f"Invalid sort. Must be one of: {names} (prefix - to reverse)") from error
    return TaskFilter(
        status=None if status is None else choice(status, Status, "status"),
        priority=None if priority is None else choice(priority, Priority, "priority"),
        search=search or None,
        order=(Ordering(key, descending=sort.startswith("-")),),
        limit=_bounded_int(params, "limit", LIMIT_MAX, 1, LIMIT_MAX),
        offset=_bounded_int(params, "offset", 0, 0, OFFSET_MAX),
    )


def _task_id(request: Request) -> uuid.UUID:
    task_id = parse_uuid(request.path_params["task_id"])
    if task_id is None:
        raise Invalid("Invalid task id")
    return task_id


def _tasks(request: Request) -> TaskService:
    """The process's task service: a plain lookup, not a dependency FastAPI must resolve."""
    return runtime_of(request).tasks


def _title(body: dict[str, Any]) -> str:
    title = text(body, "title", "Title")
    if title is None or not title.strip():
        raise Invalid("Title is required")
    return title


async def list_tasks(request: Request) -> Response:
    claims = await caller(request)

    async def page() -> Response:
        found = await _tasks(request).list(claims.user_id, _task_filter(request.query_params))
        return ok(
            [serialize.task(row) for row in found.rows],
            headers={"X-Total-Count": str(found.total)},
        )

    return await cached(request, claims.user_id, page)


async def summary(request: Request) -> Response:
    claims = await caller(request)

    async def counts() -> Response:
        return ok(serialize.summary(await _tasks(request).summary(claims.user_id)))

    return await cached(request, claims.user_id, counts)


async def create_task(request: Request) -> Response:
    claims = await caller(request)
    body = await json_object(request)
    draft = TaskDraft(
        title=_title(body),
        description=text(body, "description", "Description") or "",
        status=choice(body.get("status", Status.PENDING.value), Status, "status"),
        priority=choice(body.get("priority", Priority.MEDIUM.value), Priority, "priority"),
        due_date=moment(body.get("dueDate"), "Due date"),
    )
    task = await _tasks(request).create(claims.user_id, draft)
    return ok(serialize.task(task), message="Task created successfully", status=201)


async def read_task(request: Request) -> Response:
    claims = await caller(request)
    task_id = _task_id(request)

    async def one() -> Response:
        return ok(serialize.task(await _tasks(request).get(claims.user_id, task_id)))

    return await cached(request, claims.user_id, one)


async def update_task(request: Request) -> Response:
    claims = await caller(request)
    body = await json_object(request)
    changes = TaskChanges(
        title=_title(body) if "title" in body else UNSET,
        description=(text(body, "description", "Description") or "")
        if "description" in body
        else UNSET,
        status=choice(body["status"], Status, "status") if "status" in body else UNSET,
        priority=choice(body["priority"], Priority, "priority") if "priority" in body else UNSET,
        due_date=moment(body["dueDate"], "Due date") if "dueDate" in body else UNSET,
    )
    task = await _tasks(request).update(claims.user_id, _task_id(request), changes)
    return ok(serialize.task(task), message="Task updated successfully")


async def delete_task(request: Request) -> Response:
    claims = await caller(request)
    await _tasks(request).delete(claims.user_id, _task_id(request))
    return ok(message="Task deleted successfully")


ENDPOINTS: tuple[tuple[str, str, Endpoint], ...] = (
    ("GET", "", list_tasks),
    ("POST", "", create_task),
    ("GET", "/summary", summary),
    ("GET", "/{task_id}", read_task),
    ("PUT", "/{task_id}", update_task),
    ("DELETE", "/{task_id}", delete_task),
)


def routes(prefix: str) -> list[LaneRoute]:
    """The task routes under `prefix` (/api/v1 or /api)."""
    return [
        LaneRoute(method, f"{prefix}/tasks{path}", endpoint) for method, path, endpoint in ENDPOINTS
    ]
