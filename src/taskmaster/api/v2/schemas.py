"""v2 bodies as Pydantic models: what requests may say, and what responses carry.

Requests are validated straight from their JSON bytes, strictly (no "5" for 5) and with
unknown members refused, so a typo fails loudly instead of being ignored. Responses are not
built through these models (rows become bytes without them); they document every field, and
the schema tests hold the bytes to them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

from taskmaster.tasks.models import Priority, Status
from taskmaster.tasks.service import DESCRIPTION_MAX, TITLE_MAX


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    return text


def _in_utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # an offset that pushes the moment out of years 1..9999
        raise ValueError("is out of the range of dates") from None


Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX),
    AfterValidator(_no_nul),
    Field(description="What is to be done; surrounding whitespace is removed."),
]
Description = Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX), AfterValidator(_no_nul)]
Moment = Annotated[
    AwareDatetime,
    AfterValidator(_in_utc),
    Field(description="An RFC 3339 date-time with an offset; stored to the millisecond in UTC."),
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


class TaskPatch(Request):
    """A JSON merge patch (RFC 7396): members present change, null removes (description
    becomes empty, dueDate none); title, status and priority cannot be removed."""

    title: Title | None = None
    description: Description | None = None
    status: Status | None = None
    priority: Priority | None = None
    due_date: Moment | None = None


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
