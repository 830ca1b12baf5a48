"""Run a write once per idempotency key: a retry gets the first answer, never a second write.

The key is claimed, the work done and its answer recorded in one transaction. A retry that
arrives while the first is still running waits for it on the key's unique index (PostgreSQL;
SQLite has one writer at a time), then finds the recorded answer: retries that arrive at
once, on any number of instances, make one write. Keys live 24 hours.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, null, select, update
from sqlalchemy.dialects import postgresql, sqlite

from taskmaster.clock import Clock
from taskmaster.db.database import Database, Transaction
from taskmaster.db.query import Query
from taskmaster.errors import IdempotencyKeyReused
from taskmaster.idempotency.models import IdempotencyKey

LIFETIME = timedelta(hours=24)
REUSED = "This Idempotency-Key was sent with a different request; use a new key"


@dataclass(frozen=True)
class Answer:
    """What a write answered: its status and body, given again to every retry."""

    status: int
    body: bytes
    replayed: bool = False


def fingerprint(*parts: bytes) -> str:
    """What identifies a request: the same key must come with the same one."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def _claim(dialect: Any) -> Query:
    """Insert the key; or take it over when it has expired. Returns a row when claimed."""
    keys = IdempotencyKey.__table__
    statement = dialect.insert(keys).values(
        owner_id=bindparam("for_owner"),
        key=bindparam("for_key"),
        fingerprint=bindparam("for_request"),
        created_at=bindparam("now"),
    )
    statement = statement.on_conflict_do_update(
        index_elements=[keys.c.owner_id, keys.c.key],
        set_={
            "fingerprint": statement.excluded.fingerprint,
            "created_at": statement.excluded.created_at,
            "status": null(),
            "body": null(),
        },
        where=keys.c.created_at < bindparam("expired_before"),
    )
    return Query(statement.returning(keys.c.owner_id))


THIS_KEY = (IdempotencyKey.owner_id == bindparam("for_owner")) & (
    IdempotencyKey.key == bindparam("for_key")
)
CLAIM = {"postgresql": _claim(postgresql), "sqlite": _claim(sqlite)}
RECORDED = Query(
    select(IdempotencyKey.fingerprint, IdempotencyKey.status, IdempotencyKey.body).where(THIS_KEY)
)
RECORD = Query(
    update(IdempotencyKey)
    .where(THIS_KEY)
    .values(status=bindparam("answer_status"), body=bindparam("answer_body"))
)


class IdempotencyKeys:
    def __init__(self, db: Database, *, clock: Clock, lifetime: timedelta = LIFETIME) -> None:
        self._db = db
        self._clock = clock
        self._claim = CLAIM[db.engine.dialect.name]
        self.lifetime = lifetime

    async def once(
        self,
        owner_id: uuid.UUID,
        key: str,
        request: str,
        work: Callable[[Transaction], Awaitable[Answer]],
        *,
        within: Transaction | None = None,
    ) -> Answer:
        """`work`'s answer, from its one run for (`owner_id`, `key`); `request` is the
        request's fingerprint, which a retry must repeat (else IdempotencyKeyReused).

        The key, the work and the answer commit together: in a transaction of their own, or
        `within` the caller's, which then commits them (or rolls all three back)."""
        now = self._clock()
        values = {
            "for_owner": owner_id,
            "for_key": key,
            "for_request": request,
            "now": now,
            "expired_before": now - self.lifetime,
        }

        async def claim_work_record(tx: Transaction) -> Answer | None:
            if await tx.fetch(self._claim, values):
                answer = await work(tx)
                await tx.fetch(
                    RECORD, values | {"answer_status": answer.status, "answer_body": answer.body}
                )
                return answer
            # Another run has the key, committed: its claim waited for that. Read its answer
            # here, on the primary, in a statement that sees every commit so far.
            [(recorded, status, body)] = await tx.fetch(RECORDED, values)
            if recorded != request:
                return None
            return Answer(int(status), bytes(body), replayed=True)

        if within is not None:
            answer = await claim_work_record(within)
        else:
            answer = await self._db.transaction(claim_work_record, writer=owner_id)
        if answer is None:
            raise IdempotencyKeyReused.at("header", "Idempotency-Key", REUSED)
        return answer

    async def forget(self, older_than: datetime) -> int:
        """Delete keys created before `older_than`; how many there were."""
        async with self._db.session() as session:
            gone = await session.execute(
                delete(IdempotencyKey)
                .where(IdempotencyKey.created_at < older_than)
                .returning(IdempotencyKey.key)
            )
            count = len(gone.all())
            await session.commit()
        return count
