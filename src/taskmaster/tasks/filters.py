"""What a task list asks for: which of a user's tasks, in which order, which page."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from taskmaster.tasks.models import Priority, Status


class SortKey(StrEnum):
    CREATED_AT = "createdAt"
    UPDATED_AT = "updatedAt"
    DUE_DATE = "dueDate"
    TITLE = "title"
    PRIORITY = "priority"  # by rank: low < medium < high


@dataclass(frozen=True)
class TaskFilter:
    status: Status | None = None
    priority: Priority | None = None
    search: str | None = None
    sort: SortKey = SortKey.CREATED_AT
    descending: bool = True
    limit: int = 1000
    offset: int = 0
