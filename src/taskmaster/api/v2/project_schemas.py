"""v2 project, member and invitation bodies as Pydantic models.

Requests are read strictly from their JSON bytes (taskmaster.api.v2.bodies); their bounds
mirror the project service's, which stays the authority. Responses are written as plain
dicts by the functions below; the models document them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints, field_validator

from taskmaster.api.text import NO_NUL, SOME_TEXT, NoNul
from taskmaster.api.v1.serialize import timestamp
from taskmaster.api.v2.account_schemas import Email
from taskmaster.api.v2.schemas import Request, Timestamp, Wire, never_null, not_null
from taskmaster.projects.models import Invitation as InvitationRow
from taskmaster.projects.policy import Role
from taskmaster.projects.service import DESCRIPTION_MAX, NAME_MAX, Member, Membered

ProjectName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX),
    NoNul,
    Field(json_schema_extra={"pattern": SOME_TEXT}),
]
Color = Annotated[
    str,
    StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$"),
    Field(description="A hex colour: #4f46e5"),
]
ProjectDescription = Annotated[
    str,
    StringConstraints(max_length=DESCRIPTION_MAX),
    NoNul,
    Field(json_schema_extra={"pattern": NO_NUL}),
]
InvitedRole = Annotated[Role, Field(description="owner, editor (tasks) or viewer (read only)")]


class ProjectCreate(Request):
    name: ProjectName
    color: Color = "#4f46e5"
    description: ProjectDescription = ""


UNREMOVABLE = ("name", "color", "archived")


class ProjectPatch(Request):
    """A JSON merge patch: members present change; description null empties it."""

    model_config = ConfigDict(json_schema_extra=never_null(*UNREMOVABLE))

    name: ProjectName | None = None
    color: Color | None = None
    description: ProjectDescription | None = None
    archived: bool | None = Field(default=None, description="Archive, or bring back")

    @field_validator(*UNREMOVABLE, mode="before")
    @classmethod
    def _kept(cls, value: object) -> object:
        return not_null(value)


class RoleChange(Request):
    role: Role


class InvitationCreate(Request):
    email: Email
    role: InvitedRole = Role.EDITOR


class Project(Wire):
    """A project as the caller sees it. Its ETag is its version in quotes."""

    id: str
    name: str
    color: str
    description: str
    inbox: bool = Field(description="The caller's own Inbox: never shared, left or deleted")
    archived: bool
    role: Role = Field(description="The caller's role here")
    created_at: Timestamp
    updated_at: Timestamp
    version: int = Field(description="Grows with every change to the project itself")


class ProjectPage(Wire):
    items: list[Project]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page")


class MemberOut(Wire):
    user_id: str
    name: str
    email: str
    role: Role
    joined_at: Timestamp


class MemberPage(Wire):
    items: list[MemberOut]


class InvitationOut(Wire):
    """An invitation as its project's owners see it. The link (and its token) is shown only
    when made: on creation and on resending."""

    id: str
    project_id: str
    email: str
    role: Role
    created_at: Timestamp
    expires_at: Timestamp
    expired: bool
    token: str | None = None
    link: str | None = Field(default=None, description="The page that accepts it: pass it on")


class InvitationPage(Wire):
    items: list[InvitationOut]


class InvitationView(Wire):
    """What an invitation link invites to."""

    project_name: str
    inviter_name: str | None
    email: str
    role: Role
    expires_at: Timestamp
    status: Literal["pending", "expired", "accepted", "declined", "revoked"]


# Responses as dicts ------------------------------------------------------------------------


def project(membered: Membered) -> dict[str, Any]:
    p = membered.project
    return {
        "id": str(p.id),
        "name": p.name,
        "color": p.color,
        "description": p.description,
        "inbox": p.inbox,
        "archived": p.archived_at is not None,
        "role": membered.role.value,
        "createdAt": timestamp(p.created_at),
        "updatedAt": timestamp(p.updated_at),
        "version": p.version,
    }


def member(m: Member) -> dict[str, Any]:
    return {
        "userId": str(m.user_id),
        "name": m.name,
        "email": m.email,
        "role": m.role.value,
        "joinedAt": timestamp(m.joined_at),
    }


def invitation(row: InvitationRow, *, expired: bool) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "projectId": str(row.project_id),
        "email": row.email,
        "role": row.role,
        "createdAt": timestamp(row.created_at),
        "expiresAt": timestamp(row.expires_at),
        "expired": expired,
    }
