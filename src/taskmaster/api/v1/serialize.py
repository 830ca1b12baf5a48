"""v1 JSON shapes of users, sessions and tasks (camelCase, JavaScript-style timestamps)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from taskmaster.auth.models import AuthSession
from taskmaster.tasks.service import TaskSummary


def timestamp(moment: datetime) -> str:
    """The form JavaScript's Date.toISOString() gives, which the MVP's clients parse."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


class UserLike(Protocol):
    id: uuid.UUID
    email: str
    name: str
    created_at: datetime


def user_summary(user: UserLike) -> dict[str, Any]:
    return {"id": str(user.id), "email": user.email, "name": user.name}


def user_profile(user: UserLike) -> dict[str, Any]:
    return {**user_summary(user), "createdAt": timestamp(user.created_at)}


def session(auth_session: AuthSession, current: uuid.UUID) -> dict[str, Any]:
    """One of a user's sessions, `current` being the caller's (v2 shows them the same way)."""
    return {
        "id": str(auth_session.id),
        "createdAt": timestamp(auth_session.created_at),
        "lastUsedAt": timestamp(auth_session.last_used_at),
        "expiresAt": timestamp(auth_session.expires_at),
        "userAgent": auth_session.user_agent,
        "ip": auth_session.ip,
        "current": auth_session.id == current,
    }


# A task's keys, in the order of the columns the database renders (tasks/queries.RENDERED).
TASK_FIELDS = (
    "id",
    "userId",
    "title",
    "description",
    "status",
    "priority",
    "dueDate",
    "createdAt",
    "updatedAt",
)


def task(row: Sequence[Any]) -> dict[str, Any]:
    """A task row, already rendered as text by the database: just name its columns."""
    return dict(zip(TASK_FIELDS, row, strict=False))  # a list row carries its sort value last


def summary(counts: TaskSummary) -> dict[str, int]:
    """The counts of a user's tasks (v2 shows them the same way)."""
    return {
        "total": counts.total,
        "pending": counts.pending,
        "inProgress": counts.in_progress,
        "completed": counts.completed,
        "overdue": counts.overdue,
    }
