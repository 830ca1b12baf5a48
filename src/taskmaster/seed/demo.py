"""Demo data: the MVP's demo account and its five sample tasks, safe to create twice."""

from __future__ import annotations

from dataclasses import dataclass

from taskmaster.auth.models import User
from taskmaster.auth.repository import DuplicateEmail, UserRepository
from taskmaster.clock import whole_millis
from taskmaster.projects.service import ProjectService
from taskmaster.runtime import Runtime
from taskmaster.tasks.models import Priority, Status
from taskmaster.tasks.service import TaskDraft

DEMO_EMAIL = "demo@taskmaster.com"
DEMO_PASSWORD = "Demo123!"
DEMO_NAME = "Demo User"

DEMO_TASKS = (
    TaskDraft(
        "Set up project repository",
        "Initialize the Git repository and set up the project structure",
        Status.COMPLETED,
        Priority.HIGH,
    ),
    TaskDraft(
        "Design database schema",
        "Create the ERD and define the tables for users and tasks",
        Status.IN_PROGRESS,
        Priority.HIGH,
    ),
    TaskDraft(
        "Implement authentication",
        "Build registration and login with JWT tokens",
        Status.PENDING,
        Priority.MEDIUM,
    ),
    TaskDraft(
        "Write API documentation",
        "Document every endpoint with request and response examples",
        Status.PENDING,
        Priority.LOW,
    ),
    TaskDraft(
        "Deploy to production",
        "Deploy the frontend and the backend and configure the environment",
        Status.PENDING,
        Priority.MEDIUM,
    ),
)


@dataclass(frozen=True)
class SeedResult:
    created: bool
    tasks: int


async def seed_demo(runtime: Runtime) -> SeedResult:
    """Create the demo account with its tasks, unless it already exists."""
    async with runtime.db.session() as session:
        users = UserRepository(session)
        if await users.by_email(DEMO_EMAIL) is not None:
            return SeedResult(created=False, tasks=0)
        now = whole_millis(runtime.clock())
        user = User(
            email=DEMO_EMAIL,
            name=DEMO_NAME,
            password_hash=await runtime.hasher.hash(DEMO_PASSWORD),
            created_at=now,
            updated_at=now,
        )
        try:
            await users.add(user)
        except DuplicateEmail:  # a concurrent seed got there first
            return SeedResult(created=False, tasks=0)
        await ProjectService(session, clock=runtime.clock).add_inbox(user.id, now)
        await session.commit()
    for draft in DEMO_TASKS:  # each its own statement, as the task service writes
        await runtime.tasks.create(user.id, draft)
    return SeedResult(created=True, tasks=len(DEMO_TASKS))
