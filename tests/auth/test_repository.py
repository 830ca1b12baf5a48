"""Users in the database: a taken email is a DuplicateEmail, and the transaction lives on."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from taskmaster.auth.models import User
from taskmaster.auth.repository import DuplicateEmail, UserRepository
from taskmaster.runtime import Runtime
from tests.conftest import FakeClock


def user(email: str, clock: FakeClock) -> User:
    return User(
        email=email, name="N", password_hash="x", created_at=clock.now, updated_at=clock.now
    )


async def emails(runtime: Runtime) -> list[str]:
    async with runtime.db.session() as session:
        return list((await session.scalars(select(User.email).order_by(User.email))).all())


async def test_a_taken_email_is_a_duplicate_and_the_transaction_lives_on(
    runtime: Runtime, clock: FakeClock
) -> None:
    async with runtime.db.session() as first:
        await UserRepository(first).add(user("taken@example.com", clock))
        await first.commit()

    async with runtime.db.session() as second:
        users = UserRepository(second)
        with pytest.raises(DuplicateEmail):
            await users.add(user("taken@example.com", clock))
        # Only the savepoint was rolled back: the same transaction goes on and commits.
        await users.add(user("free@example.com", clock))
        await second.commit()

    assert await emails(runtime) == ["free@example.com", "taken@example.com"]


async def test_an_added_user_is_part_of_the_callers_transaction(
    runtime: Runtime, clock: FakeClock
) -> None:
    """The savepoint around the insert does not commit it: a rolled-back request leaves none."""
    async with runtime.db.session() as session:
        await UserRepository(session).add(user("undone@example.com", clock))
        assert await session.scalar(select(func.count()).select_from(User)) == 1
        await session.rollback()
    assert await emails(runtime) == []
