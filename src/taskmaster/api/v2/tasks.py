"""v2 tasks: the task is the body, lists page by cursor, PATCH merges, ETags guard writes,
and a delta query tells syncing clients what changed.

Served by the fast lane, as v1's tasks are: plain endpoints over the same service.
"""

from __future__ import annotations

import base64
import operator
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from taskmaster.api.cached import cached, project_named
from taskmaster.api.deps import caller, runtime_of
from taskmaster.api.lane import Endpoint, LaneRoute
from taskmaster.api.responses import JSONBytes
from taskmaster.api.v1 import serialize
from taskmaster.api.v2 import bodies, conditions, idempotency, queries
from taskmaster.api.v2.cursors import CursorSeal
from taskmaster.api.v2.schemas import TaskCreate, TaskPatch, TaskReplace
from taskmaster.db.database import Transaction
from taskmaster.errors import Invalid, InvalidCursor
from taskmaster.idempotency.keys import Answer, fingerprint
from taskmaster.ids import parse_uuid
from taskmaster.tasks.filters import (
    NEWEST_FIRST,
    After,
    ChangePosition,
    Ordering,
    SortKey,
    SortValue,
    TaskFilter,
)
from taskmaster.tasks.models import Priority, Status
from taskmaster.tasks.queries import CHANGE_DELETED, PROJECT, REVISION
from taskmaster.tasks.service import UNSET, TaskChanges, TaskDraft, TaskService

PREFIX = "/api/v2/tasks"
LIMIT_DEFAULT, LIMIT_MAX = 50, 100
SEARCH_MAX = 200
# v1's fields but its author, then the revision (the ETag), the project and the assignee.
FIELDS = (
    *(name for name in serialize.TASK_FIELDS if name != "userId"),
    "revision",
    "projectId",
    "assigneeId",
)
_COLUMNS = operator.itemgetter(0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)  # of tasks.queries.RENDERED
ASSIGNED_TO_ME = "me"
CHANGE_CURSOR_MAX = 6144  # characters: about a hundred projects' positions
_MOMENT_KEYS = {SortKey.CREATED_AT, SortKey.UPDATED_AT, SortKey.DUE_DATE}


def task(row: Any) -> dict[str, Any]:
    """A task row, rendered by the database, as v2 names its members."""
    return dict(zip(FIELDS, _COLUMNS(row), strict=True))


def _service(request: Request) -> TaskService:
    return runtime_of(request).tasks


def _seal(request: Request) -> CursorSeal:
    return runtime_of(request).cursors


def _task_id(request: Request) -> uuid.UUID:
    task_id = parse_uuid(request.path_params["task_id"])
    if task_id is None:
        raise Invalid.at("path", "taskId", "Invalid task id: a task id is a UUID")
    return task_id


def _with_etag(body: Any, revision: int, status: int = 200, **headers: str) -> Response:
    return JSONBytes(
        body, status_code=status, headers={"ETag": conditions.etag(revision)} | headers
    )


# Lists -------------------------------------------------------------------------------------


def _order(request: Request) -> tuple[Ordering, ...]:
    raw = queries.one(request.query_params, "sort")
    if raw is None:
        return NEWEST_FIRST
    try:
        return Ordering.parse(raw)
    except ValueError as error:
        raise Invalid.at("query", "sort", f"Invalid sort: {error}") from None


def _assignee(request: Request, caller: uuid.UUID) -> uuid.UUID | None:
    if queries.one(request.query_params, "assigneeId") == ASSIGNED_TO_ME:
        return caller
    return queries.identifier(request.query_params, "assigneeId")


def _task_filter(request: Request, caller: uuid.UUID, limit: int) -> TaskFilter:
    params = request.query_params
    search = (queries.one(params, "search") or "").strip()
    if len(search) > SEARCH_MAX:
        raise Invalid.at("query", "search", f"search must be at most {SEARCH_MAX} characters")
    return TaskFilter(
        project_id=queries.identifier(params, "projectId"),
        assignee_id=_assignee(request, caller),
        status=queries.member(params, "status", Status),
        priority=queries.member(params, "priority", Priority),
        search=search or None,
        due_before=queries.moment(params, "dueBefore"),
        due_after=queries.moment(params, "dueAfter"),
        order=_order(request),
        limit=limit,
    )


def _list_scope(user_id: uuid.UUID, task_filter: TaskFilter) -> bytes:
    """What a list cursor is bound to: the caller, and the query but for its page size."""
    query = [
        task_filter.project_id,
        task_filter.assignee_id,
        task_filter.status,
        task_filter.priority,
        task_filter.search,
        task_filter.due_before,
        task_filter.due_after,
        [(o.key, o.descending) for o in task_filter.order],
    ]
    return b"tasks:" + user_id.bytes + orjson.dumps(query)


def _sort_value(key: SortKey, value: Any) -> SortValue:
    """A sort value as a cursor carries it in JSON, as the statement takes it."""
    if key in _MOMENT_KEYS and isinstance(value, str):
        return datetime.fromisoformat(value)
    if key is SortKey.TITLE and isinstance(value, str):
        return value
    if key is SortKey.PRIORITY and isinstance(value, int):
        return value
    raise InvalidCursor.at("query", "cursor", "Malformed cursor")


def _after(position: list[Any], order: tuple[Ordering, ...]) -> After:
    *values, task_id = position
    parsed = parse_uuid(task_id) if isinstance(task_id, str) else None
    if len(values) != len(order) or parsed is None:
        raise InvalidCursor.at("query", "cursor", "Malformed cursor")
    return After(tuple(_sort_value(o.key, v) for o, v in zip(order, values, strict=True)), parsed)


async def list_tasks(request: Request) -> Response:
    claims = await caller(request)
    return await cached(
        request,
        claims.user_id,
        lambda: _page(request, claims.user_id),
        project=project_named(request),
        list_etag=True,
    )


async def _page(request: Request, user_id: uuid.UUID) -> Response:
    limit = queries.bounded(request.query_params, "limit", LIMIT_DEFAULT, 1, LIMIT_MAX)
    task_filter = _task_filter(request, user_id, limit)
    scope = _list_scope(user_id, task_filter)
    cursor = queries.one(request.query_params, "cursor")
    if cursor is not None:
        after = _after(_seal(request).open(scope, cursor), task_filter.order)
        task_filter = TaskFilter(**{**vars(task_filter), "after": after})
    page = await _service(request).list(user_id, task_filter, counted=False)
    next_cursor = None
    if page.after is not None:
        next_cursor = _seal(request).seal(scope, [*page.after.values, str(page.after.task_id)])
    return JSONBytes({"items": [task(row) for row in page.rows], "nextCursor": next_cursor})


async def summary(request: Request) -> Response:
    claims = await caller(request)

    async def counts() -> Response:
        scope = TaskFilter(
            project_id=queries.identifier(request.query_params, "projectId"),
            assignee_id=_assignee(request, claims.user_id),
        )
        return JSONBytes(serialize.summary(await _service(request).summary(claims.user_id, scope)))

    return await cached(
        request, claims.user_id, counts, project=project_named(request), list_etag=True
    )


# The delta query ---------------------------------------------------------------------------


def _change_scope(user_id: uuid.UUID) -> bytes:
    return b"changes:" + user_id.bytes


def _short(value: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(value.bytes).rstrip(b"=").decode()


def _from_short(value: Any) -> uuid.UUID:
    if not isinstance(value, str) or len(value) != 22:
        raise InvalidCursor.at("query", "cursor", "Malformed cursor")
    return uuid.UUID(bytes=base64.urlsafe_b64decode(value + "=="))


def _sealed_positions(positions: Mapping[uuid.UUID, ChangePosition]) -> list[Any]:
    """Each project's position: [project, revision, complete at, task id]."""
    return [
        [_short(project_id), p.revision, p.complete_at, _short(p.task_id)]
        for project_id, p in positions.items()
    ]


def _positions(request: Request, user_id: uuid.UUID) -> dict[uuid.UUID, ChangePosition]:
    cursor = queries.one(request.query_params, "cursor")
    if cursor is None:
        return {}
    sealed = _seal(request).open(_change_scope(user_id), cursor, max_length=CHANGE_CURSOR_MAX)
    positions = {}
    for entry in sealed:
        if not (isinstance(entry, list) and len(entry) == 4):
            raise InvalidCursor.at("query", "cursor", "Malformed cursor")
        project, revision, complete_at, task_id = entry
        if not isinstance(revision, int) or not isinstance(complete_at, int):
            raise InvalidCursor.at("query", "cursor", "Malformed cursor")
        positions[_from_short(project)] = ChangePosition(
            revision, _from_short(task_id), complete_at
        )
    return positions


def _change(row: Any) -> dict[str, Any]:
    if row[CHANGE_DELETED]:
        return {"op": "delete", "id": row[0], "revision": row[REVISION], "projectId": row[PROJECT]}
    return {"op": "upsert", "task": task(row)}


async def changes(request: Request) -> Response:
    claims = await caller(request)
    limit = queries.bounded(request.query_params, "limit", LIMIT_MAX, 1, LIMIT_MAX)
    positions = _positions(request, claims.user_id)
    page = await _service(request).changes(claims.user_id, positions, limit)
    cursor = _seal(request).seal(_change_scope(claims.user_id), _sealed_positions(page.positions))
    return JSONBytes(
        {
            "items": [_change(row) for row in page.rows],
            "removedProjects": [str(project_id) for project_id in page.removed],
            "nextCursor": cursor,
            "hasMore": page.more,
        }
    )


# One task ----------------------------------------------------------------------------------


def _created(answer: Answer) -> Response:
    """A created task's answer, first given or given again, with its ETag and Location."""
    created = orjson.loads(answer.body)
    return idempotency.answered(
        answer,
        {"ETag": conditions.etag(created["revision"]), "Location": f"{PREFIX}/{created['id']}"},
    )


async def create_task(request: Request) -> Response:
    """Create a task; with an Idempotency-Key, at most once however often it is retried."""
    claims = await caller(request)
    body = await bodies.read(request, TaskCreate)
    draft = TaskDraft(
        body.title,
        body.description,
        body.status,
        body.priority,
        body.due_date,
        project_id=body.project_id,
        assignee_id=body.assignee_id,
    )
    key = idempotency.key_of(request)

    async def create(within: Transaction | None = None) -> Answer:
        row = await _service(request).create(claims.user_id, draft, within=within)
        return Answer(201, orjson.dumps(task(row)))

    if key is None:
        return _created(await create())
    request_print = fingerprint(b"POST " + PREFIX.encode(), body.model_dump_json().encode())
    runtime = runtime_of(request)
    answer = await runtime.idempotency.once(claims.user_id, key, request_print, create)
    # Made within the key's transaction, the task is told of once that has committed.
    created = orjson.loads(answer.body)
    await runtime.touched(projects=[uuid.UUID(created["projectId"])])
    return _created(answer)


async def read_task(request: Request) -> Response:
    claims = await caller(request)
    task_id = _task_id(request)

    async def one() -> Response:
        row = await _service(request).get(claims.user_id, task_id)
        return _with_etag(task(row), row[REVISION])

    return await cached(request, claims.user_id, one)


def _required(request: Request) -> bool:
    return runtime_of(request).settings.require_if_match


async def _change_task(request: Request, changes: TaskChanges) -> Response:
    claims = await caller(request)
    expected = conditions.if_match(request, required=_required(request))
    row = await _service(request).update(
        claims.user_id, _task_id(request), changes, expected=expected
    )
    return _with_etag(task(row), row[REVISION])


async def patch_task(request: Request) -> Response:
    patch = await bodies.read(request, TaskPatch, media=bodies.MERGE_PATCH)
    given = patch.model_fields_set

    def member(name: str, value: Any) -> Any:
        return value if name in given else UNSET

    changes = TaskChanges(
        title=member("title", patch.title),
        description=member("description", patch.description or ""),
        status=member("status", patch.status),
        priority=member("priority", patch.priority),
        due_date=member("due_date", patch.due_date),
        project_id=member("project_id", patch.project_id),
        assignee_id=member("assignee_id", patch.assignee_id),
    )
    return await _change_task(request, changes)


async def replace_task(request: Request) -> Response:
    body = await bodies.read(request, TaskReplace)
    changes = TaskChanges(
        body.title,
        body.description,
        body.status,
        body.priority,
        body.due_date,
        project_id=UNSET if body.project_id is None else body.project_id,
        assignee_id=body.assignee_id,
    )
    return await _change_task(request, changes)


async def delete_task(request: Request) -> Response:
    claims = await caller(request)
    expected = conditions.if_match(request, required=_required(request))
    await _service(request).delete(claims.user_id, _task_id(request), expected=expected)
    return Response(status_code=204)


ENDPOINTS: tuple[tuple[str, str, Endpoint], ...] = (
    ("GET", "", list_tasks),
    ("POST", "", create_task),
    ("GET", "/summary", summary),
    ("GET", "/changes", changes),
    ("GET", "/{task_id}", read_task),
    ("PATCH", "/{task_id}", patch_task),
    ("PUT", "/{task_id}", replace_task),
    ("DELETE", "/{task_id}", delete_task),
)


def routes() -> list[LaneRoute]:
    return [LaneRoute(method, f"{PREFIX}{path}", endpoint) for method, path, endpoint in ENDPOINTS]
