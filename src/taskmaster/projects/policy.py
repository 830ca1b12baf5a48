"""Who may do what in a project: the one place that decides.

Routers and services ask `check` (or, in SQL, `roles_allowed`), and never compare roles
themselves. A caller who is not a member learns nothing of the project (404, as for a project
that does not exist); a member whose role does not allow the action is refused (403).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from taskmaster.errors import Conflict, Forbidden, NotFound

PROJECT_NOT_FOUND = "Project not found"


class Role(StrEnum):
    OWNER = "owner"
    EDITOR = "editor"
    VIEWER = "viewer"


class Action(StrEnum):
    READ = "read the project and its tasks"
    WRITE_TASKS = "create, change or delete tasks"
    EDIT_PROJECT = "change the project"
    ARCHIVE_PROJECT = "archive the project"
    DELETE_PROJECT = "delete the project"
    MANAGE_MEMBERS = "manage members and invitations"
    LEAVE = "leave the project"


EVERYONE = frozenset(Role)
ALLOWED: Mapping[Action, frozenset[Role]] = {
    Action.READ: EVERYONE,
    Action.WRITE_TASKS: frozenset({Role.OWNER, Role.EDITOR}),
    Action.EDIT_PROJECT: frozenset({Role.OWNER}),
    Action.ARCHIVE_PROJECT: frozenset({Role.OWNER}),
    Action.DELETE_PROJECT: frozenset({Role.OWNER}),
    Action.MANAGE_MEMBERS: frozenset({Role.OWNER}),
    Action.LEAVE: EVERYONE,
}

# An Inbox belongs to its account alone: it is never shared, left, archived or deleted.
INBOX_REFUSES: Mapping[Action, str] = {
    Action.MANAGE_MEMBERS: "The Inbox is never shared",
    Action.LEAVE: "The Inbox cannot be left",
    Action.DELETE_PROJECT: "The Inbox cannot be deleted",
    Action.ARCHIVE_PROJECT: "The Inbox cannot be archived",
}


def roles_allowed(action: Action) -> frozenset[Role]:
    return ALLOWED[action]


def may(role: Role | None, action: Action) -> bool:
    return role is not None and role in ALLOWED[action]


def check(
    role: Role | None, action: Action, *, inbox: bool = False, missing: str = PROJECT_NOT_FOUND
) -> Role:
    """The caller's role, if it allows `action`: else NotFound (no member: `missing` says
    what was not found), Forbidden (a role without the right) or Conflict (never in an Inbox)."""
    if role is None:
        raise NotFound(missing)
    if role not in ALLOWED[action]:
        article = "An" if role[0] in "aeiou" else "A"
        raise Forbidden(f"{article} {role} cannot {action}")
    if inbox and action in INBOX_REFUSES:
        raise Conflict(INBOX_REFUSES[action])
    return role
