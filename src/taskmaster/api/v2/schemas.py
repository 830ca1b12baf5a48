"""v2 bodies as Pydantic models: what requests may say, and what responses carry.

Requests are validated straight from their JSON bytes, strictly (no "5" for 5) and with
unknown members refused, so a typo fails loudly instead of being ignored. Responses are not
built through these models (rows become bytes without them); they document every field, and
the schema tests hold the bytes to them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic.alias_generators import to_camel

from taskmaster.api.text import NO_NUL, SOME_TEXT, NoNul
from taskmaster.clock import in_utc
from taskmaster.tasks.models import Priority, Status
from taskmaster.tasks.service import DESCRIPTION_MAX, TITLE_MAX

Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX),
    NoNul,
    Field(
        description="What is to be done; surrounding whitespace is removed.",
        json_schema_extra={"pattern": SOME_TEXT},
    ),
]
Description = Annotated[
    str,
    StringConstraints(max_length=DESCRIPTION_MAX),
    NoNul,
    Field(json_schema_extra={"pattern": NO_NUL}),
]
Moment = Annotated[
    AwareDatetime,
    AfterValidator(in_utc),
    Field(
        description="An RFC 3339 date-time with an offset; stored to the millisecond in UTC "
        "(one beyond the years 1 to 9999 in UTC, as the nearest moment within)."
    ),
]
Timestamp = Annotated[
    str,
    Field(
        description="RFC 3339, in UTC, to the millisecond: 2026-12-01T09:30:00.000Z",
        json_schema_extra={"format": "date-time"},
    ),
]


class Wire(BaseModel):
    """Python names in snake case, the wire's in camel case."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=False, frozen=True)


class Request(Wire):
    model_config = ConfigDict(strict=True, extra="forbid")


ProjectId = Annotated[
    uuid.UUID,
    Field(description="A project the caller may write tasks in (an owner's or an editor's)."),
]
AssigneeId = Annotated[
    uuid.UUID,
    Field(description="A member of the task's project, who is to do the task."),
]


def not_null(value: object) -> object:
    """A `before` validator's check: a member that may be left out but is never null."""
    if value is None:
        raise ValueError("cannot be removed (null)")
    return value


def never_null(*names: str) -> Callable[[dict[str, Any]], None]:
    """A body's `json_schema_extra`: in the document, the members `names`, which may be left
    out but not removed, take no null."""

    def document(schema: dict[str, Any]) -> None:
        for name in names:
            member = schema["properties"][to_camel(name)]
            [kind] = [kind for kind in member.pop("anyOf") if kind != {"type": "null"}]
            member.update(kind)

    return document


class TaskCreate(Request):
    """A new task; what it leaves out takes its default (the caller's Inbox, nobody
    assigned)."""

    model_config = ConfigDict(json_schema_extra=never_null("project_id"))

    title: Title
    description: Description = ""
    status: Status = Status.PENDING
    priority: Priority = Priority.MEDIUM
    due_date: Moment | None = None
    project_id: ProjectId | None = None  # left out, never null
    assignee_id: AssigneeId | None = None

    @field_validator("project_id", mode="before")
    @classmethod
    def _named(cls, value: object) -> object:
        return not_null(value)


class TaskReplace(TaskCreate):
    """A task's whole new content (PUT): what it leaves out is reset to its default, but
    its project, which stays unless projectId names another (a move)."""


UNREMOVABLE = ("title", "status", "priority", "project_id")


class TaskPatch(Request):
    """A JSON merge patch (RFC 7396): members present change, null removes (description
    becomes empty, dueDate and assigneeId none); title, status, priority and projectId
    cannot be removed."""

    model_config = ConfigDict(json_schema_extra=never_null(*UNREMOVABLE))

    title: Title | None = None
    description: Description | None = None
    status: Status | None = None
    priority: Priority | None = None
    due_date: Moment | None = None
    project_id: ProjectId | None = Field(
        default=None, description="Moves the task to this project, which the caller may write."
    )
    assignee_id: AssigneeId | None = Field(default=None, description="null: nobody")

    @field_validator(*UNREMOVABLE, mode="before")
    @classmethod
    def _kept(cls, value: object) -> object:
        return not_null(value)


class Task(Wire):
    """A task. Its ETag is its revision in quotes."""

    id: str = Field(description="A UUID (version 7: ordered by creation time).")
    title: str
    description: str
    status: Status
    priority: Priority
    due_date: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp
    revision: int = Field(
        description="Grows with every change to the tasks of the task's project; the task's "
        "ETag is this number in quotes, for If-Match."
    )
    project_id: str = Field(description="The project the task belongs to.")
    assignee_id: str | None = Field(description="The member who is to do it; null: nobody.")


class TaskPage(Wire):
    """One page of a task list."""

    items: list[Task]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page, with the same filters and sort; "
        "null on the last page."
    )


class Summary(Wire):
    """How many of the caller's tasks there are, by status, and how many are overdue."""

    total: int
    pending: int
    in_progress: int
    completed: int
    overdue: int


class Upserted(Wire):
    op: Literal["upsert"]
    task: Task


class Deleted(Wire):
    """A task that left a project: deleted, or moved to another (where it is upserted).
    Drop your copy only if it is still in this project."""

    op: Literal["delete"]
    id: str
    revision: int
    project_id: str


class ChangePage(Wire):
    """Changes, each project's in the order they were committed: tasks as they are now,
    and tasks that left a project."""

    items: list[Annotated[Upserted | Deleted, Field(discriminator="op")]]
    removed_projects: list[str] = Field(
        description="Projects the caller can no longer see (left, removed or deleted): drop "
        "their tasks."
    )
    next_cursor: str = Field(
        description="Where to continue: pass it as `cursor` now if hasMore, or later to "
        "learn what changed since."
    )
    has_more: bool


class FieldError(BaseModel):
    """One input that failed: exactly one of pointer, parameter or header names it."""

    pointer: str | None = Field(
        default=None, description="A JSON pointer into the body, as a URI fragment: #/title"
    )
    parameter: str | None = Field(default=None, description="A query or path parameter")
    header: str | None = Field(default=None, description="A request header")
    detail: str


class Problem(BaseModel):
    """An RFC 9457 problem document (application/problem+json)."""

    type: str = Field(
        description="A URI reference naming the kind of problem, stable across releases: "
        "/api/v2/problems/<kind>, or about:blank"
    )
    title: str = Field(description="The kind of problem, in words; the same for every occurrence")
    status: int
    detail: str = Field(description="What went wrong this time")
    errors: list[FieldError] | None = Field(
        default=None, description="The inputs that failed, when the request's own are at fault"
    )
