"""Sessions: start one at sign-in, rotate its refresh token, detect reuse, end it.

An ended session is marked in the request's transaction, and its trigger leaves a
session:ended event in the outbox (migration 0007): the relay tells every instance once it
has committed, and the request's own instance refuses the session's tokens as soon as it has
(`ended_by`). A transaction that fails ends nothing, anywhere."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from taskmaster.auth.models import AuthSession, RefreshToken
from taskmaster.auth.refresh_tokens import RefreshTokenMinter, token_digest
from taskmaster.auth.repository import SessionRepository
from taskmaster.auth.security_log import Kind, SecurityLog
from taskmaster.clock import Clock
from taskmaster.errors import NotFound, ReauthenticationRequired, Unauthorized

INVALID_REFRESH = "Invalid refresh token. Please login again."
EXPIRED_REFRESH = "Refresh token expired. Please login again."
REUSED_REFRESH = "Refresh token reuse detected. Every session of this sign-in has been ended."
SESSION_NOT_FOUND = "Session not found"
CONFIRM_FIRST = (
    "Please confirm it is you (your password or a code) before changing how you sign in."
)
ENDED = "taskmaster.ended-sessions"

USER_AGENT_MAX = 512
IP_MAX = 64


@dataclass(frozen=True)
class Client:
    """Where a request came from, as far as the server can tell."""

    ip: str
    user_agent: str

    def trimmed(self) -> Client:
        return Client(self.ip[:IP_MAX], self.user_agent[:USER_AGENT_MAX])


@dataclass(frozen=True)
class Issued:
    """A session's current refresh token, handed to its client."""

    user_id: uuid.UUID
    session_id: uuid.UUID
    refresh_token: str
    expires_at: datetime


@dataclass(frozen=True)
class SessionPolicy:
    lifetime: timedelta  # absolute: counted from sign-in, refreshes do not extend it
    reuse_grace: timedelta  # how long a rotated token still yields the same successor
    # How long a sign-in or a confirmation of the user allows sensitive changes.
    recent: timedelta = timedelta(minutes=5)


class SessionService:
    def __init__(
        self,
        session: AsyncSession,
        *,
        minter: RefreshTokenMinter,
        policy: SessionPolicy,
        log: SecurityLog,
        clock: Clock,
    ) -> None:
        self._session = session
        self._sessions = SessionRepository(session)
        self._log = log
        self._minter = minter
        self._policy = policy
        self._clock = clock

    async def start(self, user_id: uuid.UUID, client: Client) -> Issued:
        now = self._clock()
        client = client.trimmed()
        auth_session = AuthSession(
            user_id=user_id,
            created_at=now,
            last_used_at=now,
            expires_at=now + self._policy.lifetime,
            user_agent=client.user_agent,
            ip=client.ip,
            authenticated_at=now,
        )
        await self._sessions.add(auth_session)
        token = self._minter.new()
        await self._sessions.add(self._token_row(auth_session.id, token, now))
        return Issued(user_id, auth_session.id, token, auth_session.expires_at)

    @staticmethod
    def _token_row(session_id: uuid.UUID, token: str, now: datetime) -> RefreshToken:
        return RefreshToken(session_id=session_id, token_hash=token_digest(token), created_at=now)

    async def rotate(self, presented: str, client: Client) -> Issued:
        """Exchange a refresh token for its successor.

        The rule for two tabs: a token rotated less than `reuse_grace` ago yields the same
        successor again, as long as that successor is unused. Any other second use is reuse:
        the whole session (the token family) ends and the answer is 401.
        """
        found = await self._sessions.token_with_session(token_digest(presented))
        if found is None:
            raise Unauthorized(INVALID_REFRESH)
        token, auth_session = found
        now = self._clock()
        if auth_session.revoked_at is not None:
            raise Unauthorized(INVALID_REFRESH)
        if auth_session.expires_at <= now:
            raise Unauthorized(EXPIRED_REFRESH)
        successor = self._minter.successor(presented)
        if token.rotated_at is None and await self._sessions.mark_rotated(token.id, now):
            await self._sessions.add(self._token_row(auth_session.id, successor, now))
            self._touch(auth_session, client.trimmed(), now)
            return Issued(auth_session.user_id, auth_session.id, successor, auth_session.expires_at)
        if await self._within_grace(token, successor, now):
            return Issued(auth_session.user_id, auth_session.id, successor, auth_session.expires_at)
        await self._end(auth_session.user_id, "reuse", only=auth_session.id)
        raise Unauthorized(REUSED_REFRESH)

    async def _within_grace(self, token: RefreshToken, successor: str, now: datetime) -> bool:
        # Re-read: when a concurrent request won the rotation, our copy predates it.
        await self._sessions.reload(token)
        if token.rotated_at is None or now - token.rotated_at > self._policy.reuse_grace:
            return False
        current = await self._sessions.token(token_digest(successor))
        return current is not None and current.rotated_at is None

    @staticmethod
    def _touch(auth_session: AuthSession, client: Client, now: datetime) -> None:
        auth_session.last_used_at = now
        auth_session.ip = client.ip
        auth_session.user_agent = client.user_agent or auth_session.user_agent

    async def confirmed(self, user_id: uuid.UUID, session_id: uuid.UUID) -> None:
        """The session's user just proved who they are."""
        auth_session = await self._sessions.by_id(user_id, session_id)
        if auth_session is None:
            raise NotFound(SESSION_NOT_FOUND)
        auth_session.authenticated_at = self._clock()

    async def require_recent(self, user_id: uuid.UUID, session_id: uuid.UUID) -> None:
        """Refuse unless the session's user proved who they are within the last minutes."""
        auth_session = await self._sessions.by_id(user_id, session_id)
        proved = None if auth_session is None else auth_session.authenticated_at
        if proved is None or proved <= self._clock() - self._policy.recent:
            raise ReauthenticationRequired(CONFIRM_FIRST)

    async def active(self, user_id: uuid.UUID) -> Sequence[AuthSession]:
        return await self._sessions.active(user_id, self._clock())

    async def revoke_token(self, presented: str) -> None:
        """End the session a refresh token belongs to; an unknown token is no error (RFC 7009)."""
        found = await self._sessions.token_with_session(token_digest(presented))
        if found is not None:
            await self._end(found[1].user_id, "revoked", only=found[1].id)

    async def end(self, user_id: uuid.UUID, session_id: uuid.UUID, reason: str = "ended") -> None:
        if await self._sessions.by_id(user_id, session_id) is None:
            raise NotFound(SESSION_NOT_FOUND)
        await self._end(user_id, reason, only=session_id)

    async def end_all(
        self, user_id: uuid.UUID, reason: str, *, keep: uuid.UUID | None = None
    ) -> int:
        return len(await self._end(user_id, reason, keep=keep))

    async def _end(
        self,
        user_id: uuid.UUID,
        reason: str,
        *,
        only: uuid.UUID | None = None,
        keep: uuid.UUID | None = None,
    ) -> list[uuid.UUID]:
        ended = await self._sessions.revoke(user_id, self._clock(), reason, only=only, keep=keep)
        self._session.info.setdefault(ENDED, set()).update(ended)
        if ended:
            kind = Kind.REFRESH_TOKEN_REUSED if reason == "reuse" else Kind.SESSION_ENDED
            self._log.record(user_id, kind, reason=reason, sessions=len(ended))
        return ended


def ended_by(session: AsyncSession) -> set[uuid.UUID]:
    """The sessions the ORM session's committed transaction ended (and forget them)."""
    ended: set[uuid.UUID] = session.info.pop(ENDED, set())
    return ended
