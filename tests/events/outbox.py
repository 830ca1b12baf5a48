"""The outbox as tests read it: the events written so far, oldest first."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select

from taskmaster.events.models import OutboxEvent
from taskmaster.runtime import Runtime


@dataclass(frozen=True)
class Written:
    id: int
    topic: str
    project_id: str | None
    user_id: str | None
    payload: dict[str, Any]


def _text(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


async def written(runtime: Runtime, *, after: int = 0) -> list[Written]:
    """Every event in the outbox after the one numbered `after`, sent or not, in order."""
    async with runtime.db.session() as session:
        rows = await session.scalars(
            select(OutboxEvent).where(OutboxEvent.id > after).order_by(OutboxEvent.id)
        )
        return [
            Written(
                row.id,
                row.topic,
                _text(row.project_id),
                _text(row.user_id),
                orjson.loads(row.payload),
            )
            for row in rows
        ]


async def last_id(runtime: Runtime) -> int:
    events = await written(runtime)
    return events[-1].id if events else 0
