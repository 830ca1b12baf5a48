"""v2 bodies as Pydantic models: what requests may say, and what responses carry.

Requests are validated straight from their JSON bytes, strictly (no "5" for 5) and with
unknown members refused, so a typo fails loudly instead of being ignored. Responses are not
built through these models (rows become bytes without them); they document every field, and
the schema tests hold the bytes to them.
"""

from __future__ import annotations

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


class TaskCreate(Request):
    """A new task; what it leaves out takes its default."""

    title: Title
    description: Description = ""
    status: Status = Status.PENDING
    priority: Priority = Priority.MEDIUM
    due_date: Moment | None = None


class TaskReplace(TaskCreate):
    """A task's whole new content (PUT): what it leaves out is reset to its default."""


UNREMOVABLE = ("title", "status", "priority")


def _unremovable_are_never_null(schema: dict[str, Any]) -> None:
    """In the document, what cannot be removed takes no null."""
    for name in UNREMOVABLE:
        member = schema["properties"][name]
        [kind] = [kind for kind in member.pop("anyOf") if kind != {"type": "null"}]
        member.update(kind)


class TaskPatch(Request):
    """A JSON merge patch (RFC 7396): members present change, null removes (description
    becomes empty, dueDate none); title, status and priority cannot be removed."""

    model_config = ConfigDict(json_schema_extra=_unremovable_are_never_null)

    title: Title | None = None
    description: Description | None = None
    status: Status | None = None
    priority: Priority | None = None
    due_date: Moment | None = None

    @field_validator(*UNREMOVABLE, mode="before")
    @classmethod
    def _kept(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be removed (null)")
        return value


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
        description="Grows with every change to the owner's tasks; the task's ETag is this "
        "number in quotes, for If-Match."
    )


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
    op: Literal["delete"]
    id: str
    revision: int


class ChangePage(Wire):
    """Changes in the order they were committed: tasks as they are now, and deletions."""

    items: list[Annotated[Upserted | Deleted, Field(discriminator="op")]]
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
