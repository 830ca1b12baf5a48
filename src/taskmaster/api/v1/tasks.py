"""v1 tasks: the MVP's CRUD plus priority, due dates, sorting and pages."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import QueryParams
from starlette.responses import Response

from taskmaster.api.body import json_object
from taskmaster.api.deps import CallerDep, Tasks
from taskmaster.api.v1 import serialize
from taskmaster.api.v1.envelope import ok
from taskmaster.api.v1.fields import checked_text, choice, moment, text
from taskmaster.errors import Invalid
from taskmaster.ids import parse_uuid
from taskmaster.tasks.filters import SortKey, TaskFilter
from taskmaster.tasks.models import Priority, Status
from taskmaster.tasks.service import UNSET, TaskChanges, TaskDraft

router = APIRouter(prefix="/tasks", tags=["tasks"])
Body = Annotated[dict[str, Any], Depends(json_object)]

LIMIT_MAX = 1000
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
        sort=key,
        descending=sort.startswith("-"),
        limit=_bounded_int(params, "limit", LIMIT_MAX, 1, LIMIT_MAX),
        offset=_bounded_int(params, "offset", 0, 0, 10_000_000),
    )


def _task_id(raw: str) -> uuid.UUID:
    task_id = parse_uuid(raw)
    if task_id is None:
        raise Invalid("Invalid task id")
    return task_id


def _title(body: dict[str, Any]) -> str:
    title = text(body, "title", "Title")
    if title is None or not title.strip():
        raise Invalid("Title is required")
    return title


@router.get("")
async def list_tasks(request: Request, claims: CallerDep, tasks: Tasks) -> Response:
    page = await tasks.list(claims.user_id, _task_filter(request.query_params))
    return ok(
        [serialize.task(row) for row in page.rows],
        headers={"X-Total-Count": str(page.total)},
    )


@router.get("/summary")
async def summary(claims: CallerDep, tasks: Tasks) -> Response:
    counts = await tasks.summary(claims.user_id)
    return ok(
        {
            "total": counts.total,
            "pending": counts.pending,
            "inProgress": counts.in_progress,
            "completed": counts.completed,
            "overdue": counts.overdue,
        }
    )


@router.post("")
async def create_task(body: Body, claims: CallerDep, tasks: Tasks) -> Response:
    draft = TaskDraft(
        title=_title(body),
        description=text(body, "description", "Description") or "",
        status=choice(body.get("status", Status.PENDING.value), Status, "status"),
        priority=choice(body.get("priority", Priority.MEDIUM.value), Priority, "priority"),
        due_date=moment(body.get("dueDate"), "Due date"),
    )
    task = await tasks.create(claims.user_id, draft)
    return ok(serialize.task(task), message="Task created successfully", status=201)


@router.get("/{task_id}")
async def read_task(task_id: str, claims: CallerDep, tasks: Tasks) -> Response:
    return ok(serialize.task(await tasks.get(claims.user_id, _task_id(task_id))))


@router.put("/{task_id}")
async def update_task(task_id: str, body: Body, claims: CallerDep, tasks: Tasks) -> Response:
    changes = TaskChanges(
        title=_title(body) if "title" in body else UNSET,
        description=(text(body, "description", "Description") or "")
        if "description" in body
        else UNSET,
        status=choice(body["status"], Status, "status") if "status" in body else UNSET,
        priority=choice(body["priority"], Priority, "priority") if "priority" in body else UNSET,
        due_date=moment(body["dueDate"], "Due date") if "dueDate" in body else UNSET,
    )
    task = await tasks.update(claims.user_id, _task_id(task_id), changes)
    return ok(serialize.task(task), message="Task updated successfully")


@router.delete("/{task_id}")
async def delete_task(task_id: str, claims: CallerDep, tasks: Tasks) -> Response:
    await tasks.delete(claims.user_id, _task_id(task_id))
    return ok(message="Task deleted successfully")
