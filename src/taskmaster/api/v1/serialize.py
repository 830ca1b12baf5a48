"""v1 JSON shapes of users and tasks (camelCase, JavaScript-style timestamps)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Protocol


def timestamp(moment: datetime) -> str:
    """The form JavaScript's Date.toISOString() gives, which the MVP's clients parse."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


class UserLike(Protocol):
    id: uuid.UUID
    email: str
    name: str
    created_at: datetime


class TaskLike(Protocol):
    id: uuid.UUID
    user_id: uuid.UUID
    title: str
    description: str
    status: str
    priority: str
    due_date: datetime | None
    created_at: datetime
    updated_at: datetime


def user_summary(user: UserLike) -> dict[str, Any]:
    return {"id": str(user.id), "email": user.email, "name": user.name}


def user_profile(user: UserLike) -> dict[str, Any]:
    return {**user_summary(user), "createdAt": timestamp(user.created_at)}


def task(row: TaskLike) -> dict[str, Any]:
    due = row.due_date
    return {
        "id": str(row.id),
        "userId": str(row.user_id),
        "title": row.title,
        "description": row.description,
        "status": row.status,
        "priority": row.priority,
        "dueDate": None if due is None else timestamp(due),
        "createdAt": timestamp(row.created_at),
        "updatedAt": timestamp(row.updated_at),
    }
