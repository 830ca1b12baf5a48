"""The v2 task operations as OpenAPI knows them: declarations, not handlers.

The fast lane serves these operations (taskmaster.api.v2.tasks); FastAPI reads their
parameters, bodies, answers and headers from the signatures below to write the document.
The schema tests send requests made from the document to the real server and hold each
answer to it, so a declaration that drifts from the handler fails a test.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query
from pydantic import AwareDatetime
from starlette.responses import Response

from taskmaster.api.openapi import STRING, Bearer, problem_responses
from taskmaster.api.text import NO_NUL
from taskmaster.api.v2 import bodies, conditions, idempotency
from taskmaster.api.v2.schemas import (
    ChangePage,
    Summary,
    Task,
    TaskCreate,
    TaskPage,
    TaskPatch,
    TaskReplace,
)
from taskmaster.api.v2.tasks import LIMIT_DEFAULT, LIMIT_MAX, SEARCH_MAX
from taskmaster.tasks.filters import SortKey
from taskmaster.tasks.models import Priority, Status

router = APIRouter(prefix="/tasks", tags=["tasks"])
SORT_KEYS = "|".join(SortKey)
TaskId = Annotated[uuid.UUID, Path(alias="taskId", description="The task's id")]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        pattern=conditions.IF_MATCH_PATTERN,
        description='The ETag the change is based on ("12"), several, or *; a task at another '
        "revision answers 412. Required when the deployment sets REQUIRE_IF_MATCH (else 428).",
    ),
]
ETAG = {"ETag": {"description": "The task's revision, quoted", **STRING}}
ProjectFilter = Annotated[
    uuid.UUID | None,
    Query(alias="projectId", description="Only this project's tasks (404 for a non-member)"),
]
AssigneeFilter = Annotated[
    str | None,
    Query(
        alias="assigneeId",
        pattern=r"^(me|[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
        r"[0-9a-fA-F]{12})$",
        description="Only the tasks assigned to this member; me: to the caller",
    ),
]


def _declared() -> Any:
    """What a declaration's body would be: the lane answers before it could run."""
    raise NotImplementedError("served by the fast lane: taskmaster.api.v2.tasks")


@router.get(
    "",
    operation_id="listTasks",
    response_model=TaskPage,
    responses=problem_responses(400, 401, 404, 429),
)
async def list_tasks(
    _: Bearer,
    *,
    project_id: ProjectFilter = None,
    assignee_id: AssigneeFilter = None,
    status: Annotated[Status | None, Query()] = None,
    priority: Annotated[Priority | None, Query()] = None,
    search: Annotated[
        str | None,
        Query(
            max_length=SEARCH_MAX,
            pattern=NO_NUL,
            description="In the title or description, any case",
        ),
    ] = None,
    due_before: Annotated[AwareDatetime | None, Query(alias="dueBefore")] = None,
    due_after: Annotated[AwareDatetime | None, Query(alias="dueAfter")] = None,
    sort: Annotated[
        str | None,
        Query(
            pattern=rf"^-?({SORT_KEYS})(,-?({SORT_KEYS}))*$",
            description="Keys in order, each reversed by a leading minus: -priority,dueDate. "
            "Undated tasks sort last; ties break by id. Default: -createdAt",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=LIMIT_MAX)] = LIMIT_DEFAULT,
    cursor: Annotated[
        str | None, Query(description="nextCursor of the page before, with the same query")
    ] = None,
) -> Any:
    """The tasks of the caller's projects, a page at a time; pages cost the same however
    deep."""
    return _declared()


@router.post(
    "",
    operation_id="createTask",
    status_code=201,
    response_model=Task,
    responses={
        201: {
            "headers": {
                **ETAG,
                "Location": {"description": "The new task's URL", **STRING},
                **idempotency.REPLAYED,
            }
        },
        **problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 429),
    },
)
async def create_task(
    _: Bearer,
    *,
    task: TaskCreate,
    idempotency_key: idempotency.KeyHeader = None,
) -> Any:
    """Create a task: in the caller's Inbox, or in a project the caller may write."""
    return _declared()


@router.get(
    "/summary",
    operation_id="getTaskSummary",
    response_model=Summary,
    responses=problem_responses(400, 401, 404, 429),
)
async def summary(
    _: Bearer, *, project_id: ProjectFilter = None, assignee_id: AssigneeFilter = None
) -> Any:
    """How many tasks the caller's projects have (or one project, or one assignee), by
    status, and how many are overdue."""
    return _declared()


@router.get(
    "/changes",
    operation_id="listTaskChanges",
    response_model=ChangePage,
    responses=problem_responses(400, 401, 410, 429),
)
async def changes(
    _: Bearer,
    *,
    cursor: Annotated[
        str | None,
        Query(description="nextCursor of the last answer; none to start from every task"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=LIMIT_MAX)] = LIMIT_MAX,
) -> Any:
    """What changed in the caller's projects since a cursor, each project's changes in commit
    order; deletions and moves included, and the projects the caller lost. A change committed
    after a cursor was issued is never skipped. A cursor older than the deletions kept
    answers 410: start over without one."""
    return _declared()


@router.get(
    "/{taskId}",
    operation_id="getTask",
    response_model=Task,
    responses={
        200: {"headers": ETAG},
        304: {"description": "If-None-Match names the current ETag", "headers": ETAG},
        **problem_responses(400, 401, 404, 429),
    },
)
async def read_task(
    _: Bearer,
    *,
    task_id: TaskId,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None,
) -> Any:
    """One task."""
    return _declared()


_WRITE_FAILURES = problem_responses(400, 401, 403, 404, 409, 412, 413, 415, 428, 429)


@router.patch(
    "/{taskId}",
    operation_id="updateTask",
    response_model=Task,
    responses={200: {"headers": ETAG}, **_WRITE_FAILURES},
)
async def patch_task(
    _: Bearer,
    *,
    task_id: TaskId,
    patch: Annotated[TaskPatch, Body(media_type=bodies.MERGE_PATCH)],
    if_match: IfMatch = None,
) -> Any:
    """Change, move or assign a task with a JSON merge patch (RFC 7396): members given
    change, null removes (dueDate, description, assigneeId); title, status, priority and
    projectId cannot be removed. A moved task keeps its assignee if a member there."""
    return _declared()


@router.put(
    "/{taskId}",
    operation_id="replaceTask",
    response_model=Task,
    responses={200: {"headers": ETAG}, **_WRITE_FAILURES},
)
async def replace_task(
    _: Bearer, task_id: TaskId, task: TaskReplace, if_match: IfMatch = None
) -> Any:
    """Replace a task's content; members left out take their defaults."""
    return _declared()


@router.delete(
    "/{taskId}",
    operation_id="deleteTask",
    status_code=204,
    response_class=Response,
    responses=problem_responses(400, 401, 403, 404, 412, 428, 429),
)
async def delete_task(_: Bearer, task_id: TaskId, if_match: IfMatch = None) -> None:
    """Delete a task."""
    _declared()
