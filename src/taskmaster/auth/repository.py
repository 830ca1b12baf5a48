"""Users in the database."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from taskmaster.auth.models import User


class DuplicateEmail(Exception):
    """Another account already holds this email."""


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_id(self, user_id: uuid.UUID) -> User | None:
        return await self._session.get(User, user_id)

    async def by_email(self, email: str) -> User | None:
        return await self._session.scalar(select(User).where(User.email == email))

    async def add(self, user: User) -> None:
        """Insert `user`; DuplicateEmail when its email is taken, even by a concurrent insert."""
        try:
            async with self._session.begin_nested():
                self._session.add(user)
        except IntegrityError as error:
            raise DuplicateEmail(user.email) from error
