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


# Indexes on expressions, made by migrations only (Alembic cannot compare expressions).
EXPRESSION_INDEXES = frozenset(
    {
        "ix_tasks_project_due",
        "ix_tasks_project_priority",
        "ix_tasks_project_title",
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
        Index("ix_tasks_project_created", "project_id", "created_at", "id"),
        Index("ix_tasks_project_status_created", "project_id", "status", "created_at", "id"),
        Index("ix_tasks_project_updated", "project_id", "updated_at", "id"),
        Index("ix_tasks_project_revision", "project_id", "revision", "id"),
        Index("ix_tasks_assignee_created", "assignee_id", "created_at", "id"),
        Index("ix_tasks_created_by", "created_by"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid7)
    project_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("projects.id", ondelete="CASCADE")
    )
    # Who created the task; NULL once that account is deleted (its tasks in shared projects stay).
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=Status.PENDING.value)
    priority: Mapped[str] = mapped_column(String(8), default=Priority.MEDIUM.value)
    due_date: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Its project's change clock when the task was last written (migrations 0004 and 0005's
    # triggers): its ETag, and its place in the delta query.
    revision: Mapped[int] = mapped_column(BigInteger, server_default="0")


class ChangeClock(Base):
    """Counts the changes to one project's tasks. Every write takes the next revision while
    holding this row, so revisions become visible in the order they were taken."""

    __tablename__ = "change_clocks"

    project_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    revision: Mapped[int] = mapped_column(BigInteger, server_default="0")
    # Tombstones up to this revision are forgotten: an older delta cursor must start over.
    forgotten_through: Mapped[int] = mapped_column(BigInteger, server_default="0")


class TaskTombstone(Base):
    """A task deleted from a project or moved out of it, kept for a while so that syncing
    clients learn that it left."""

    __tablename__ = "task_tombstones"
    __table_args__ = (
        Index("ix_task_tombstones_project_revision", "project_id", "revision", "task_id"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("change_clocks.project_id", ondelete="CASCADE"), primary_key=True
    )
    task_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger)
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
