"""Accounts: register, sign in (in one step or two), confirm who is asking, refresh, change
the password, read a profile."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from taskmaster.auth.common_passwords import is_common
from taskmaster.auth.models import User
from taskmaster.auth.passkeys import NOT_SIGNED_IN, PasskeyAnswer, Passkeys, RelyingParty
from taskmaster.auth.passwords import PasswordHasher
from taskmaster.auth.repository import (
    CredentialReader,
    Credentials,
    DuplicateEmail,
    UserRepository,
)
from taskmaster.auth.second_step import SecondStep, SecondStepNeeded, password_mark
from taskmaster.auth.security_log import Kind, SecurityLog
from taskmaster.auth.sessions import Client, Issued, SessionService
from taskmaster.auth.throttle import Throttle
from taskmaster.auth.tokens import AccessTokens
from taskmaster.auth.two_factor import NOT_ON, Proof
from taskmaster.clock import Clock
from taskmaster.errors import Conflict, Invalid, NotFound, SignInExpired, Unauthorized
from taskmaster.projects.service import ProjectService
from taskmaster.rules import within

EMAIL_MAX = 254
NAME_MAX = 100
PASSWORD_MIN = 8
PASSWORD_MAX = 128

INVALID_CREDENTIALS = "Invalid email or password"
EMAIL_TAKEN = "User with this email already exists"
WRONG_CURRENT_PASSWORD = "Current password is incorrect"
SIGN_IN_EXPIRED = "This sign-in has expired. Please sign in again."
WRONG_CODE = "This code is not valid. Enter the code your app shows now, or a recovery code."


@dataclass(frozen=True)
class Registration:
    email: str
    password: str
    name: str


@dataclass(frozen=True)
class SignedIn:
    """A user, a fresh access token and the refresh token of their session."""

    user: User
    access_token: str
    session: Issued


def normalize_email(email: str) -> str:
    """The canonical form of an email address: Unicode-normalized, trimmed, lower-cased, so
    one address spelled two ways (NFC/NFD, IDNA) is one account."""
    email = email.strip()
    with contextlib.suppress(EmailNotValidError):  # a malformed address just fails to log in
        email = validate_email(email, check_deliverability=False).normalized
    return email.lower()


def checked_email(email: str) -> str:
    within(email.strip(), "Email", at_most=EMAIL_MAX)
    try:
        validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise Invalid("Please provide a valid email address") from error
    return normalize_email(email)


def check_new_password(password: str) -> None:
    within(password, "Password", at_least=PASSWORD_MIN, at_most=PASSWORD_MAX)
    if is_common(password):
        raise Invalid("This password is too common. Please choose a less guessable one")


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise Invalid("Please provide email, password, and name")
    return within(name, "Name", at_most=NAME_MAX)


class AccountService:
    def __init__(
        self,
        session: AsyncSession,
        *,
        credentials: CredentialReader,
        sessions: SessionService,
        hasher: PasswordHasher,
        tokens: AccessTokens,
        throttle: Throttle,
        second_step: SecondStep,
        passkeys: Passkeys,
        log: SecurityLog,
        clock: Clock,
    ) -> None:
        self._session = session
        self._users = UserRepository(session)
        self._projects = ProjectService(session, clock=clock)
        self._credentials = credentials
        self._sessions = sessions
        self._hasher = hasher
        self._tokens = tokens
        self._throttle = throttle
        self._second_step = second_step
        self._passkeys = passkeys
        self._log = log
        self._clock = clock

    async def _signed_in(self, user: User, client: Client, method: str) -> SignedIn:
        issued = await self._sessions.start(user.id, client)
        self._log.record(user.id, Kind.SIGNED_IN, method=method, session=str(issued.session_id))
        return SignedIn(user, self._tokens.issue(user.id, issued.session_id), issued)

    async def register(self, registration: Registration, client: Client) -> SignedIn:
        email = checked_email(registration.email)
        name = _checked_name(registration.name)
        check_new_password(registration.password)
        await self._throttle.registration(client.ip)
        if await self._credentials.by_email(email) is not None:
            raise Conflict(EMAIL_TAKEN)
        password_hash = await self._hasher.hash(registration.password)
        now = self._clock()
        user = User(
            email=email, name=name, password_hash=password_hash, created_at=now, updated_at=now
        )
        try:
            await self._users.add(user)
        except DuplicateEmail as error:
            raise Conflict(EMAIL_TAKEN) from error
        await self._projects.add_inbox(user.id, now)
        return await self._signed_in(user, client, "registration")

    async def login(self, email: str, password: str, client: Client) -> SignedIn | SecondStepNeeded:
        """Sign in, or, with two-step sign-in on, pass to the second step; an unknown email
        costs the same work and answers the same as a bad password.

        The password is checked with no connection held. Then the user row is share-locked
        until the session is committed and must still hold the hash that was checked, so a
        concurrent password change either sees this session (and ends it) or fails this login.
        """
        email = normalize_email(email)
        attempt = await self._throttle.login_attempt(email, client.ip)
        if len(email) > EMAIL_MAX or len(password) > PASSWORD_MAX:
            raise Unauthorized(INVALID_CREDENTIALS)  # no account has such credentials
        found = await self._credentials.by_email(email)
        stored_hash = found.password_hash if found is not None else None
        if not await self._hasher.verify(stored_hash, password) or found is None:
            if found is not None:
                self._log.record_attempt(found.user_id, Kind.SIGN_IN_FAILED, method="password")
            raise Unauthorized(INVALID_CREDENTIALS)
        rehashed = None
        if self._hasher.needs_rehash(found.password_hash):
            rehashed = await self._hasher.hash(password)
        user = await self._users.by_id(found.user_id, lock="share")
        if user is None or user.password_hash != found.password_hash:
            raise Unauthorized(INVALID_CREDENTIALS)  # changed or deleted since the check
        if rehashed is not None:
            user.password_hash = rehashed
        if await self._second_step.two_factor.enabled(user.id):
            await self._throttle.login_half_done(attempt)
            return await self._second_step.begin(user.id, user.password_hash)
        await self._throttle.login_succeeded(attempt)
        return await self._signed_in(user, client, "password")

    async def finish_login(self, challenge: str, proof: Proof, client: Client) -> SignedIn:
        """The second step: the challenge of a sign-in whose password was right, and a code
        or a recovery code."""
        pending = await self._second_step.pending(challenge)
        found = None if pending is None else await self._credentials.by_id(pending.user_id)
        if pending is None or found is None:
            raise SignInExpired(SIGN_IN_EXPIRED)
        if not await self._second_step.prove(found, proof, client, Kind.SIGN_IN_FAILED):
            raise Unauthorized(WRONG_CODE)
        user = await self._users.by_id(found.user_id, lock="share")
        if user is None or password_mark(user.password_hash) != pending.password:
            raise SignInExpired(SIGN_IN_EXPIRED)  # the password changed since the first step
        if not await self._second_step.finish(challenge):
            raise SignInExpired(SIGN_IN_EXPIRED)  # another request finished this sign-in
        return await self._signed_in(user, client, f"password+{proof.method}")

    async def login_with_passkey(
        self, answer: PasskeyAnswer, party: RelyingParty, client: Client
    ) -> SignedIn:
        """Sign in with a passkey: no password, and no second step (a passkey is both)."""
        user = await self._passkey_owner(answer, party, client, Kind.SIGN_IN_FAILED)
        if user is None:
            raise Unauthorized(NOT_SIGNED_IN)
        return await self._signed_in(user, client, "passkey")

    async def _passkey_owner(
        self, answer: PasskeyAnswer, party: RelyingParty, client: Client, failed: Kind
    ) -> User | None:
        """The user whose passkey gave `answer`, or None. Counted as a sign-in attempt on
        that account (or on the unknown credential); a wrong one is logged. The user row is
        share-locked, as a password sign-in's is."""
        passkey = await self._passkeys.owner(answer.credential)
        user = None if passkey is None else await self._users.by_id(passkey.user_id, "share")
        account = user.email if user is not None else f"passkey:{answer.credential.get('id')}"
        attempt = await self._throttle.login_attempt(account, client.ip)
        if passkey is None or user is None:
            return None
        # A passkey stands for both steps only when it verified its user (PIN, biometrics):
        # one that merely saw someone present is one factor, not enough where two are on.
        two_step = await self._second_step.two_factor.enabled(user.id)
        if not await self._passkeys.verify(passkey, answer, party, user_verified=two_step):
            self._log.record_attempt(user.id, failed, method="passkey")
            return None
        await self._throttle.login_succeeded(attempt)
        return user

    async def reauthenticate(
        self,
        user_id: uuid.UUID,
        session_id: uuid.UUID,
        client: Client,
        *,
        password: str | None = None,
        proof: Proof | None = None,
        passkey: tuple[PasskeyAnswer, RelyingParty] | None = None,
    ) -> None:
        """Confirm, with the password, a passkey or a second factor, that the session's user
        is at the keyboard: sensitive changes are allowed for a few minutes
        (`require_recent`)."""
        if password is not None:
            await self._verified(user_id, password, client)
            method = "password"
        elif passkey is not None:
            answer, party = passkey
            owner = await self._passkey_owner(answer, party, client, Kind.REAUTHENTICATION_FAILED)
            if owner is None or owner.id != user_id:
                raise Invalid.at("body", "/passkey", NOT_SIGNED_IN)
            method = "passkey"
        elif proof is not None:
            await self._proved_factor(user_id, proof, client)
            method = proof.method
        else:
            raise Invalid("Please provide your password or a code")
        await self._sessions.confirmed(user_id, session_id)
        self._log.record(user_id, Kind.REAUTHENTICATED, method=method)

    async def _proved_factor(self, user_id: uuid.UUID, proof: Proof, client: Client) -> None:
        """Refuse unless `proof` is one of the user's second factors (then spent)."""
        user = await self.profile(user_id)  # in the request's transaction: no password work follows
        found = Credentials(user.id, user.email, user.password_hash)
        if not await self._second_step.prove(found, proof, client, Kind.REAUTHENTICATION_FAILED):
            raise Invalid.at("body", proof.member, WRONG_CODE)

    async def turn_off_two_step(self, user_id: uuid.UUID, proof: Proof, client: Client) -> None:
        """Turn two-step sign-in off, confirmed by a current code or a recovery code."""
        if not await self._second_step.two_factor.enabled(user_id):
            raise Conflict(NOT_ON)
        await self._proved_factor(user_id, proof, client)
        await self._second_step.two_factor.turn_off(user_id)

    async def refresh(self, refresh_token: str, client: Client) -> SignedIn:
        issued = await self._sessions.rotate(refresh_token, client)
        user = await self.profile(issued.user_id)
        return SignedIn(user, self._tokens.issue(user.id, issued.session_id), issued)

    async def change_password(
        self,
        user_id: uuid.UUID,
        current_session: uuid.UUID,
        current_password: str,
        new_password: str,
        client: Client,
    ) -> int:
        """Set a new password and end every other session; how many were ended.

        Both hashes are computed with no connection held; then the user row is locked for
        update (concurrent logins wait, then fail on the changed hash) and must still hold the
        hash the current password was checked against.
        """
        found = await self._verified(user_id, current_password, client)
        check_new_password(new_password)
        if new_password == current_password:
            raise Invalid("New password must be different from the current password")
        new_hash = await self._hasher.hash(new_password)
        user = await self._locked(found)
        user.password_hash = new_hash
        user.updated_at = self._clock()
        self._log.record(user_id, Kind.PASSWORD_CHANGED)
        return await self._sessions.end_all(user_id, "password-change", keep=current_session)

    async def delete_account(self, user_id: uuid.UUID, password: str, client: Client) -> None:
        """Delete the account, confirmed by its password, in one transaction: its sessions
        end, its Inbox and the projects it alone owns go, and it leaves the others (its
        tasks there stay, their author and assignee cleared)."""
        user = await self._locked(await self._verified(user_id, password, client))
        await self._sessions.end_all(user_id, "account-deleted")
        await self._projects.forget_account(user_id)
        await self._session.delete(user)
        await self._session.flush()

    async def _verified(self, user_id: uuid.UUID, password: str, client: Client) -> Credentials:
        """The user's credentials, once `password` is theirs (counted as a sign-in attempt),
        checked with no connection held."""
        found = await self._credentials.by_id(user_id)
        if found is None:
            raise NotFound("User not found")
        attempt = await self._throttle.login_attempt(found.email, client.ip)
        if not await self._hasher.verify(found.password_hash, password):
            self._log.record_attempt(user_id, Kind.REAUTHENTICATION_FAILED, method="password")
            raise Invalid(WRONG_CURRENT_PASSWORD)
        await self._throttle.login_succeeded(attempt)
        return found

    async def _locked(self, found: Credentials) -> User:
        """The user row, locked for update, if it still holds the hash that was checked."""
        user = await self._users.by_id(found.user_id, lock="update")
        if user is None:
            raise NotFound("User not found")
        if user.password_hash != found.password_hash:
            raise Conflict("The password was changed meanwhile. Please try again.")
        return user

    async def profile(self, user_id: uuid.UUID) -> User:
        user = await self._users.by_id(user_id)
        if user is None:
            raise NotFound("User not found")
        return user
