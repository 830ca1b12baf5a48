"""Project use cases: create, read, change, archive and delete projects; list members,
change their roles, remove them, leave; and what deleting an account does to projects.

Runs in the request's transaction (an ORM session on the primary). Who may do what is
`policy`'s to say; membership changes lock the project's row, so that concurrent changes
cannot leave a project without an owner.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from taskmaster.auth.models import User
from taskmaster.clock import Clock, whole_millis
from taskmaster.errors import Conflict, Invalid, NotFound, PreconditionFailed
from taskmaster.projects import policy
from taskmaster.projects.models import Membership, Project
from taskmaster.projects.policy import Action, Role
from taskmaster.projects.touched import touch
from taskmaster.rules import within
from taskmaster.tasks.models import ChangeClock, Task

NAME_MAX = 100
DESCRIPTION_MAX = 10_000
INBOX_NAME = "Inbox"
INBOX_COLOR = "#64748b"
DEFAULT_COLOR = "#4f46e5"
COLOR = re.compile(r"#[0-9a-f]{6}")
MEMBER_NOT_FOUND = "Member not found"
LAST_OWNER = "A project keeps at least one owner: make another member an owner first"
STALE = "The project has changed since the version this request names"


@dataclass(frozen=True)
class ProjectDraft:
    name: str
    color: str = DEFAULT_COLOR
    description: str = ""


@dataclass(frozen=True)
class ProjectChanges:
    """A partial update: fields left None keep their value."""

    name: str | None = None
    color: str | None = None
    description: str | None = None
    archived: bool | None = None


@dataclass(frozen=True)
class Membered:
    """A project as one member sees it: with their role, since when."""

    project: Project
    role: Role
    joined_at: datetime


PROJECTS_MAX = 100


@dataclass(frozen=True)
class Member:
    user_id: uuid.UUID
    name: str
    email: str
    role: Role
    joined_at: datetime


def checked_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise Invalid("A project needs a name")
    return within(name, "Name", at_most=NAME_MAX)


def checked_color(color: str) -> str:
    color = color.strip().lower()
    if not COLOR.fullmatch(color):
        raise Invalid("Colour must be a hex colour like #4f46e5")
    return color


def _version(project: Project, expected: frozenset[int] | None) -> None:
    if expected is not None and project.version not in expected:
        raise PreconditionFailed(STALE)


class ProjectService:
    def __init__(self, session: AsyncSession, *, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def _now(self) -> datetime:
        return whole_millis(self._clock())

    # Projects ------------------------------------------------------------------------------

    async def add_inbox(self, user_id: uuid.UUID, at: datetime) -> None:
        """Give a new account its Inbox: a project with the account's id, never shared."""
        self._session.add(
            Project(
                id=user_id,
                name=INBOX_NAME,
                color=INBOX_COLOR,
                description="",
                inbox=True,
                created_at=at,
                updated_at=at,
                version=1,
            )
        )
        await self._session.flush()  # the project, then its member (no ORM relationship)
        self._session.add(
            Membership(project_id=user_id, user_id=user_id, role=Role.OWNER, joined_at=at)
        )
        await self._session.flush()

    async def all_of(
        self,
        caller: uuid.UUID,
        *,
        archived: bool | None = None,
        after: tuple[datetime, uuid.UUID] | None = None,
        limit: int = PROJECTS_MAX,
    ) -> list[Membered]:
        """The caller's projects in the order the caller joined them, the Inbox (joined at
        sign-up) first; `after` a (joined at, project id) position."""
        query = (
            select(Project, Membership.role, Membership.joined_at)
            .join(Membership, Membership.project_id == Project.id)
            .where(Membership.user_id == caller)
            .order_by(Membership.joined_at, Project.id)
            .limit(limit)
        )
        if archived is not None:
            query = query.where(
                Project.archived_at.is_not(None) if archived else Project.archived_at.is_(None)
            )
        if after is not None:
            query = query.where(tuple_(Membership.joined_at, Project.id) > tuple_(*after))
        rows = await self._session.execute(query)
        return [Membered(project, Role(role), joined) for project, role, joined in rows]

    async def get(
        self, caller: uuid.UUID, project_id: uuid.UUID, action: Action = Action.READ
    ) -> Membered:
        """The project, if the caller may do `action` there (policy.check's refusals if not)."""
        row = (
            await self._session.execute(
                select(Project, Membership.role, Membership.joined_at)
                .join(Membership, Membership.project_id == Project.id)
                .where(Project.id == project_id, Membership.user_id == caller)
            )
        ).first()
        role = None if row is None else Role(row[1])
        policy.check(role, action, inbox=row is not None and row[0].inbox)
        assert row is not None  # the policy refuses a stranger
        return Membered(row[0], Role(row[1]), row[2])

    async def create(self, caller: uuid.UUID, draft: ProjectDraft) -> Membered:
        now = self._now()
        project = Project(
            name=checked_name(draft.name),
            color=checked_color(draft.color),
            description=within(draft.description, "Description", at_most=DESCRIPTION_MAX),
            inbox=False,
            created_at=now,
            updated_at=now,
            version=1,
        )
        self._session.add(project)
        await self._session.flush()
        self._session.add(
            Membership(project_id=project.id, user_id=caller, role=Role.OWNER, joined_at=now)
        )
        await self._session.flush()
        return Membered(project, Role.OWNER, now)

    async def update(
        self,
        caller: uuid.UUID,
        project_id: uuid.UUID,
        changes: ProjectChanges,
        *,
        expected: frozenset[int] | None = None,
    ) -> Membered:
        membered = await self.get(caller, project_id, Action.EDIT_PROJECT)
        project = membered.project
        _version(project, expected)
        if changes.archived:
            policy.check(membered.role, Action.ARCHIVE_PROJECT, inbox=project.inbox)
        if changes.name is not None:
            project.name = checked_name(changes.name)
        if changes.color is not None:
            project.color = checked_color(changes.color)
        if changes.description is not None:
            project.description = within(
                changes.description, "Description", at_most=DESCRIPTION_MAX
            )
        if changes.archived is not None and changes.archived != (project.archived_at is not None):
            project.archived_at = self._now() if changes.archived else None
        if self._session.is_modified(project):
            project.version += 1
            project.updated_at = self._now()
            await self._session.flush()
        return membered

    async def delete(
        self, caller: uuid.UUID, project_id: uuid.UUID, *, expected: frozenset[int] | None = None
    ) -> None:
        """Delete the project and its tasks (its clock first: no tombstones for them)."""
        membered = await self.get(caller, project_id, Action.DELETE_PROJECT)
        _version(membered.project, expected)
        await self._delete_projects([project_id])

    async def _delete_projects(self, project_ids: Sequence[uuid.UUID]) -> None:
        if not project_ids:
            return
        members = select(Membership.user_id).where(Membership.project_id.in_(project_ids))
        touch(self._session, users=await self._session.scalars(members), projects=project_ids)
        await self._session.execute(
            delete(ChangeClock).where(ChangeClock.project_id.in_(project_ids))
        )
        await self._session.execute(delete(Project).where(Project.id.in_(project_ids)))

    # Members -------------------------------------------------------------------------------

    async def members(self, caller: uuid.UUID, project_id: uuid.UUID) -> list[Member]:
        await self.get(caller, project_id)
        return await self._members(Membership.project_id == project_id)

    async def member(self, project_id: uuid.UUID, user_id: uuid.UUID) -> Member:
        found = await self._members(
            Membership.project_id == project_id, Membership.user_id == user_id
        )
        if not found:
            raise NotFound(MEMBER_NOT_FOUND)
        return found[0]

    async def _members(self, *where: ColumnElement[bool]) -> list[Member]:
        """The members `where` says, with their names, in the order they joined."""
        rows = await self._session.execute(
            select(User.id, User.name, User.email, Membership.role, Membership.joined_at)
            .join(Membership, Membership.user_id == User.id)
            .where(*where)
            .order_by(Membership.joined_at, User.id)
        )
        return [
            Member(user_id, name, email, Role(role), at) for user_id, name, email, role, at in rows
        ]

    async def _locked_membership(
        self, caller: uuid.UUID, project_id: uuid.UUID, user_id: uuid.UUID, action: Action
    ) -> Membership:
        """Lock the project (membership changes one at a time) and find `user_id`'s
        membership, once the caller may do `action`."""
        await self.get(caller, project_id, action)
        await self._session.execute(
            select(Project.id).where(Project.id == project_id).with_for_update()
        )
        membership = await self._session.get(
            Membership, (project_id, user_id), populate_existing=True
        )
        if membership is None:
            raise NotFound(MEMBER_NOT_FOUND)
        return membership

    async def _owners(self, project_id: uuid.UUID) -> int:
        return int(
            await self._session.scalar(
                select(func.count()).where(
                    Membership.project_id == project_id, Membership.role == Role.OWNER
                )
            )
            or 0
        )

    async def change_role(
        self, caller: uuid.UUID, project_id: uuid.UUID, user_id: uuid.UUID, role: Role
    ) -> Member:
        membership = await self._locked_membership(
            caller, project_id, user_id, Action.MANAGE_MEMBERS
        )
        if (
            membership.role == Role.OWNER
            and role != Role.OWNER
            and await self._owners(project_id) == 1
        ):
            raise Conflict(LAST_OWNER)
        membership.role = role
        await self._session.flush()
        return await self.member(project_id, user_id)

    async def remove(self, caller: uuid.UUID, project_id: uuid.UUID, user_id: uuid.UUID) -> None:
        """Remove a member (the caller: leave); their tasks there are unassigned."""
        action = Action.LEAVE if user_id == caller else Action.MANAGE_MEMBERS
        membership = await self._locked_membership(caller, project_id, user_id, action)
        if membership.role == Role.OWNER and await self._owners(project_id) == 1:
            raise Conflict(LAST_OWNER)
        await self._session.delete(membership)
        await self._session.execute(
            update(Task)
            .where(Task.project_id == project_id, Task.assignee_id == user_id)
            .values(assignee_id=None, updated_at=self._now())
        )
        await self._session.flush()

    # Accounts ------------------------------------------------------------------------------

    async def forget_account(self, user_id: uuid.UUID) -> None:
        """Before an account is deleted: delete its Inbox and the projects it alone owns.
        Its other memberships, assignments and authorship go with the account (foreign keys)."""
        joined = select(Membership.project_id).where(Membership.user_id == user_id)
        touch(self._session, users=[user_id], projects=await self._session.scalars(joined))
        other_owner = select(Membership.project_id).where(
            Membership.role == Role.OWNER, Membership.user_id != user_id
        )
        alone = select(Membership.project_id).where(
            and_(
                Membership.user_id == user_id,
                Membership.role == Role.OWNER,
                Membership.project_id.not_in(other_owner),
            )
        )
        await self._delete_projects(list(await self._session.scalars(alone)))
