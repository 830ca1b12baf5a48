"""Accounts: register, log in, read a profile."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from taskmaster.auth.models import User
from taskmaster.auth.passwords import PasswordHasher
from taskmaster.auth.repository import DuplicateEmail, UserRepository
from taskmaster.auth.tokens import AccessTokens
from taskmaster.clock import Clock
from taskmaster.errors import Conflict, Invalid, NotFound, Unauthorized

EMAIL_MAX = 254
NAME_MAX = 100
PASSWORD_MIN = 8
PASSWORD_MAX = 128

INVALID_CREDENTIALS = "Invalid email or password"


@dataclass(frozen=True)
class Registration:
    email: str
    password: str
    name: str


@dataclass(frozen=True)
class SignedIn:
    """A user and the access token just issued to them."""

    user: User
    access_token: str


def normalize_email(email: str) -> str:
    """The canonical form of an email address: trimmed and lower-cased."""
    return email.strip().lower()


def _checked_email(email: str) -> str:
    email = normalize_email(email)
    if len(email) > EMAIL_MAX:
        raise Invalid(f"Email must be at most {EMAIL_MAX} characters long")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise Invalid("Please provide a valid email address") from error
    return email


def check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise Invalid(f"Password must be at least {PASSWORD_MIN} characters long")
    if len(password) > PASSWORD_MAX:
        raise Invalid(f"Password must be at most {PASSWORD_MAX} characters long")


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise Invalid("Please provide email, password, and name")
    if len(name) > NAME_MAX:
        raise Invalid(f"Name must be at most {NAME_MAX} characters long")
    return name


class AccountService:
    def __init__(
        self,
        session: AsyncSession,
        *,
        hasher: PasswordHasher,
        tokens: AccessTokens,
        clock: Clock,
    ) -> None:
        self._users = UserRepository(session)
        self._hasher = hasher
        self._tokens = tokens
        self._clock = clock

    async def register(self, registration: Registration) -> SignedIn:
        email = _checked_email(registration.email)
        name = _checked_name(registration.name)
        check_password(registration.password)
        if await self._users.by_email(email) is not None:
            raise Conflict("User with this email already exists")
        now = self._clock()
        user = User(
            email=email,
            name=name,
            password_hash=await self._hasher.hash(registration.password),
            created_at=now,
            updated_at=now,
        )
        try:
            await self._users.add(user)
        except DuplicateEmail as error:
            raise Conflict("User with this email already exists") from error
        return SignedIn(user, self._tokens.issue(user.id))

    async def login(self, email: str, password: str) -> SignedIn:
        """Sign in; an unknown email costs the same work and answers the same as a bad password."""
        user = await self._users.by_email(normalize_email(email))
        stored_hash = user.password_hash if user is not None else None
        if not await self._hasher.verify(stored_hash, password) or user is None:
            raise Unauthorized(INVALID_CREDENTIALS)
        if self._hasher.needs_rehash(user.password_hash):
            user.password_hash = await self._hasher.hash(password)
        return SignedIn(user, self._tokens.issue(user.id))

    async def profile(self, user_id: uuid.UUID) -> User:
        user = await self._users.by_id(user_id)
        if user is None:
            raise NotFound("User not found")
        return user
