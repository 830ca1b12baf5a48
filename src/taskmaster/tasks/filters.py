"""What a task list asks for: which of a user's tasks, in which order, which page."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from taskmaster.tasks.models import Priority, Status


class SortKey(StrEnum):
    CREATED_AT = "createdAt"
    UPDATED_AT = "updatedAt"
    DUE_DATE = "dueDate"  # tasks without a due date come after every dated one
    TITLE = "title"  # case-insensitively
    PRIORITY = "priority"  # by rank: low < medium < high


SortValue = datetime | str | int


@dataclass(frozen=True)
class After:
    """A keyset position: the page starts after the task with this sort value and id."""

    value: SortValue
    task_id: uuid.UUID


@dataclass(frozen=True)
class TaskFilter:
    """Filters, order and page. A page is either `offset` rows in (v1) or `after` a keyset
    position, which costs the same however deep the page is."""

    status: Status | None = None
    priority: Priority | None = None
    search: str | None = None
    sort: SortKey = SortKey.CREATED_AT
    descending: bool = True
    limit: int = 1000
    offset: int = 0
    after: After | None = None

    @property
    def shape(self) -> tuple[object, ...]:
        """What decides the statement's text: equal shapes share one compiled statement."""
        return (
            self.status is not None,
            self.priority is not None,
            bool(self.search),
            self.sort,
            self.descending,
            self.after is not None,
        )
