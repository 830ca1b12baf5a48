"""The outbox's statements: claim the oldest unsent events, look for any, forget sent ones."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import BigInteger, bindparam, delete, exists, func, select, update

from taskmaster.db.database import Database, Transaction
from taskmaster.db.query import Query
from taskmaster.events.models import OutboxEvent
from taskmaster.tasks.repository import uuid_of

SESSION_ENDED = "session:ended"  # the topic of an ended session's event (migration 0007)

# Relays claim events one round at a time, whichever process they run in: rounds in turn
# publish a project's events in the order its transactions committed.
RELAY_LOCK = 0x7461_736B_6D61_7374  # "taskmast"


@dataclass(frozen=True)
class Event:
    """A committed change, as the outbox holds it: `id` orders events and names each one
    (consumers drop one they have seen), `data` is its payload as API v2 shows it."""

    id: int
    topic: str
    project_id: uuid.UUID | None
    user_id: uuid.UUID | None
    data: Any


def _optional_uuid(value: Any) -> uuid.UUID | None:
    return None if value is None else uuid_of(value)


def _event(id_: Any, topic: str, project: Any, user: Any, data: Any) -> Event:
    return Event(int(id_), topic, _optional_uuid(project), _optional_uuid(user), data)


def _text(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


_UNSENT = (
    select(OutboxEvent.id)
    .where(OutboxEvent.sent_at.is_(None))
    .order_by(OutboxEvent.id)
    .limit(bindparam("limit"))
)
CLAIM = Query(
    update(OutboxEvent)
    .where(OutboxEvent.id.in_(_UNSENT.scalar_subquery()))
    .values(sent_at=bindparam("now", type_=OutboxEvent.sent_at.type))
    .returning(
        OutboxEvent.id,
        OutboxEvent.topic,
        OutboxEvent.project_id,
        OutboxEvent.user_id,
        OutboxEvent.payload,
    )
)
OLDEST_UNSENT = select(func.min(OutboxEvent.created_at)).where(OutboxEvent.sent_at.is_(None))
ANY_UNSENT = Query(select(exists().where(OutboxEvent.sent_at.is_(None))))
TAKE_TURN = Query(select(func.pg_advisory_xact_lock(bindparam("lock", type_=BigInteger()))))
FORGET = Query(
    delete(OutboxEvent).where(
        OutboxEvent.sent_at < bindparam("before", type_=OutboxEvent.sent_at.type)
    )
)


class Outbox:
    """The events of committed writes, as the relay takes them."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._postgres = db.engine.dialect.name == "postgresql"

    async def claim(self, within: Transaction, now: datetime, limit: int) -> list[Event]:
        """Mark the oldest `limit` unsent events sent, within a transaction that commits once
        they are published (and rolls back, leaving them unsent, if they are not); them in
        order. On PostgreSQL the transaction first waits for its turn among the relays."""
        if self._postgres:
            await within.fetch(TAKE_TURN, {"lock": RELAY_LOCK})
        rows = await within.fetch(CLAIM, {"now": now, "limit": limit})
        events = [
            Event(
                int(id_), topic, _optional_uuid(project), _optional_uuid(user), orjson.loads(data)
            )
            for id_, topic, project, user, data in rows
        ]
        return sorted(events, key=lambda event: event.id)

    async def any_unsent(self) -> bool:
        """Whether any event waits, asked without a transaction (the poll's cheap question)."""
        [[waiting]] = await self._db.read_primary(ANY_UNSENT, {})
        return bool(waiting)

    async def oldest_unsent(self) -> datetime | None:
        """When the oldest event still waiting was written; None when none waits."""
        async with self._db.session() as session:
            oldest: datetime | None = await session.scalar(OLDEST_UNSENT)
        return oldest

    async def forget_sent(self, before: datetime) -> None:
        """Delete the events sent before `before`."""
        await self._db.write(FORGET, {"before": before})


def encoded(events: Sequence[Event]) -> bytes:
    """Events as one message on the bus."""
    return orjson.dumps(
        [
            [
                e.id,
                e.topic,
                e.project_id and str(e.project_id),
                e.user_id and str(e.user_id),
                e.data,
            ]
            for e in events
        ]
    )


def decoded(message: bytes) -> list[Event]:
    return [
        Event(id_, topic, _optional_uuid(project), _optional_uuid(user), data)
        for id_, topic, project, user, data in orjson.loads(message)
    ]
