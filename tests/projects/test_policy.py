"""The policy alone: which role may do what, and how each refusal is told."""

from __future__ import annotations

import pytest

from taskmaster.errors import Conflict, Forbidden, NotFound
from taskmaster.projects import policy
from taskmaster.projects.policy import Action, Role

# Owners everything, editors tasks, viewers reading; anyone may leave.
TABLE = {
    Action.READ: {Role.OWNER, Role.EDITOR, Role.VIEWER},
    Action.WRITE_TASKS: {Role.OWNER, Role.EDITOR},
    Action.EDIT_PROJECT: {Role.OWNER},
    Action.ARCHIVE_PROJECT: {Role.OWNER},
    Action.DELETE_PROJECT: {Role.OWNER},
    Action.MANAGE_MEMBERS: {Role.OWNER},
    Action.LEAVE: {Role.OWNER, Role.EDITOR, Role.VIEWER},
}


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_each_role_may_do_what_the_table_says(role: Role, action: Action) -> None:
    assert policy.may(role, action) == (role in TABLE[action])
    if role in TABLE[action]:
        assert policy.check(role, action) is role
    else:
        with pytest.raises(Forbidden, match=f"cannot {action}"):
            policy.check(role, action)


@pytest.mark.parametrize("action", list(Action))
def test_a_stranger_learns_nothing(action: Action) -> None:
    assert not policy.may(None, action)
    with pytest.raises(NotFound, match="Project not found"):
        policy.check(None, action)
    with pytest.raises(NotFound, match="Task not found"):
        policy.check(None, action, missing="Task not found")


@pytest.mark.parametrize(
    "action", [Action.MANAGE_MEMBERS, Action.LEAVE, Action.DELETE_PROJECT, Action.ARCHIVE_PROJECT]
)
def test_the_inbox_is_its_owners_alone(action: Action) -> None:
    with pytest.raises(Conflict):
        policy.check(Role.OWNER, action, inbox=True)
    assert policy.check(Role.OWNER, Action.EDIT_PROJECT, inbox=True) is Role.OWNER


def test_refusals_read_well() -> None:
    with pytest.raises(Forbidden, match=r"^An editor cannot manage members and invitations$"):
        policy.check(Role.EDITOR, Action.MANAGE_MEMBERS)
    with pytest.raises(Forbidden, match=r"^A viewer cannot create, change or delete tasks$"):
        policy.check(Role.VIEWER, Action.WRITE_TASKS)
