"""The idempotency key table."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from taskmaster.db.base import Base, UTCDateTime


class IdempotencyKey(Base):
    """A key one user sent with a request: which request (its fingerprint) and, once it
    committed, the answer to give every retry."""

    __tablename__ = "idempotency_keys"

    owner_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    body: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
