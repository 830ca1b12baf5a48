"""Demo data: the MVP's demo account and its five sample tasks, safe to create twice."""

from __future__ import annotations

from dataclasses import dataclass

from taskmaster.auth.repository import UserRepository
from taskmaster.auth.service import AccountService, Registration
from taskmaster.runtime import Runtime
from taskmaster.tasks.models import Priority, Status
from taskmaster.tasks.service import TaskDraft, TaskService

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
        if await UserRepository(session).by_email(DEMO_EMAIL) is not None:
            return SeedResult(created=False, tasks=0)
        accounts = AccountService(
            session, hasher=runtime.hasher, tokens=runtime.tokens, clock=runtime.clock
        )
        signed_in = await accounts.register(Registration(DEMO_EMAIL, DEMO_PASSWORD, DEMO_NAME))
        tasks = TaskService(session, clock=runtime.clock)
        for draft in DEMO_TASKS:
            await tasks.create(signed_in.user.id, draft)
        await session.commit()
    return SeedResult(created=True, tasks=len(DEMO_TASKS))
