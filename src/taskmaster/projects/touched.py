"""What an ORM transaction changed that cached task reads show: whose project lists (users)
and which projects' tasks. Collected as the session flushes, told after it commits.

Memberships and projects written through the ORM are noticed by themselves; statements that
change many rows at once (deleting projects, forgetting an account) say what they touch.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from taskmaster.projects.models import Membership, Project

TOUCHED = "taskmaster.touched"


@dataclass
class Touched:
    users: set[uuid.UUID] = field(default_factory=set)
    projects: set[uuid.UUID] = field(default_factory=set)


def touch(
    session: AsyncSession | Session,
    *,
    users: Iterable[uuid.UUID] = (),
    projects: Iterable[uuid.UUID] = (),
) -> None:
    """Note that the session's transaction changes these users' project lists and these
    projects' tasks."""
    touched: Touched = session.info.setdefault(TOUCHED, Touched())
    touched.users.update(users)
    touched.projects.update(projects)


def touched_by(session: AsyncSession) -> Touched:
    """What the session's committed transaction touched (and forget it)."""
    found: Touched = session.info.pop(TOUCHED, None) or Touched()
    return found


@event.listens_for(Session, "after_flush")
def _noticed(session: Session, _: Any) -> None:
    for row in chain(session.new, session.dirty, session.deleted):
        if isinstance(row, Membership):
            touch(session, users=[row.user_id], projects=[row.project_id])
        elif isinstance(row, Project):
            touch(session, projects=[row.id])
