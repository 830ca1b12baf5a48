"""Passkeys (WebAuthn, through the `webauthn` library): several per account, each named; a
discoverable credential signs in without a password, or confirms who is asking.

Each ceremony's challenge is single-use and lives five minutes in the shared store, so that
any instance finishes what another began. An assertion is checked against the credential's
stored public key and signature count: a replayed one finds its challenge spent."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
import webauthn
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, options_to_json_dict
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from taskmaster.auth.challenges import Challenges
from taskmaster.auth.models import Passkey, User
from taskmaster.auth.security_log import Kind, SecurityLog
from taskmaster.clock import Clock
from taskmaster.errors import Conflict, Invalid, NotFound

REGISTRATION = "passkey-registration"
ASSERTION = "passkey-assertion"
CEREMONY_LIFETIME = timedelta(minutes=5)
TIMEOUT_MS = 300_000
NAME_MAX = 100
PER_ACCOUNT = 20
CREDENTIAL_ID_MAX = 1023  # bytes (WebAuthn, 5.1)
RP_NAME = "TaskMaster"

NOT_VERIFIED = "This passkey could not be verified. Please try again."
CEREMONY_EXPIRED = "This passkey request has expired. Please try again."
NOT_SIGNED_IN = "This passkey could not sign you in."
TOO_MANY = f"An account keeps at most {PER_ACCOUNT} passkeys. Remove one first."
ALREADY_KNOWN = "This passkey is already registered."
PASSKEY_NOT_FOUND = "Passkey not found"

# What a malformed response raises inside the library, besides its own exceptions.
MALFORMED = (WebAuthnException, ValueError, TypeError, KeyError, AttributeError)


@dataclass(frozen=True)
class RelyingParty:
    """Who asks for passkeys: the domain they are bound to and the pages that may use them."""

    id: str
    origins: tuple[str, ...]


@dataclass(frozen=True)
class PasskeyAnswer:
    """A browser's answer to an assertion ceremony: the ceremony's token and the credential
    (WebAuthn's JSON form)."""

    ceremony: str
    credential: dict[str, Any]


@dataclass(frozen=True)
class Ceremony:
    """A ceremony begun: the token to send back with the browser's answer, and the options
    for navigator.credentials (WebAuthn's JSON form)."""

    token: str
    options: dict[str, Any]


def _transports(credential: dict[str, Any]) -> str:
    response = credential.get("response")
    given = response.get("transports", []) if isinstance(response, dict) else []
    known = {transport.value for transport in AuthenticatorTransport}
    listed = given if isinstance(given, list) else []
    return orjson.dumps([t for t in listed if isinstance(t, str) and t in known][:10]).decode()


def _credential_id(credential: dict[str, Any]) -> str:
    raw = credential.get("rawId", credential.get("id"))
    if not isinstance(raw, str) or not 0 < len(raw) <= 1400:
        raise Invalid.at("body", "/credential", NOT_VERIFIED)
    return raw


class Passkeys:
    def __init__(
        self, session: AsyncSession, *, challenges: Challenges, log: SecurityLog, clock: Clock
    ) -> None:
        self._session = session
        self._challenges = challenges
        self._log = log
        self._clock = clock

    async def of(self, user_id: uuid.UUID) -> Sequence[Passkey]:
        query = select(Passkey).where(Passkey.user_id == user_id)
        return (await self._session.scalars(query.order_by(Passkey.created_at))).all()

    async def registration(self, user: User, party: RelyingParty) -> Ceremony:
        """Options to create a discoverable passkey for `user`, none of theirs twice."""
        known = [
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(passkey.credential_id))
            for passkey in await self.of(user.id)
        ]
        options = webauthn.generate_registration_options(
            rp_id=party.id,
            rp_name=RP_NAME,
            user_id=user.id.bytes,
            user_name=user.email,
            user_display_name=user.name,
            timeout=TIMEOUT_MS,
            exclude_credentials=known,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.REQUIRED,
                user_verification=UserVerificationRequirement.PREFERRED,
            ),
        )
        state = {"user": str(user.id), "challenge": bytes_to_base64url(options.challenge)}
        issued = await self._challenges.issue(REGISTRATION, state, CEREMONY_LIFETIME)
        return Ceremony(issued.token, options_to_json_dict(options))

    async def register(
        self,
        user_id: uuid.UUID,
        ceremony: str,
        credential: dict[str, Any],
        name: str,
        party: RelyingParty,
    ) -> Passkey:
        """Keep the passkey the browser created in the ceremony, under `name`."""
        state = await self._challenges.take(REGISTRATION, ceremony)
        if state is None or state["user"] != str(user_id):
            raise Invalid.at("body", "/ceremony", CEREMONY_EXPIRED)
        try:
            verified = webauthn.verify_registration_response(
                credential=credential,
                expected_challenge=base64url_to_bytes(state["challenge"]),
                expected_rp_id=party.id,
                expected_origin=list(party.origins),
            )
        except MALFORMED as error:
            raise Invalid.at("body", "/credential", NOT_VERIFIED) from error
        if len(verified.credential_id) > CREDENTIAL_ID_MAX:  # longer than WebAuthn allows
            raise Invalid.at("body", "/credential", NOT_VERIFIED)
        if await self._count(user_id) >= PER_ACCOUNT:
            raise Conflict(TOO_MANY)
        now = self._clock()
        passkey = Passkey(
            user_id=user_id,
            credential_id=bytes_to_base64url(verified.credential_id),
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            name=name,
            transports=_transports(credential),
            created_at=now,
        )
        try:
            async with self._session.begin_nested():
                self._session.add(passkey)
        except IntegrityError as error:
            raise Conflict(ALREADY_KNOWN) from error
        self._log.record(user_id, Kind.PASSKEY_ADDED, name=name)
        return passkey

    async def _count(self, user_id: uuid.UUID) -> int:
        query = select(func.count()).select_from(Passkey).where(Passkey.user_id == user_id)
        return await self._session.scalar(query) or 0

    async def remove(self, user_id: uuid.UUID, passkey_id: uuid.UUID) -> None:
        passkey = await self._session.scalar(
            select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user_id)
        )
        if passkey is None:
            raise NotFound(PASSKEY_NOT_FOUND)
        await self._session.delete(passkey)
        self._log.record(user_id, Kind.PASSKEY_REMOVED, name=passkey.name)

    async def assertion(self, party: RelyingParty) -> Ceremony:
        """Options to sign in with any passkey for this site (the browser offers them)."""
        options = webauthn.generate_authentication_options(
            rp_id=party.id,
            timeout=TIMEOUT_MS,
            user_verification=UserVerificationRequirement.PREFERRED,
        )
        state = {"challenge": bytes_to_base64url(options.challenge)}
        issued = await self._challenges.issue(ASSERTION, state, CEREMONY_LIFETIME)
        return Ceremony(issued.token, options_to_json_dict(options))

    async def owner(self, credential: dict[str, Any]) -> Passkey | None:
        """The passkey a browser's answer names, if it is one of ours."""
        found = await self._session.scalar(
            select(Passkey).where(Passkey.credential_id == _credential_id(credential))
        )
        return found

    async def verify(
        self,
        passkey: Passkey,
        answer: PasskeyAnswer,
        party: RelyingParty,
        *,
        user_verified: bool = False,
    ) -> bool:
        """Whether `answer` is `passkey`'s to its ceremony (spent either way), with the user
        verified by the authenticator if `user_verified`; its count and use are kept."""
        state = await self._challenges.take(ASSERTION, answer.ceremony)
        if state is None:
            return False
        try:
            verified = webauthn.verify_authentication_response(
                credential=answer.credential,
                expected_challenge=base64url_to_bytes(state["challenge"]),
                expected_rp_id=party.id,
                expected_origin=list(party.origins),
                credential_public_key=passkey.public_key,
                credential_current_sign_count=passkey.sign_count,
                require_user_verification=user_verified,
            )
        except MALFORMED:
            return False
        # Conditional: of two uses counted alike, one is kept (a clone's shows up as reuse).
        counted = await self._session.execute(
            update(Passkey)
            .where(Passkey.id == passkey.id, Passkey.sign_count == passkey.sign_count)
            .values(sign_count=verified.new_sign_count, last_used_at=self._clock())
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(counted, "rowcount", 0))
