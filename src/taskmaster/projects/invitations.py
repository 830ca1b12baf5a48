"""Invitations: an owner invites an email address to a project with a role; whoever signs in
with that address accepts or declines, once, within seven days.

The link's token is shown once (to pass on, until mail goes out) and stored only as its
SHA-256 hash. A used, expired or revoked invitation stays, answered, so that its link says
what became of it.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from taskmaster.auth.models import User
from taskmaster.auth.service import checked_email
from taskmaster.clock import Clock, whole_millis
from taskmaster.errors import Conflict, Forbidden, Gone, NotFound
from taskmaster.projects.models import Invitation, Membership, Project
from taskmaster.projects.policy import Action, Role
from taskmaster.projects.service import Membered, ProjectService

LIFETIME = timedelta(days=7)
TOKEN_BYTES = 32
TOKEN_MAX = 100  # characters: far more than a token we issue
INVITATION_NOT_FOUND = "Invitation not found"
ANSWERED = {
    "accepted": "This invitation was already accepted",
    "declined": "This invitation was declined",
    "revoked": "This invitation was withdrawn by the project's owner",
}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Issued:
    """An invitation and its token: the only time the token is known."""

    invitation: Invitation
    token: str


@dataclass(frozen=True)
class Addressed:
    """An invitation as its link shows it: the project's name and who invited."""

    invitation: Invitation
    project_name: str
    inviter_name: str | None


class InvitationService:
    def __init__(self, session: AsyncSession, projects: ProjectService, *, clock: Clock) -> None:
        self._session = session
        self._projects = projects
        self._clock = clock

    def _now(self) -> datetime:
        return whole_millis(self._clock())

    def expired(self, invitation: Invitation) -> bool:
        return invitation.expires_at <= self._clock()

    def _new_token(self, invitation: Invitation) -> str:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        invitation.token_hash = token_hash(token)
        invitation.created_at = self._now()
        invitation.expires_at = invitation.created_at + LIFETIME
        return token

    # The owner's side ----------------------------------------------------------------------

    async def invite(
        self, caller: uuid.UUID, project_id: uuid.UUID, email: str, role: Role
    ) -> Issued:
        await self._projects.get(caller, project_id, Action.MANAGE_MEMBERS)
        email = checked_email(email)
        member = await self._session.scalar(
            select(Membership.user_id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.project_id == project_id, User.email == email)
        )
        if member is not None:
            raise Conflict("This person is already a member of the project")
        pending = await self._session.scalar(
            select(Invitation.id).where(
                Invitation.project_id == project_id,
                Invitation.email == email,
                Invitation.answered_at.is_(None),
                Invitation.expires_at > self._clock(),
            )
        )
        if pending is not None:
            raise Conflict("This address is already invited: resend or revoke that invitation")
        invitation = Invitation(project_id=project_id, email=email, role=role, invited_by=caller)
        token = self._new_token(invitation)
        self._session.add(invitation)
        await self._session.flush()
        return Issued(invitation, token)

    async def pending(self, caller: uuid.UUID, project_id: uuid.UUID) -> list[Invitation]:
        """The project's unanswered invitations (expired ones too, to resend), newest first."""
        await self._projects.get(caller, project_id, Action.MANAGE_MEMBERS)
        invitations = await self._session.scalars(
            select(Invitation)
            .where(Invitation.project_id == project_id, Invitation.answered_at.is_(None))
            .order_by(Invitation.created_at.desc(), Invitation.id)
        )
        return list(invitations)

    async def _unanswered(
        self, caller: uuid.UUID, project_id: uuid.UUID, invitation_id: uuid.UUID
    ) -> Invitation:
        await self._projects.get(caller, project_id, Action.MANAGE_MEMBERS)
        invitation = await self._session.scalar(
            select(Invitation)
            .where(
                Invitation.id == invitation_id,
                Invitation.project_id == project_id,
                Invitation.answered_at.is_(None),
            )
            .with_for_update()
        )
        if invitation is None:
            raise NotFound(INVITATION_NOT_FOUND)
        return invitation

    async def resend(
        self, caller: uuid.UUID, project_id: uuid.UUID, invitation_id: uuid.UUID
    ) -> Issued:
        """A new link for seven more days; the old link no longer works."""
        invitation = await self._unanswered(caller, project_id, invitation_id)
        token = self._new_token(invitation)
        await self._session.flush()
        return Issued(invitation, token)

    async def revoke(
        self, caller: uuid.UUID, project_id: uuid.UUID, invitation_id: uuid.UUID
    ) -> None:
        invitation = await self._unanswered(caller, project_id, invitation_id)
        invitation.answered_at = self._now()
        invitation.outcome = "revoked"
        await self._session.flush()

    # The invitee's side --------------------------------------------------------------------

    async def _by_token(self, token: str, *, lock: bool = False) -> Invitation:
        if not 0 < len(token) <= TOKEN_MAX:
            raise NotFound(INVITATION_NOT_FOUND)
        query = select(Invitation).where(Invitation.token_hash == token_hash(token))
        invitation = await self._session.scalar(query.with_for_update() if lock else query)
        if invitation is None:
            raise NotFound(INVITATION_NOT_FOUND)
        return invitation

    async def look_up(self, token: str) -> Addressed:
        """What a link invites to; anyone holding the link may read it."""
        invitation = await self._by_token(token)
        project_name = await self._session.scalar(
            select(Project.name).where(Project.id == invitation.project_id)
        )
        inviter = await self._session.scalar(
            select(User.name).where(User.id == invitation.invited_by)
        )
        return Addressed(invitation, project_name or "", inviter)

    async def _answerable(self, caller: uuid.UUID, token: str) -> Invitation:
        invitation = await self._by_token(token, lock=True)
        if invitation.outcome is not None:
            raise Gone(ANSWERED[invitation.outcome])
        if self.expired(invitation):
            raise Gone("This invitation has expired: ask the project's owner for a new one")
        email = await self._session.scalar(select(User.email).where(User.id == caller))
        if email != invitation.email:
            raise Forbidden(
                "This invitation is for another email address: sign in with that address"
            )
        return invitation

    async def accept(self, caller: uuid.UUID, token: str) -> Membered:
        invitation = await self._answerable(caller, token)
        member = await self._session.get(Membership, (invitation.project_id, caller))
        if member is not None:
            raise Conflict("You are already a member of this project")
        now = self._now()
        self._session.add(
            Membership(
                project_id=invitation.project_id,
                user_id=caller,
                role=invitation.role,
                joined_at=now,
            )
        )
        invitation.answered_at = now
        invitation.outcome = "accepted"
        await self._session.flush()
        return await self._projects.get(caller, invitation.project_id)

    async def decline(self, caller: uuid.UUID, token: str) -> None:
        invitation = await self._answerable(caller, token)
        invitation.answered_at = self._now()
        invitation.outcome = "declined"
        await self._session.flush()
