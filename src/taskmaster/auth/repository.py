"""Users, sessions and refresh tokens in the database."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from taskmaster.auth.models import AuthSession, RefreshToken, User

RowLock = Literal["share", "update"] | None


def _locked(query: Select[User], lock: RowLock) -> Select[User]:
    """Lock the selected rows until the transaction ends (PostgreSQL; SQLite's one writer
    at a time needs none)."""
    if lock is None:
        return query
    return query.with_for_update(read=lock == "share")


class DuplicateEmail(Exception):
    """Another account already holds this email."""


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_id(self, user_id: uuid.UUID, lock: RowLock = None) -> User | None:
        return await self._session.scalar(_locked(select(User).where(User.id == user_id), lock))

    async def by_email(self, email: str, lock: RowLock = None) -> User | None:
        return await self._session.scalar(_locked(select(User).where(User.email == email), lock))

    async def add(self, user: User) -> None:
        """Insert `user`; DuplicateEmail when its email is taken, even by a concurrent insert."""
        try:
            async with self._session.begin_nested():
                self._session.add(user)
        except IntegrityError as error:
            raise DuplicateEmail(user.email) from error


class SessionRepository:
    """Sessions and their refresh tokens."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, *rows: AuthSession | RefreshToken) -> None:
        self._session.add_all(rows)
        await self._session.flush()

    async def by_id(self, user_id: uuid.UUID, session_id: uuid.UUID) -> AuthSession | None:
        return await self._session.scalar(
            select(AuthSession).where(AuthSession.id == session_id, AuthSession.user_id == user_id)
        )

    async def token_with_session(self, digest: str) -> tuple[RefreshToken, AuthSession] | None:
        row = (
            await self._session.execute(
                select(RefreshToken, AuthSession)
                .join(AuthSession, RefreshToken.session_id == AuthSession.id)
                .where(RefreshToken.token_hash == digest)
                .execution_options(populate_existing=True)
            )
        ).first()
        return None if row is None else (row[0], row[1])

    async def reload(self, token: RefreshToken) -> None:
        await self._session.refresh(token)

    async def token(self, digest: str) -> RefreshToken | None:
        return await self._session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == digest)
        )

    async def mark_rotated(self, token_id: uuid.UUID, now: datetime) -> bool:
        """Claim the token for rotation; False when a concurrent request claimed it first."""
        result = await self._session.execute(
            update(RefreshToken)
            .where(RefreshToken.id == token_id, RefreshToken.rotated_at.is_(None))
            .values(rotated_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def active(self, user_id: uuid.UUID, now: datetime) -> Sequence[AuthSession]:
        return (
            await self._session.scalars(
                select(AuthSession)
                .where(
                    AuthSession.user_id == user_id,
                    AuthSession.revoked_at.is_(None),
                    AuthSession.expires_at > now,
                )
                .order_by(AuthSession.last_used_at.desc(), AuthSession.id.desc())
            )
        ).all()

    async def revoke(
        self,
        user_id: uuid.UUID,
        now: datetime,
        reason: str,
        *,
        only: uuid.UUID | None = None,
        keep: uuid.UUID | None = None,
    ) -> list[uuid.UUID]:
        """End the user's live sessions (or just `only`, or all but `keep`); their ids."""
        conditions = [AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)]
        if only is not None:
            conditions.append(AuthSession.id == only)
        if keep is not None:
            conditions.append(AuthSession.id != keep)
        ended = (await self._session.scalars(select(AuthSession.id).where(*conditions))).all()
        if ended:
            await self._session.execute(
                update(AuthSession)
                .where(AuthSession.id.in_(ended))
                .values(revoked_at=now, revoked_reason=reason)
                .execution_options(synchronize_session="fetch")
            )
        return list(ended)


@dataclass(frozen=True)
class Credentials:
    user_id: uuid.UUID
    email: str
    password_hash: str


class CredentialReader:
    """Reads a password hash in a short transaction of its own, so that the slow work done
    with it (argon2, tens of milliseconds) holds no pooled connection."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def _first(self, condition: ColumnElement[bool]) -> Credentials | None:
        async with self._sessions() as session:
            query = select(User.id, User.email, User.password_hash).where(condition)
            row = (await session.execute(query)).first()
        return None if row is None else Credentials(row.id, row.email, row.password_hash)

    async def by_email(self, email: str) -> Credentials | None:
        return await self._first(User.email == email)

    async def by_id(self, user_id: uuid.UUID) -> Credentials | None:
        return await self._first(User.id == user_id)


async def session_ended(sessions: async_sessionmaker[AsyncSession], session_id: uuid.UUID) -> bool:
    """Whether a session is revoked or gone, read straight from the database."""
    async with sessions() as session:
        query = select(AuthSession.revoked_at).where(AuthSession.id == session_id)
        row = (await session.execute(query)).first()
    return row is None or row.revoked_at is not None
