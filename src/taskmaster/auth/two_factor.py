"""Two-step sign-in with an authenticator app: enrol (a secret, confirmed by a first code),
prove a sign-in with a code or a recovery code, renew the recovery codes, turn it off.

A code is taken once: the factor keeps the last time step it accepted and moves it on with a
conditional update, so neither a replay nor two concurrent uses of one code get through. A
recovery code is spent the same way."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from taskmaster.auth.models import RecoveryCode, TotpFactor
from taskmaster.auth.security_log import Kind, SecurityLog
from taskmaster.auth.totp import (
    SealBroken,
    SecretSeal,
    matching_step,
    new_recovery_codes,
    new_secret,
    provisioning_uri,
    recovery_digest,
)
from taskmaster.clock import Clock
from taskmaster.errors import Conflict, Gone, Invalid, NotFound

log = structlog.get_logger(__name__)
ENROLMENT_LIFETIME = timedelta(minutes=10)
CODE_MAX = 64  # characters of a code or recovery code worth looking at

ALREADY_ON = "Two-step sign-in is already on. Turn it off first to use another app."
NOT_ON = "Two-step sign-in is not on for this account."
NO_ENROLMENT = "There is no set-up to confirm. Please start again."
ENROLMENT_EXPIRED = "This set-up has expired. Please start again."
CONCURRENT_SET_UP = "Another set-up began at the same time. Please start again."
WRONG_FIRST_CODE = "This code does not match. Enter the code your app shows now."


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str
    expires_at: datetime


@dataclass(frozen=True)
class TwoFactorStatus:
    enabled_at: datetime | None
    recovery_codes_left: int


@dataclass(frozen=True)
class Proof:
    """A second factor as a client presents it: an app's code or a recovery code."""

    code: str | None = None
    recovery_code: str | None = None

    @property
    def method(self) -> str:
        return "totp" if self.code is not None else "recovery-code"

    @property
    def member(self) -> str:
        """Where a request body carries it (a JSON pointer)."""
        return "/code" if self.code is not None else "/recoveryCode"


class TwoFactor:
    def __init__(
        self, session: AsyncSession, *, seal: SecretSeal, log: SecurityLog, clock: Clock
    ) -> None:
        self._session = session
        self._seal = seal
        self._log = log
        self._clock = clock

    async def _factor(self, user_id: uuid.UUID, *, lock: bool = False) -> TotpFactor | None:
        query = select(TotpFactor).where(TotpFactor.user_id == user_id)
        if lock:
            query = query.with_for_update()
        return await self._session.scalar(query.execution_options(populate_existing=True))

    def _secret(self, factor: TotpFactor) -> str | None:
        """The app's secret; None when another key sealed it (the signing key was replaced:
        then only a recovery code signs in, and the app is set up again)."""
        try:
            return self._seal.open(factor.user_id, factor.sealed_secret)
        except SealBroken:
            log.warning("authenticator secret sealed by another key", user_id=str(factor.user_id))
            return None

    async def enabled(self, user_id: uuid.UUID) -> bool:
        factor = await self._factor(user_id)
        return factor is not None and factor.enabled_at is not None

    async def status(self, user_id: uuid.UUID) -> TwoFactorStatus:
        factor = await self._factor(user_id)
        if factor is None or factor.enabled_at is None:
            return TwoFactorStatus(None, 0)
        left = await self._session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
        )
        return TwoFactorStatus(factor.enabled_at, left or 0)

    async def begin(self, user_id: uuid.UUID, account: str) -> Enrolment:
        """A new secret for the user's app, pending until a first code confirms it; it
        replaces a set-up begun before."""
        factor = await self._factor(user_id, lock=True)
        if factor is not None and factor.enabled_at is not None:
            raise Conflict(ALREADY_ON)
        secret, now = new_secret(), self._clock()
        sealed = self._seal.seal(user_id, secret)
        if factor is None:
            pending = TotpFactor(user_id=user_id, sealed_secret=sealed, created_at=now, last_step=0)
            try:
                async with self._session.begin_nested():
                    self._session.add(pending)
            except IntegrityError as error:
                raise Conflict(CONCURRENT_SET_UP) from error
        else:
            factor.sealed_secret, factor.created_at, factor.last_step = sealed, now, 0
            await self._session.flush()
        return Enrolment(secret, provisioning_uri(secret, account), now + ENROLMENT_LIFETIME)

    async def confirm(self, user_id: uuid.UUID, code: str) -> list[str]:
        """Turn two-step sign-in on with the pending set-up's first code; the recovery codes,
        shown this once."""
        factor = await self._factor(user_id, lock=True)
        if factor is None:
            raise NotFound(NO_ENROLMENT)
        if factor.enabled_at is not None:
            raise Conflict(ALREADY_ON)
        now = self._clock()
        if factor.created_at + ENROLMENT_LIFETIME <= now:
            raise Gone(ENROLMENT_EXPIRED)
        secret = self._secret(factor)
        if secret is None:
            raise Gone(ENROLMENT_EXPIRED)
        step = matching_step(secret, code[:CODE_MAX], now, after=factor.last_step)
        if step is None:
            raise Invalid.at("body", "/code", WRONG_FIRST_CODE)
        factor.enabled_at, factor.last_step = now, step
        codes = await self._replace_recovery_codes(user_id, now)
        self._log.record(user_id, Kind.TOTP_ENABLED)
        return codes

    async def renew_recovery_codes(self, user_id: uuid.UUID) -> list[str]:
        """Ten new recovery codes; the old ones stop working. The factor's row is locked, so
        two renewals at once leave one set."""
        factor = await self._factor(user_id, lock=True)
        if factor is None or factor.enabled_at is None:
            raise Conflict(NOT_ON)
        codes = await self._replace_recovery_codes(user_id, self._clock())
        self._log.record(user_id, Kind.RECOVERY_CODES_RENEWED)
        return codes

    async def _replace_recovery_codes(self, user_id: uuid.UUID, now: datetime) -> list[str]:
        await self._session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        codes = new_recovery_codes()
        self._session.add_all(
            RecoveryCode(user_id=user_id, code_hash=recovery_digest(user_id, code), created_at=now)
            for code in codes
        )
        await self._session.flush()
        return codes

    async def prove(self, user_id: uuid.UUID, proof: Proof) -> bool:
        """Whether `proof` is a second factor of the user's, spending it if so."""
        if proof.code is not None:
            return await self._spend_code(user_id, proof.code[:CODE_MAX])
        if proof.recovery_code is not None:
            return await self._spend_recovery_code(user_id, proof.recovery_code[:CODE_MAX])
        return False

    async def _spend_code(self, user_id: uuid.UUID, code: str) -> bool:
        factor = await self._factor(user_id)
        if factor is None or factor.enabled_at is None:
            return False
        secret = self._secret(factor)
        step = (
            None
            if secret is None
            else matching_step(secret, code, self._clock(), after=factor.last_step)
        )
        if step is None:
            return False
        # Conditional, so that of two requests with one code (or two codes) only one gets in.
        spent = await self._session.execute(
            update(TotpFactor)
            .where(TotpFactor.user_id == user_id, TotpFactor.last_step < step)
            .values(last_step=step)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(spent, "rowcount", 0))

    async def _spend_recovery_code(self, user_id: uuid.UUID, code: str) -> bool:
        if not await self.enabled(user_id):
            return False
        spent = await self._session.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user_id,
                RecoveryCode.code_hash == recovery_digest(user_id, code),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=self._clock())
            .execution_options(synchronize_session=False)
        )
        if not getattr(spent, "rowcount", 0):
            return False
        left = (await self.status(user_id)).recovery_codes_left
        self._log.record(user_id, Kind.RECOVERY_CODE_USED, left=left)
        return True

    async def turn_off(self, user_id: uuid.UUID) -> None:
        """Forget the app and the recovery codes (the caller has proved a factor)."""
        factor = await self._factor(user_id, lock=True)
        if factor is None or factor.enabled_at is None:
            raise Conflict(NOT_ON)
        await self._session.delete(factor)
        await self._session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        self._log.record(user_id, Kind.TOTP_DISABLED)
