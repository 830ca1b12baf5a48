"""The task table, its vocabularies, and the record of changes a delta query reads."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from taskmaster.db.base import Base, UTCDateTime
from taskmaster.ids import uuid7


class Status(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


def _one_of(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


# Indexes on expressions, made by migration 0003 only (Alembic cannot compare expressions).
EXPRESSION_INDEXES = frozenset(
    {
        "ix_tasks_user_due",
        "ix_tasks_user_priority",
        "ix_tasks_user_title",
        "ix_tasks_title_trigrams",
        "ix_tasks_description_trigrams",
    }
)


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint(_one_of("status", Status), name="status"),
        CheckConstraint(_one_of("priority", Priority), name="priority"),
        # One index per list order, and the EXPRESSION_INDEXES.
        Index("ix_tasks_user_created", "user_id", "created_at", "id"),
        Index("ix_tasks_user_status_created", "user_id", "status", "created_at", "id"),
        Index("ix_tasks_user_updated", "user_id", "updated_at", "id"),
        Index("ix_tasks_user_revision", "user_id", "revision", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=Status.PENDING.value)
    priority: Mapped[str] = mapped_column(String(8), default=Priority.MEDIUM.value)
    due_date: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The owner's change clock when the task was last written (migration 0004's triggers):
    # its ETag, and its place in the delta query.
    revision: Mapped[int] = mapped_column(BigInteger, server_default="0")


class ChangeClock(Base):
    """Counts the changes to one owner's tasks. Every write takes the next revision while
    holding this row, so revisions become visible in the order they were taken."""

    __tablename__ = "change_clocks"

    owner_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    revision: Mapped[int] = mapped_column(BigInteger, server_default="0")
    # Tombstones up to this revision are forgotten: an older delta cursor must start over.
    forgotten_through: Mapped[int] = mapped_column(BigInteger, server_default="0")


class TaskTombstone(Base):
    """A deleted task, kept for a while so that syncing clients learn of the deletion."""

    __tablename__ = "task_tombstones"
    __table_args__ = (
        Index("ix_task_tombstones_owner_revision", "owner_id", "revision", "task_id"),
    )

    task_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("change_clocks.owner_id", ondelete="CASCADE")
    )
    revision: Mapped[int] = mapped_column(BigInteger)
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
