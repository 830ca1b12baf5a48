"""The security log: what happened to an account's doors, for its user (the account page)
and for operators (one JSON log line per entry).

An entry about a change is written in the change's transaction, so a change that fails leaves
none; its log line follows the commit. An entry about a failed attempt is written in a
transaction of its own once the request's has ended, whichever way: the request's is rolled
back, and SQLite's one connection is the request's until then. Entries older than the
retention (SECURITY_LOG_RETENTION_DAYS) are forgotten by the upkeep.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import orjson
import structlog
from sqlalchemy import delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from taskmaster.auth.models import SecurityEvent
from taskmaster.clock import Clock
from taskmaster.ids import uuid7

if TYPE_CHECKING:  # the sessions record their endings here
    from taskmaster.auth.sessions import Client

log = structlog.get_logger("taskmaster.security")
PENDING = "taskmaster.security-events"
ATTEMPTS = "taskmaster.failed-attempts"
DETAIL_MAX = 1000


class Kind(StrEnum):
    SIGNED_IN = "sign-in"
    SIGN_IN_FAILED = "sign-in-failed"
    REAUTHENTICATED = "reauthenticated"
    REAUTHENTICATION_FAILED = "reauthentication-failed"
    REFRESH_TOKEN_REUSED = "refresh-token-reused"
    SESSION_ENDED = "session-ended"
    PASSWORD_CHANGED = "password-changed"
    PASSKEY_ADDED = "passkey-added"
    PASSKEY_REMOVED = "passkey-removed"
    TOTP_ENABLED = "totp-enabled"
    TOTP_DISABLED = "totp-disabled"
    RECOVERY_CODES_RENEWED = "recovery-codes-renewed"
    RECOVERY_CODE_USED = "recovery-code-used"


def _detail(values: dict[str, Any]) -> str:
    text = orjson.dumps(values).decode()
    if len(text) > DETAIL_MAX:  # our own values are short; never refuse an entry for it
        text = orjson.dumps({"truncated": True}).decode()
    return text


def _announce(event: SecurityEvent) -> None:
    log.info(
        "security event",
        kind=event.kind,
        user_id=str(event.user_id),
        ip=event.ip,
        user_agent=event.user_agent,
        **orjson.loads(event.detail),
    )


class SecurityLog:
    """Records a request's security events, each with the request's client."""

    def __init__(self, session: AsyncSession, client: Client, *, clock: Clock) -> None:
        self._session = session
        self._client = client.trimmed()
        self._clock = clock

    def _event(self, user_id: uuid.UUID, kind: Kind, detail: dict[str, Any]) -> SecurityEvent:
        return SecurityEvent(
            id=uuid7(),  # now, not at the flush: entries of one moment keep their order
            user_id=user_id,
            kind=kind.value,
            at=self._clock(),
            ip=self._client.ip,
            user_agent=self._client.user_agent,
            detail=_detail(detail),
        )

    def record(self, user_id: uuid.UUID, kind: Kind, **detail: Any) -> None:
        """An entry in the request's transaction: kept, and logged, only if it commits."""
        event = self._event(user_id, kind, detail)
        self._session.add(event)
        self._session.info.setdefault(PENDING, []).append(event)

    def record_attempt(self, user_id: uuid.UUID, kind: Kind, **detail: Any) -> None:
        """An entry about a failed attempt, kept whatever the request's fate
        (`SecurityEvents.keep_attempts`)."""
        self._session.info.setdefault(ATTEMPTS, []).append(self._event(user_id, kind, detail))


def announce_committed(session: AsyncSession) -> None:
    """Log the entries the ORM session's committed transaction recorded (and forget them)."""
    for event in session.info.pop(PENDING, ()):
        _announce(event)


class SecurityEvents:
    """Reading the log, and forgetting what is past its retention."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def keep_attempts(self, request: AsyncSession) -> None:
        """Write the failed attempts the request recorded, once its transaction has ended."""
        attempts: list[SecurityEvent] = request.info.pop(ATTEMPTS, [])
        if not attempts:
            return
        try:
            async with self._sessions() as session:
                session.add_all(attempts)
                await session.commit()
        except Exception as error:  # the request's own failure must not be masked
            log.warning("failed attempts not kept", attempts=len(attempts), error=repr(error))
            return
        for event in attempts:
            _announce(event)

    async def page(
        self, user_id: uuid.UUID, *, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> Sequence[SecurityEvent]:
        """Up to `limit` entries of the user, newest first, from just past `after`."""
        query = select(SecurityEvent).where(SecurityEvent.user_id == user_id)
        if after is not None:
            query = query.where(tuple_(SecurityEvent.at, SecurityEvent.id) < tuple_(*after))
        query = query.order_by(SecurityEvent.at.desc(), SecurityEvent.id.desc()).limit(limit)
        async with self._sessions() as session:
            return (await session.scalars(query)).all()

    async def forget(self, before: datetime) -> int:
        """Delete every entry older than `before`; how many."""
        async with self._sessions() as session:
            result = await session.execute(delete(SecurityEvent).where(SecurityEvent.at < before))
            await session.commit()
        return int(getattr(result, "rowcount", 0))
