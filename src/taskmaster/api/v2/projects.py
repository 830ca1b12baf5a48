"""v2 projects: create, list, read, change, archive and delete; members and their roles;
invitations, from the owner's side and from the link's.

Not on the fast lane: these are few and rarely asked, and run in the request's transaction.
Who may do what is the project policy's to say, through the services.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Header, Path, Query
from starlette.requests import Request
from starlette.responses import Response

from taskmaster.api.deps import CallerDep, Invitations, Projects, RuntimeDep, SessionDep
from taskmaster.api.openapi import SIGNED_IN, STRING, problem_responses
from taskmaster.api.responses import JSONBytes
from taskmaster.api.v1.serialize import timestamp
from taskmaster.api.v2 import bodies, conditions, idempotency
from taskmaster.api.v2 import project_schemas as wire
from taskmaster.api.v2.account_schemas import read_body, request_body
from taskmaster.db.database import Transaction
from taskmaster.idempotency.keys import Answer, fingerprint
from taskmaster.projects.invitations import Issued
from taskmaster.projects.service import PROJECTS_MAX, Membered, ProjectChanges, ProjectDraft

router = APIRouter(tags=["projects"])
ProjectId = Annotated[uuid.UUID, Path(alias="projectId", description="The project's id")]
UserId = Annotated[uuid.UUID, Path(alias="userId", description="The member's account id")]
InvitationId = Annotated[uuid.UUID, Path(alias="invitationId", description="The invitation's id")]
Token = Annotated[str, Path(max_length=100, description="The token of an invitation link")]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        pattern=conditions.IF_MATCH_PATTERN,
        description='The ETag the change is based on ("3"), several, or *; else 412',
    ),
]
ETAG = {"ETag": {"description": "The project's version, quoted", **STRING}}
LOCATION = {"Location": {"description": "The new project's URL", **STRING}}
CreateBody = Annotated[wire.ProjectCreate, Depends(read_body(wire.ProjectCreate))]
RoleBody = Annotated[wire.RoleChange, Depends(read_body(wire.RoleChange))]
InviteBody = Annotated[wire.InvitationCreate, Depends(read_body(wire.InvitationCreate))]


def _shown(membered: Membered, status: int = 200) -> Response:
    return JSONBytes(
        wire.project(membered),
        status_code=status,
        headers={"ETag": conditions.etag(membered.project.version)},
    )


def _expected(request: Request, runtime: RuntimeDep) -> frozenset[int] | None:
    return conditions.if_match(request, required=runtime.settings.require_if_match)


Expected = Annotated[frozenset[int] | None, Depends(_expected)]


# Projects ----------------------------------------------------------------------------------


def _project_cursor_scope(caller: uuid.UUID, archived: bool | None) -> bytes:
    return b"projects:" + caller.bytes + str(archived).encode()


@router.get(
    "/projects",
    operation_id="listProjects",
    response_model=wire.ProjectPage,
    responses=problem_responses(400, 401, 429),
    openapi_extra=SIGNED_IN,
)
async def list_projects(
    claims: CallerDep,
    projects: Projects,
    runtime: RuntimeDep,
    *,
    archived: Annotated[bool | None, Query(description="Only archived, or only active")] = None,
    limit: Annotated[int, Query(ge=1, le=PROJECTS_MAX)] = PROJECTS_MAX,
    cursor: Annotated[str | None, Query(description="nextCursor of the page before")] = None,
) -> Response:
    """The caller's projects in the order the caller joined them: the Inbox first."""
    scope = _project_cursor_scope(claims.user_id, archived)
    after = None if cursor is None else runtime.cursors.open_moment(scope, cursor)
    page = await projects.all_of(claims.user_id, archived=archived, after=after, limit=limit)
    next_cursor = None
    if len(page) == limit:
        last = page[-1]
        next_cursor = runtime.cursors.seal_moment(scope, last.joined_at, last.project.id)
    return JSONBytes({"items": [wire.project(m) for m in page], "nextCursor": next_cursor})


@router.post(
    "/projects",
    operation_id="createProject",
    status_code=201,
    response_model=wire.Project,
    responses={
        201: {"headers": {**ETAG, **LOCATION, **idempotency.REPLAYED}},
        **problem_responses(400, 401, 413, 415, 422, 429),
    },
    openapi_extra={**request_body(wire.ProjectCreate), **SIGNED_IN},
)
async def create_project(
    request: Request,
    claims: CallerDep,
    body: CreateBody,
    *,
    projects: Projects,
    session: SessionDep,
    runtime: RuntimeDep,
    idempotency_key: idempotency.KeyHeader = None,
) -> Response:
    """Create a project; the caller is its owner. With an Idempotency-Key, at most once
    however often it is retried."""
    draft = ProjectDraft(body.name, body.color, body.description)

    async def create(_: Transaction | None = None) -> Answer:
        created = await projects.create(claims.user_id, draft)
        return Answer(201, orjson.dumps(wire.project(created)))

    key = idempotency.key_of(request)
    if key is None:
        answer = await create()
    else:
        request_print = fingerprint(b"POST /api/v2/projects", body.model_dump_json().encode())
        within = Transaction.on(await session.connection())
        answer = await runtime.idempotency.once(
            claims.user_id, key, request_print, create, within=within
        )
    created = orjson.loads(answer.body)
    return idempotency.answered(
        answer,
        {
            "ETag": conditions.etag(created["version"]),
            "Location": f"{request.url.path}/{created['id']}",
        },
    )


@router.get(
    "/projects/{projectId}",
    operation_id="getProject",
    response_model=wire.Project,
    responses={200: {"headers": ETAG}, **problem_responses(400, 401, 404, 429)},
    openapi_extra=SIGNED_IN,
)
async def get_project(claims: CallerDep, project_id: ProjectId, projects: Projects) -> Response:
    """One of the caller's projects."""
    return _shown(await projects.get(claims.user_id, project_id))


@router.patch(
    "/projects/{projectId}",
    operation_id="updateProject",
    response_model=wire.Project,
    responses={
        200: {"headers": ETAG},
        **problem_responses(400, 401, 403, 404, 409, 412, 413, 415, 428, 429),
    },
    openapi_extra={**request_body(wire.ProjectPatch, media=bodies.MERGE_PATCH), **SIGNED_IN},
)
async def update_project(
    request: Request,
    claims: CallerDep,
    project_id: ProjectId,
    projects: Projects,
    expected: Expected,
    *,
    if_match: IfMatch = None,  # read by Expected; declared for the document
) -> Response:
    """Rename, recolour, describe, archive or bring back a project (owners), with a JSON merge
    patch. The Inbox is never archived."""
    patch = await bodies.read(request, wire.ProjectPatch, media=bodies.MERGE_PATCH)
    given = patch.model_fields_set
    changes = ProjectChanges(
        name=patch.name,
        color=patch.color,
        description=(patch.description or "") if "description" in given else None,
        archived=patch.archived,
    )
    return _shown(await projects.update(claims.user_id, project_id, changes, expected=expected))


@router.delete(
    "/projects/{projectId}",
    operation_id="deleteProject",
    status_code=204,
    response_class=Response,
    responses=problem_responses(400, 401, 403, 404, 409, 412, 428, 429),
    openapi_extra=SIGNED_IN,
)
async def delete_project(
    claims: CallerDep,
    project_id: ProjectId,
    projects: Projects,
    expected: Expected,
    *,
    if_match: IfMatch = None,  # read by Expected; declared for the document
) -> Response:
    """Delete a project and all its tasks (owners). The Inbox is never deleted."""
    await projects.delete(claims.user_id, project_id, expected=expected)
    return Response(status_code=204)


# Members -----------------------------------------------------------------------------------


@router.get(
    "/projects/{projectId}/members",
    operation_id="listMembers",
    response_model=wire.MemberPage,
    responses=problem_responses(400, 401, 404, 429),
    openapi_extra=SIGNED_IN,
)
async def list_members(claims: CallerDep, project_id: ProjectId, projects: Projects) -> Response:
    """Who is in the project, with which role, in the order they joined."""
    members = await projects.members(claims.user_id, project_id)
    return JSONBytes({"items": [wire.member(m) for m in members]})


@router.patch(
    "/projects/{projectId}/members/{userId}",
    operation_id="changeMemberRole",
    response_model=wire.MemberOut,
    responses=problem_responses(400, 401, 403, 404, 409, 413, 415, 429),
    openapi_extra={**request_body(wire.RoleChange), **SIGNED_IN},
)
async def change_role(
    claims: CallerDep, project_id: ProjectId, user_id: UserId, body: RoleBody, projects: Projects
) -> Response:
    """Give a member another role (owners). A project keeps at least one owner."""
    changed = await projects.change_role(claims.user_id, project_id, user_id, body.role)
    return JSONBytes(wire.member(changed))


@router.delete(
    "/projects/{projectId}/members/{userId}",
    operation_id="removeMember",
    status_code=204,
    response_class=Response,
    responses=problem_responses(400, 401, 403, 404, 409, 429),
    openapi_extra=SIGNED_IN,
)
async def remove_member(
    claims: CallerDep, project_id: ProjectId, user_id: UserId, projects: Projects
) -> Response:
    """Remove a member (owners), or leave (anyone, naming themselves); the member's tasks
    there are unassigned. A project keeps at least one owner."""
    await projects.remove(claims.user_id, project_id, user_id)
    return Response(status_code=204)


# Invitations: the owner's side -------------------------------------------------------------


def _link(request: Request, runtime: RuntimeDep, issued: Issued) -> str:
    base = runtime.settings.web_url or str(request.base_url)
    return f"{base.rstrip('/')}/invitations/{issued.token}"


def _issued(request: Request, runtime: RuntimeDep, issued: Issued, status: int) -> Response:
    """An invitation with its link (and token): shown only now, when made."""
    made = {"token": issued.token, "link": _link(request, runtime, issued)}
    shown = wire.invitation(issued.invitation, expired=False) | made
    return JSONBytes(shown, status_code=status)


@router.get(
    "/projects/{projectId}/invitations",
    operation_id="listInvitations",
    response_model=wire.InvitationPage,
    responses=problem_responses(400, 401, 403, 404, 409, 429),
    openapi_extra=SIGNED_IN,
)
async def list_invitations(
    claims: CallerDep, project_id: ProjectId, invitations: Invitations
) -> Response:
    """The project's unanswered invitations, newest first, expired ones too (owners)."""
    pending = await invitations.pending(claims.user_id, project_id)
    items = [wire.invitation(row, expired=invitations.expired(row)) for row in pending]
    return JSONBytes({"items": items})


@router.post(
    "/projects/{projectId}/invitations",
    operation_id="createInvitation",
    status_code=201,
    response_model=wire.InvitationOut,
    responses=problem_responses(400, 401, 403, 404, 409, 413, 415, 429),
    openapi_extra={**request_body(wire.InvitationCreate), **SIGNED_IN},
)
async def create_invitation(
    request: Request,
    claims: CallerDep,
    project_id: ProjectId,
    *,
    body: InviteBody,
    invitations: Invitations,
    runtime: RuntimeDep,
) -> Response:
    """Invite an email address with a role (owners): the answer holds the link to pass on,
    valid for seven days, once."""
    issued = await invitations.invite(claims.user_id, project_id, body.email, body.role)
    return _issued(request, runtime, issued, 201)


@router.post(
    "/projects/{projectId}/invitations/{invitationId}/resend",
    operation_id="resendInvitation",
    response_model=wire.InvitationOut,
    responses=problem_responses(400, 401, 403, 404, 409, 429),
    openapi_extra=SIGNED_IN,
)
async def resend_invitation(
    request: Request,
    claims: CallerDep,
    project_id: ProjectId,
    *,
    invitation_id: InvitationId,
    invitations: Invitations,
    runtime: RuntimeDep,
) -> Response:
    """A new link for seven more days (owners); the old link stops working."""
    issued = await invitations.resend(claims.user_id, project_id, invitation_id)
    return _issued(request, runtime, issued, 200)


@router.delete(
    "/projects/{projectId}/invitations/{invitationId}",
    operation_id="revokeInvitation",
    status_code=204,
    response_class=Response,
    responses=problem_responses(400, 401, 403, 404, 409, 429),
    openapi_extra=SIGNED_IN,
)
async def revoke_invitation(
    claims: CallerDep, project_id: ProjectId, invitation_id: InvitationId, invitations: Invitations
) -> Response:
    """Withdraw an unanswered invitation (owners): its link stops working."""
    await invitations.revoke(claims.user_id, project_id, invitation_id)
    return Response(status_code=204)


# Invitations: the link's side --------------------------------------------------------------


@router.get(
    "/invitations/{token}",
    operation_id="getInvitation",
    response_model=wire.InvitationView,
    responses=problem_responses(400, 404, 429),
)
async def look_up_invitation(token: Token, invitations: Invitations) -> Response:
    """What a link invites to; no sign-in needed, as the link is the key."""
    found = await invitations.look_up(token)
    row = found.invitation
    status: Any = row.outcome or ("expired" if invitations.expired(row) else "pending")
    return JSONBytes(
        {
            "projectName": found.project_name,
            "inviterName": found.inviter_name,
            "email": row.email,
            "role": row.role,
            "expiresAt": timestamp(row.expires_at),
            "status": status,
        }
    )


@router.post(
    "/invitations/{token}/accept",
    operation_id="acceptInvitation",
    response_model=wire.Project,
    responses={200: {"headers": ETAG}, **problem_responses(400, 401, 403, 404, 409, 410, 429)},
    openapi_extra=SIGNED_IN,
)
async def accept_invitation(claims: CallerDep, token: Token, invitations: Invitations) -> Response:
    """Join the project, signed in with the invited address; the answer is the project."""
    return _shown(await invitations.accept(claims.user_id, token))


@router.post(
    "/invitations/{token}/decline",
    operation_id="declineInvitation",
    status_code=204,
    response_class=Response,
    responses=problem_responses(400, 401, 403, 404, 410, 429),
    openapi_extra=SIGNED_IN,
)
async def decline_invitation(claims: CallerDep, token: Token, invitations: Invitations) -> Response:
    """Say no, signed in with the invited address; the link stops working."""
    await invitations.decline(claims.user_id, token)
    return Response(status_code=204)
