"""The bulk generator: users with tasks as a year of real use would leave them.

Tasks come out in the order they were created, across all users, as an application inserts
them, so the table's physical order, its UUIDv7 keys and the planner's statistics look like
production's. Every timestamp is a whole millisecond.
"""

from __future__ import annotations

import random
import re
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from taskmaster.auth.service import normalize_email
from taskmaster.ids import ENTROPY_BITS, uuid7_at
from taskmaster.projects.policy import Role
from taskmaster.projects.service import INBOX_COLOR, INBOX_NAME
from taskmaster.seed.vocabulary import Writer, full_name
from taskmaster.tasks.models import Priority, Status

USER_COLUMNS = ("id", "email", "name", "password_hash", "created_at", "updated_at")
# Every user's Inbox (a project with the user's id) and its one member.
PROJECT_COLUMNS = (
    "id",
    "name",
    "color",
    "description",
    "inbox",
    "created_at",
    "updated_at",
    "version",
)
MEMBER_COLUMNS = ("project_id", "user_id", "role", "joined_at")
TASK_COLUMNS = (
    "id",
    "project_id",
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "created_at",
    "updated_at",
    "created_by",
)
UserRow = tuple[uuid.UUID, str, str, str, datetime, datetime]
ProjectRow = tuple[uuid.UUID, str, str, str, bool, datetime, datetime, int]
MemberRow = tuple[uuid.UUID, uuid.UUID, str, datetime]
TaskRow = tuple[
    uuid.UUID, uuid.UUID, str, str, str, str, datetime | None, datetime, datetime, uuid.UUID
]

# Reserved for examples (RFC 2606): never delivered, yet an address the app accepts.
EMAIL_DOMAIN = "seed.taskmaster.example"
DEFAULT_PASSWORD = "seeded password"
BATCH_ROWS = 50_000

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MILLISECOND = timedelta(milliseconds=1)
DAY = 86_400_000  # in milliseconds, as every time below
YEAR = 365 * DAY
JOINED_BETWEEN = (YEAR, DAY)  # users signed up between a year and a day ago
PRIORITY_WEIGHTS = {Priority.LOW.value: 0.3, Priority.MEDIUM.value: 0.5, Priority.HIGH.value: 0.2}
DUE_SHARE = 0.6
# The older a task, the likelier it is done: 15% of today's, 85% of those two months old.
DONE_WHEN_NEW, DONE_WHEN_OLD, DONE_BY_AGE = 0.15, 0.85, 60 * DAY
IN_PROGRESS_SHARE = 0.35  # of the tasks not done
UNTOUCHED_SHARE = 0.6  # of pending tasks: not edited since they were created
MEAN_TO_DONE, MEAN_TO_START = 4 * DAY, 2 * DAY
MEAN_DUE_DONE, MEAN_DUE_OPEN = 7 * DAY, 21 * DAY  # open tasks were planned further ahead


BATCH_PATTERN = re.compile(r"[a-z0-9]{1,16}")


def new_batch() -> str:
    """A short token that sets one run's emails and ids apart from every other run's."""
    return secrets.token_hex(4)


def random_seed() -> int:
    return secrets.randbelow(1 << 32)


@dataclass(frozen=True)
class BulkPlan:
    """What to seed. The same seed and `now` give the same rows, but for the batch token in
    emails and ids, whatever the batch size."""

    users: int
    tasks_per_user: int
    password: str = DEFAULT_PASSWORD
    seed: int = field(default_factory=random_seed)
    batch: str = field(default_factory=new_batch)

    def __post_init__(self) -> None:
        if self.users < 1 or self.tasks_per_user < 0:
            raise ValueError("seeding takes at least one user, and no fewer than no tasks each")

    @property
    def tasks(self) -> int:
        return self.users * self.tasks_per_user


def seed_email(number: int, batch: str) -> str:
    """The address of seeded user `number` (from 1) of `batch`, as the app stores it."""
    return normalize_email(f"user{number}.{batch}@{EMAIL_DOMAIN}")


def to_millis(moment: datetime) -> int:
    """Unix milliseconds, truncated."""
    return (moment - EPOCH) // MILLISECOND


def _at(ms: int) -> datetime:
    # Exact: the double nearest ms / 1000 is within 0.2 µs of it; rounding to whole
    # microseconds, as fromtimestamp does, removes that.
    return datetime.fromtimestamp(ms / 1000, UTC)


class BulkRows:
    """The rows of one run. Each kind of value draws from a random stream of its own, one
    value per row, so batches can be cut anywhere without changing a row."""

    def __init__(
        self, plan: BulkPlan, password_hash: str, now: datetime, batch_rows: int = BATCH_ROWS
    ) -> None:
        self.plan = plan
        self._password_hash = password_hash
        self._now = to_millis(now)
        self._batch_rows = batch_rows
        self._ids = self._stream(f"ids/{plan.batch}")
        self._life = self._stream("tasks/life")
        self._priorities = self._stream("tasks/priority")
        self._writer = Writer(lambda name: self._stream(f"text/{name}"))
        joined = self._stream("users/joined")
        oldest, newest = JOINED_BETWEEN
        self._joined = sorted(  # user 1 signed up first
            self._now - oldest + int(joined.random() * (oldest - newest)) for _ in range(plan.users)
        )
        self._user_ids = [uuid7_at(ms, self._ids.getrandbits(ENTROPY_BITS)) for ms in self._joined]

    def _stream(self, name: str) -> random.Random:
        # Reproducible on purpose: nothing here is a secret.
        return random.Random(f"{self.plan.seed}/{name}")  # noqa: S311

    def users(self) -> list[UserRow]:
        names = self._stream("users/name")
        rows: list[UserRow] = []
        for number, (user_id, joined) in enumerate(
            zip(self._user_ids, self._joined, strict=True), start=1
        ):
            at = _at(joined)
            email = seed_email(number, self.plan.batch)
            rows.append((user_id, email, full_name(names), self._password_hash, at, at))
        return rows

    def inboxes(self) -> tuple[list[ProjectRow], list[MemberRow]]:
        """Each user's Inbox, made when the user signed up, and its owner."""
        projects: list[ProjectRow] = []
        members: list[MemberRow] = []
        for user_id, joined in zip(self._user_ids, self._joined, strict=True):
            at = _at(joined)
            projects.append((user_id, INBOX_NAME, INBOX_COLOR, "", True, at, at, 1))
            members.append((user_id, user_id, Role.OWNER.value, at))
        return projects, members

    def task_batches(self) -> Iterator[list[TaskRow]]:
        """Every task, in creation order, at most `batch_rows` at a time."""
        bits = max(1, (self.plan.users - 1).bit_length())
        keys = self._creation_order(bits)
        mask = (1 << bits) - 1
        for start in range(0, len(keys), self._batch_rows):
            chunk = keys[start : start + self._batch_rows]
            yield self._tasks([(key >> bits, key & mask) for key in chunk])

    def _creation_order(self, bits: int) -> list[int]:
        """Each task as its creation time and its user's index in one sortable int: created
        after the user signed up, so more of them recently, as an application's users add up."""
        created = self._stream("tasks/created")
        keys: list[int] = []
        for index, joined in enumerate(self._joined):
            span = self._now - joined
            keys.extend(
                (joined + int(created.random() * span)) << bits | index
                for _ in range(self.plan.tasks_per_user)
            )
        keys.sort()
        return keys

    def _tasks(self, tasks: list[tuple[int, int]]) -> list[TaskRow]:
        count = len(tasks)
        titles = self._writer.titles(count)
        descriptions = self._writer.descriptions(count)
        priorities = self._priorities.choices(
            list(PRIORITY_WEIGHTS), list(PRIORITY_WEIGHTS.values()), k=count
        )
        life, entropy, user_ids, now = self._life, self._ids.getrandbits, self._user_ids, self._now
        roll, wait = life.random, life.expovariate
        rows: list[TaskRow] = []
        for (created, user), title, description, priority in zip(
            tasks, titles, descriptions, priorities, strict=True
        ):
            age = now - created
            done = DONE_WHEN_NEW + (DONE_WHEN_OLD - DONE_WHEN_NEW) * min(1.0, age / DONE_BY_AGE)
            chance = roll()
            if chance < done:
                status, due_mean = Status.COMPLETED.value, MEAN_DUE_DONE
                updated = created + min(age, int(wait(1 / MEAN_TO_DONE)))
            elif chance < done + (1 - done) * IN_PROGRESS_SHARE:
                status, due_mean = Status.IN_PROGRESS.value, MEAN_DUE_OPEN
                updated = created + min(age, int(wait(1 / MEAN_TO_START)))
            else:
                status, due_mean = Status.PENDING.value, MEAN_DUE_OPEN
                updated = created if roll() < UNTOUCHED_SHARE else created + int(roll() * age)
            # Due at a midnight, as a date picker sets it: the day after creation or later.
            due = (
                _at((created // DAY + 1) * DAY + int(wait(1 / due_mean)) // DAY * DAY)
                if roll() < DUE_SHARE
                else None
            )
            rows.append(
                (
                    uuid7_at(created, entropy(ENTROPY_BITS)),
                    user_ids[user],
                    title,
                    description,
                    status,
                    priority,
                    due,
                    _at(created),
                    _at(updated),
                    user_ids[user],  # the author, in their Inbox
                )
            )
        return rows
