"""What a task list asks for: which of the tasks a caller can see, in which order, which page."""

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
class Ordering:
    """One sort key and its direction; a list is ordered by several, then by id."""

    key: SortKey
    descending: bool = False

    @classmethod
    def parse(cls, text: str) -> tuple[Ordering, ...]:
        """Read `-priority,dueDate`: keys in order, each reversed by a leading minus. A key
        named again is left out: the first already ordered its ties.

        Raises ValueError naming an unknown key."""
        order: list[Ordering] = []
        for part in text.split(","):
            name = part.strip()
            descending = name.startswith("-")
            try:
                key = SortKey(name.removeprefix("-"))
            except ValueError:
                names = ", ".join(SortKey)
                raise ValueError(f"{name!r} is not a sort key; one of: {names}") from None
            if all(ordering.key is not key for ordering in order):
                order.append(cls(key, descending))
        return tuple(order)


NEWEST_FIRST = (Ordering(SortKey.CREATED_AT, descending=True),)


@dataclass(frozen=True)
class After:
    """A keyset position: the page starts after the task with these sort values and id."""

    values: tuple[SortValue, ...]
    task_id: uuid.UUID


@dataclass(frozen=True)
class ChangePosition:
    """Where a delta reader stands: past every change up to `revision`, and past the changes
    with that revision up to `task_id`.

    `complete_at` is the revision as of which the reader's copy lacks no deletion: its
    position once it has caught up, and while it walks the tasks that were there when it
    began, the owner's revision then (a task it received may be deleted later, never
    earlier). None before the first page.
    """

    revision: int
    task_id: uuid.UUID
    complete_at: int | None = None


THE_BEGINNING = ChangePosition(-1, uuid.UUID(int=0))


@dataclass(frozen=True)
class TaskFilter:
    """Filters, order and page. A page is either `offset` rows in (v1) or `after` a keyset
    position, which costs the same however deep the page is. Without `project_id`, the tasks
    of every project the caller is a member of."""

    project_id: uuid.UUID | None = None
    assignee_id: uuid.UUID | None = None
    status: Status | None = None
    priority: Priority | None = None
    search: str | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    order: tuple[Ordering, ...] = NEWEST_FIRST
    limit: int = 1000
    offset: int = 0
    after: After | None = None

    @property
    def shape(self) -> tuple[object, ...]:
        """What decides the statement's text: equal shapes share one compiled statement."""
        return (*self.filter_shape, self.order, self.after is not None)

    @property
    def filter_shape(self) -> tuple[bool, ...]:
        """Which filters are present: what decides a count's text."""
        return (
            self.project_id is not None,
            self.assignee_id is not None,
            self.status is not None,
            self.priority is not None,
            bool(self.search),
            self.due_before is not None,
            self.due_after is not None,
        )
