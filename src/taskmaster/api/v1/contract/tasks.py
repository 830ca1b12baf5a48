"""The v1 task operations, declared for the document (the fast lane serves them)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from taskmaster.api.openapi import Bearer
from taskmaster.api.text import NO_NUL
from taskmaster.api.v1 import schemas as wire
from taskmaster.api.v1.contract.responses import Headers, answers, declared
from taskmaster.api.v1.tasks import LIMIT_MAX, OFFSET_MAX, SEARCH_MAX
from taskmaster.tasks.filters import SortKey
from taskmaster.tasks.models import Priority, Status

router = APIRouter(prefix="/tasks", tags=["tasks"])
TaskId = Annotated[uuid.UUID, Path(alias="id", description="The task's id; not a UUID: 400")]
TOTAL_COUNT: Headers = {
    "X-Total-Count": {
        "description": "How many tasks match the filters, on every page",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    }
}
TASK_NOT_FOUND = {404: "Task not found (a task of a project the caller is not in answers the same)"}
WRITE_REFUSED = TASK_NOT_FOUND | {403: "a viewer of the task's project, who may only read it"}


@router.get(
    "",
    operation_id="listTasks",
    response_model=wire.TaskListResponse,
    responses=answers(400, 401, headers=TOTAL_COUNT),
)
async def list_tasks(
    _: Bearer,
    *,
    status: Annotated[Status | None, Query()] = None,
    priority: Annotated[Priority | None, Query()] = None,
    search: Annotated[
        str | None,
        Query(
            max_length=SEARCH_MAX,
            pattern=NO_NUL,
            description="In the title or description, any case; surrounding whitespace is "
            f"ignored, and more than {SEARCH_MAX} characters answer 400",
        ),
    ] = None,
    sort: Annotated[
        str | None,
        Query(
            pattern=rf"^-?({'|'.join(SortKey)})$",
            description="One key, reversed by a leading minus. Tasks without a due date sort "
            "after those with one; title sorts in any case. Default: -createdAt",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=LIMIT_MAX)] = LIMIT_MAX,
    offset: Annotated[int, Query(ge=0, le=OFFSET_MAX, description="Tasks to skip")] = 0,
) -> Any:
    """Every task the caller can see (their Inbox and the projects they are a member of),
    newest first unless sorted otherwise, a page at a time."""
    return declared()


@router.post(
    "",
    operation_id="createTask",
    status_code=201,
    response_model=wire.CreateTaskResponse,
    responses=answers(400, 401, 413, 415, status=201),
)
async def create_task(_: Bearer, body: wire.TaskCreateRequest) -> Any:
    """Create a task in the caller's Inbox. 400 "Title is required" without a title (or with
    only spaces)."""
    return declared()


@router.get(
    "/summary",
    operation_id="getTaskSummary",
    response_model=wire.SummaryResponse,
    responses=answers(401),
)
async def summary(_: Bearer) -> Any:
    """How many tasks the caller can see, by status, and how many are overdue."""
    return declared()


@router.get(
    "/{id}",
    operation_id="getTask",
    response_model=wire.TaskResponse,
    responses=answers(400, 401, 404, why=TASK_NOT_FOUND),
)
async def read_task(_: Bearer, task_id: TaskId) -> Any:
    """One task; one of a project the caller is not in answers 404, as a missing one does."""
    return declared()


@router.put(
    "/{id}",
    operation_id="updateTask",
    response_model=wire.UpdateTaskResponse,
    responses=answers(400, 401, 403, 404, 413, 415, why=WRITE_REFUSED),
)
async def update_task(_: Bearer, task_id: TaskId, body: wire.TaskUpdateRequest) -> Any:
    """Change the members given; the others keep their value."""
    return declared()


@router.delete(
    "/{id}",
    operation_id="deleteTask",
    response_model=wire.DeleteTaskResponse,
    responses=answers(400, 401, 403, 404, why=WRITE_REFUSED),
)
async def delete_task(_: Bearer, task_id: TaskId) -> Any:
    """Delete a task."""
    return declared()
