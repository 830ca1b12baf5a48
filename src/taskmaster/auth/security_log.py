"""The security log: what happened to an account's doors, for its user (the account page)
and for operators (one JSON log line per entry).

An entry about a change is written in the change's transaction, so a change that fails leaves
none; its log line follows the commit. An entry about a failed attempt is written in a
transaction of its own, as the request's is rolled back. Entries older than the retention
(SECURITY_LOG_RETENTION_DAYS) are forgotten by the upkeep.
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

if TYPE_CHECKING:  # the sessions record their endings here
    from taskmaster.auth.sessions import Client

log = structlog.get_logger("taskmaster.security")
PENDING = "taskmaster.security-events"
DETAIL_MAX = 1000


class Kind(StrEnum):
    SIGNED_IN = "sign-in"
    SIGN_IN_FAILED = "sign-in-failed"
    REAUTHENTICATED = "reauthenticated"
    REAUTHENTICATION_FAILED = "reauthentication-failed"
    REFRESH_TOKEN_REUSED = "refresh-token-reused"
    SESSION_ENDED = "session-ended"
    PASSWORD_CHANGED = "password-changed"
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

    def __init__(
        self,
        session: AsyncSession,
        client: Client,
        *,
        apart: async_sessionmaker[AsyncSession],
        clock: Clock,
    ) -> None:
        self._session = session
        self._client = client.trimmed()
        self._apart = apart
        self._clock = clock

    def _event(self, user_id: uuid.UUID, kind: Kind, detail: dict[str, Any]) -> SecurityEvent:
        return SecurityEvent(
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

    async def record_attempt(self, user_id: uuid.UUID, kind: Kind, **detail: Any) -> None:
        """An entry about a failed attempt, committed at once whatever the request's fate."""
        event = self._event(user_id, kind, detail)
        async with self._apart() as session:
            session.add(event)
            await session.commit()
        _announce(event)


def announce_committed(session: AsyncSession) -> None:
    """Log the entries the ORM session's committed transaction recorded (and forget them)."""
    for event in session.info.pop(PENDING, ()):
        _announce(event)


class SecurityEvents:
    """Reading the log, and forgetting what is past its retention."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

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
