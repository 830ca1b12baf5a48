"""v2 account and session bodies as Pydantic models, and how their routes read and document them."""

# Requests are read strictly from their JSON bytes (taskmaster.api.v2.bodies), so each failure
# points at its member. Their bounds mirror the account service's, which stays the authority on
# what an email, a name or a new password may be. Responses are written as plain dicts; the
# models document them.

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema
from starlette.requests import Request

from taskmaster.api.text import NO_NUL, SOME_TEXT, NoNul
from taskmaster.api.v2 import bodies, schemas
from taskmaster.auth.service import EMAIL_MAX, NAME_MAX, PASSWORD_MAX, PASSWORD_MIN, checked_email
from taskmaster.errors import Invalid

M = TypeVar("M", bound=BaseModel)

# The validators say it in words; these patterns say the same to OpenAPI's readers.
SAYS_NO_NUL = Field(json_schema_extra={"pattern": NO_NUL})
SAYS_SOME_TEXT = Field(json_schema_extra={"pattern": SOME_TEXT})


def _an_email(email: str) -> str:
    """The service's own check, here so that its refusal points at the member."""
    try:
        checked_email(email)
    except Invalid as error:
        raise ValueError(error.message) from error
    return email


Text = Annotated[str, StringConstraints(min_length=1), NoNul, SAYS_NO_NUL]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=EMAIL_MAX),
    NoNul,
    AfterValidator(_an_email),
    Field(json_schema_extra={"format": "email"}),
]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX),
    NoNul,
    SAYS_SOME_TEXT,
]
NewPassword = Annotated[
    str,
    StringConstraints(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX),
    NoNul,
    SAYS_NO_NUL,
    Field(description="Not among the most common passwords."),
]


# Requests ----------------------------------------------------------------------------------


class Registration(schemas.Request):
    """A new account; the email is stored in its canonical, lower-cased form."""

    email: Email
    password: NewPassword
    name: Name


class Credentials(schemas.Request):
    """An email and its password."""

    email: Text
    password: Text


class PasswordChange(schemas.Request):
    """The current password, and the one to replace it."""

    current_password: Text
    new_password: NewPassword


class AccountDeletion(schemas.Request):
    """The password, to confirm that the account is to go."""

    password: Text


class RefreshTokenBody(schemas.Request):
    """A refresh token, for clients that keep one; else the cookie, with X-Requested-With."""

    refresh_token: Text | None = None


# Responses ---------------------------------------------------------------------------------


class User(schemas.Wire):
    id: str = Field(description="A UUID.")
    email: str
    name: str


class Profile(User):
    created_at: schemas.Timestamp


class SignedIn(schemas.Wire):
    """A signed-in session; the refresh token also travels in an httpOnly cookie on /api/v2/auth."""

    user: User
    access_token: str = Field(description="A bearer token for the Authorization header.")
    expires_in: int = Field(description="Seconds the access token is valid for.")
    refresh_token: str | SkipJsonSchema[None] = Field(
        default=None,
        description="Absent when the request carried X-Requested-With (the browser app): "
        "the cookie is then its only copy.",
    )


class EndedSessions(schemas.Wire):
    ended_sessions: int = Field(description="How many sessions were ended.")


class Session(schemas.Wire):
    """One sign-in on one device, with the refresh tokens descended from it."""

    id: str = Field(description="A UUID.")
    created_at: schemas.Timestamp
    last_used_at: schemas.Timestamp
    expires_at: schemas.Timestamp
    user_agent: str
    ip: str
    current: bool = Field(description="Whether it is the session of the access token used.")


class SessionPage(schemas.Wire):
    """The caller's active sessions, the newest first."""

    items: list[Session]
    next_cursor: None = Field(description="Always null: every session fits one page.")


# Reading and documenting -------------------------------------------------------------------


def read_body(model: type[M], *, optional: bool = False) -> Callable[[Request], Awaitable[M]]:
    """A dependency reading the body as `model`; an optional body may be left out (reads as {})."""

    # bodies.read demands application/json: no HTML form can send it, so no other site can
    # post one on a visitor's behalf (login CSRF). A bodiless POST has no media type at all.
    async def body(request: Request) -> M:
        if optional and not (await request.body()).strip():
            return model.model_validate({})
        return await bodies.read(request, model)

    return body


def request_body(
    model: type[BaseModel], *, required: bool = True, media: str = bodies.JSON
) -> dict[str, Any]:
    """`openapi_extra` documenting the body a route reads with read_body(model)."""
    schema = _inlined(model.model_json_schema())
    return {"requestBody": {"required": required, "content": {media: {"schema": schema}}}}


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with its own definitions ($defs, as of an enum member) written in place:
    a reference into them means nothing inside the OpenAPI document."""
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref", "")
            if reference.startswith("#/$defs/"):
                return inline(definitions[reference.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    inlined: dict[str, Any] = inline(schema)
    return inlined
