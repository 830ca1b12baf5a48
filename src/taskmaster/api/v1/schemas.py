"""v1 bodies as Pydantic models: the MVP's wire format, documented, not served through them.

v1's handlers read bodies leniently (unknown members ignored, null read as absent) and write
answers as plain dicts (taskmaster.api.v1.envelope); these models say what they accept and
answer, for the v1 document (taskmaster.api.v1.contract). The snapshot tests freeze the bytes
and hold each one to its operation's schema, so a model that drifts from a handler fails.
Answers are closed (no member beyond those listed) and their success messages constants:
v1 is frozen, so the document says exactly what goes over the wire.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel
from pydantic.json_schema import SkipJsonSchema

from taskmaster.api.text import NO_NUL, SOME_TEXT
from taskmaster.auth.service import EMAIL_MAX, NAME_MAX, PASSWORD_MAX, PASSWORD_MIN
from taskmaster.tasks.models import Priority, Status
from taskmaster.tasks.service import DESCRIPTION_MAX, TITLE_MAX

# JavaScript's Date.toISOString(), the form the MVP's clients parse.
JS_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"

Text = Annotated[str, StringConstraints(min_length=1), Field(pattern=NO_NUL)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=EMAIL_MAX),
    Field(
        pattern=NO_NUL,
        description="A valid address; stored trimmed, Unicode-normalized and lower-cased.",
        json_schema_extra={"format": "email"},
    ),
]
NewPassword = Annotated[
    str,
    StringConstraints(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX),
    Field(pattern=NO_NUL, description="Not among the most common passwords."),
]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX),
    Field(pattern=SOME_TEXT, description="Stored without surrounding whitespace."),
]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX),
    Field(
        pattern=SOME_TEXT,
        description=f"What is to be done: 1 to {TITLE_MAX} characters once surrounding "
        "whitespace is removed, as it is stored.",
    ),
]
Description = Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX), Field(pattern=NO_NUL)]
DueDate = Annotated[
    datetime | date | None,
    Field(
        description="ISO 8601: a date-time (without an offset it is read as UTC) or a date "
        "(its start in UTC); stored to the millisecond. null: no due date."
    ),
]
Timestamp = Annotated[
    str,
    Field(
        description="UTC, to the millisecond, as JavaScript writes it: 2026-12-01T09:30:00.000Z",
        pattern=JS_TIMESTAMP,
        json_schema_extra={"format": "date-time"},
    ),
]
Id = Annotated[str, Field(description="A UUID.", json_schema_extra={"format": "uuid"})]


def _without_default(schema: dict[str, Any]) -> None:
    """Drops the null default pydantic would document for a member left out."""
    schema.pop("default", None)


def _may_be_left_out() -> Any:
    """The default of a member that may be left out, whose absence no default stands for."""
    return Field(default=None, json_schema_extra=_without_default)


class Wire(BaseModel):
    """Python names in snake case, the wire's in camel case."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=False, frozen=True)


class Request(Wire):
    """What a client sends: members v1 does not know are ignored, as the MVP ignored them."""

    model_config = ConfigDict(extra="ignore")


class Answer(Wire):
    """What v1 sends: exactly these members."""

    model_config = ConfigDict(extra="forbid")


# Requests ----------------------------------------------------------------------------------


class RegisterRequest(Request):
    """A new account; all three members are required (400 otherwise)."""

    email: Email
    password: NewPassword
    name: Name


class LoginRequest(Request):
    """An email and its password; an unknown email answers as a wrong password does (401)."""

    email: Text
    password: Text


class PasswordChangeRequest(Request):
    """The current password, and the one to replace it (which must differ from it)."""

    current_password: Text
    new_password: NewPassword


class RefreshTokenRequest(Request):
    """A refresh token, for clients that keep it themselves. Without one (an empty body, or
    null) the refresh cookie is used, which needs the X-Requested-With header."""

    refresh_token: Annotated[str | None, Field(pattern=NO_NUL)] = None


class TaskCreateRequest(Request):
    """A new task; what it leaves out takes its default."""

    title: Title
    description: Description | None = Field(default="", description='null is read as "".')
    status: Status = Status.PENDING
    priority: Priority = Priority.MEDIUM
    due_date: DueDate = None


class TaskUpdateRequest(Request):
    """A partial update (PUT): members present change, members left out keep their value.
    title, status and priority take no null; a null dueDate removes the due date."""

    title: Title | SkipJsonSchema[None] = _may_be_left_out()
    description: Description | None = Field(default=None, description='null is read as "".')
    status: Status | SkipJsonSchema[None] = _may_be_left_out()
    priority: Priority | SkipJsonSchema[None] = _may_be_left_out()
    due_date: DueDate = _may_be_left_out()


# Objects -----------------------------------------------------------------------------------


class User(Answer):
    """A user, as sign-in shows them."""

    id: Id
    email: str
    name: str


class Profile(User):
    """A user, with the moment they registered."""

    created_at: Timestamp


class SignIn(Answer):
    """A signed-in session. The refresh token also travels in an httpOnly cookie, scoped to
    /api/v1/auth."""

    user: User
    token: str = Field(description="The access token (the MVP's name for it).")
    access_token: str = Field(description="The same access token, for the Authorization header.")
    expires_in: int = Field(description="Seconds the access token is valid for.")
    refresh_token: str | SkipJsonSchema[None] = Field(
        default=None,
        description="Absent when the request carried X-Requested-With (the browser app): "
        "the cookie is then its only copy.",
        json_schema_extra=_without_default,
    )


class EndedSessions(Answer):
    ended_sessions: int = Field(description="How many sessions were ended.")


class Session(Answer):
    """One sign-in on one device, with the refresh tokens descended from it."""

    id: Id
    created_at: Timestamp
    last_used_at: Timestamp
    expires_at: Timestamp
    user_agent: str
    ip: str
    current: bool = Field(description="Whether it is the session of the access token used.")


class Task(Answer):
    """A task."""

    id: Id
    user_id: Id
    title: str
    description: str
    status: Status
    priority: Priority
    due_date: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp


class Summary(Answer):
    """How many of the caller's tasks there are, by status, and how many are overdue."""

    total: int
    pending: int
    in_progress: int
    completed: int
    overdue: int


# Answers: the MVP envelope -----------------------------------------------------------------


class Success(Answer):
    success: Literal[True]


class RegisterResponse(Success):
    data: SignIn
    message: Literal["User registered successfully"]


class LoginResponse(Success):
    data: SignIn
    message: Literal["Login successful"]


class RefreshResponse(Success):
    data: SignIn


class ProfileResponse(Success):
    data: Profile


class PasswordChangeResponse(Success):
    """Every other session of the user has ended."""

    data: EndedSessions
    message: Literal["Password changed successfully"]


class RevokeResponse(Success):
    message: Literal["Token revoked"]


class LogoutResponse(Success):
    message: Literal["Logged out successfully"]


class LogoutAllResponse(Success):
    data: EndedSessions
    message: Literal["Logged out of every session"]


class SessionListResponse(Success):
    """The caller's active sessions, the newest first."""

    data: list[Session]


class EndSessionResponse(Success):
    message: Literal["Session ended"]


class TaskListResponse(Success):
    """One page of the caller's tasks; X-Total-Count counts every match."""

    data: list[Task]


class CreateTaskResponse(Success):
    data: Task
    message: Literal["Task created successfully"]


class TaskResponse(Success):
    data: Task


class UpdateTaskResponse(Success):
    data: Task
    message: Literal["Task updated successfully"]


class DeleteTaskResponse(Success):
    message: Literal["Task deleted successfully"]


class SummaryResponse(Success):
    data: Summary


class Failure(Answer):
    """Every v1 failure: the MVP's envelope with a message for people."""

    success: Literal[False]
    error: str = Field(description="What went wrong, in words; the contract fixes most of them.")
