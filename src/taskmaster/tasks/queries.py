"""The task statements, one per shape, each compiled once: what the indexes are built for.

Every statement is the caller's (`caller_id`): it reads the tasks of the projects the caller
is a member of, and writes those the policy lets the caller write, in the same statement.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    String,
    Uuid,
    and_,
    bindparam,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    true,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from taskmaster.db.query import Query
from taskmaster.db.wire import constant, iso_millis, or_never, uuid_text
from taskmaster.projects.models import Membership
from taskmaster.projects.policy import EVERYONE, Action, roles_allowed
from taskmaster.tasks.filters import Ordering, SortKey, TaskFilter
from taskmaster.tasks.models import ChangeClock, Priority, Status, Task, TaskTombstone

CALLER = bindparam("caller_id", type_=Uuid())

# A task as the API shows it, rendered by the database: every column is text or NULL. Its
# creator is shown as the caller once the creator's account is gone (v1 always names one).
RENDERED = (
    uuid_text(Task.id),
    uuid_text(func.coalesce(Task.created_by, CALLER)),
    Task.title,
    Task.description,
    Task.status,
    Task.priority,
    iso_millis(Task.due_date),
    iso_millis(Task.created_at),
    iso_millis(Task.updated_at),
    Task.revision,
    uuid_text(Task.project_id),
    uuid_text(Task.assignee_id),
)
SORT_VALUES = len(RENDERED)  # where a list row carries its sort values
REVISION, PROJECT = 9, 10  # where a row carries them

PRIORITY_RANK = case(
    *((Task.priority == constant(p.value), constant(rank)) for rank, p in enumerate(Priority))
)

# The sort keys exactly as the indexes of migration 0003 spell them.
SORT_EXPRESSIONS: dict[SortKey, ColumnElement[Any]] = {
    SortKey.CREATED_AT: Task.created_at.expression,
    SortKey.UPDATED_AT: Task.updated_at.expression,
    SortKey.DUE_DATE: or_never(Task.due_date),
    SortKey.TITLE: func.lower(Task.title),
    SortKey.PRIORITY: PRIORITY_RANK,
}


class next_revision(FunctionElement[int]):  # lower case, as the SQL functions beside it
    """The revision a task write takes from its owner's change clock (migration 0004).

    It takes the clock of the project the task is written to, and an update's second
    argument, the task's revision, is its floor: a task that moves into a project whose clock
    is behind still gets a higher revision (migration 0006). PostgreSQL's trigger assigns it
    as the row is written, so the statement leaves it NULL (without the trigger, the write
    fails). SQLite's triggers cannot change the row being written, so there the statement
    reads the next revision itself: with one writer at a time, nobody takes it in between,
    and RETURNING shows it.
    """

    type = BigInteger()
    inherit_cache = True


@compiles(next_revision, "postgresql")
def _next_revision_postgresql(element: next_revision, compiler: Any, **kw: Any) -> str:
    return "NULL"


@compiles(next_revision, "sqlite")
def _next_revision_sqlite(element: next_revision, compiler: Any, **kw: Any) -> str:
    project, *floor = element.clauses
    clock: ColumnElement[int] = (
        select(ChangeClock.revision + 1).where(ChangeClock.project_id == project).scalar_subquery()
    )
    if floor:
        clock = func.max(clock, floor[0] + 1)
    return str(compiler.process(clock, **kw))


def _projects(action: Action, member: ColumnElement[Any] = CALLER) -> Any:
    """The projects where `member` (the caller) may do `action`, as the policy says."""
    query = select(Membership.project_id).where(Membership.user_id == member)
    roles = roles_allowed(action)
    if roles != EVERYONE:
        query = query.where(
            or_(*(Membership.role == constant(role.value) for role in sorted(roles)))
        )
    return query


def _member_of(project: ColumnElement[Any], member: ColumnElement[Any]) -> ColumnElement[bool]:
    return exists().where(Membership.project_id == project, Membership.user_id == member)


VISIBLE = Task.project_id.in_(_projects(Action.READ))
WRITABLE = Task.project_id.in_(_projects(Action.WRITE_TASKS))
TASK = Task.id == bindparam("task_id", type_=Uuid())
PROJECT_ID = bindparam("project_id", type_=Uuid())
NEW_PROJECT = bindparam("new_project_id", type_=Uuid())
NEW_ASSIGNEE = bindparam("new_assignee_id", type_=Uuid())


def _writable(conditional: bool) -> ColumnElement[bool]:
    """The task the statement names, if the caller may write it; if `conditional`, only at
    the revision it expects."""
    if not conditional:
        return and_(TASK, WRITABLE)
    return and_(TASK, WRITABLE, Task.revision == bindparam("expected_revision", type_=BigInteger()))


@dataclass(frozen=True)
class UpdateShape:
    """What decides an update's text: the columns it sets, whether it names the revision it
    expects, and whether it assigns someone (who must be a member where the task will be)."""

    columns: frozenset[str]
    conditional: bool = False
    assigning: bool = False


class Statements:
    """Compiled statements by shape. The shapes are few (filters present, sort, direction,
    columns changed), so every one of them is built once per process."""

    def __init__(self) -> None:
        self._queries: dict[Hashable, Query] = {}

    def _get(self, key: Hashable, build: Callable[[], Any]) -> Query:
        """The query of shape `key`; `build` makes it (a Query, or a statement for one)."""
        query = self._queries.get(key)
        if query is None:
            built = build()
            query = self._queries[key] = built if isinstance(built, Query) else Query(built)
        return query

    def page(self, task_filter: TaskFilter) -> Query:
        return self._get(("page", task_filter.shape), lambda: _page_query(task_filter))

    def count(self, task_filter: TaskFilter) -> Query:
        shape = ("count", *task_filter.filter_shape)
        return self._get(shape, lambda: select(func.count()).where(*_conditions(task_filter)))

    def summary(self, task_filter: TaskFilter) -> Query:
        shape = ("summary", *task_filter.filter_shape[:2])
        return self._get(shape, lambda: _summary(task_filter))

    def one(self) -> Query:
        return self._get("one", lambda: select(*RENDERED).where(TASK, VISIBLE))

    def access(self) -> Query:
        """A task's project, the caller's role there (NULL for none) and its revision."""
        return self._get("access", _access)

    def role(self) -> Query:
        """The role a user (`member_id`) has in a project; no row for none."""
        return self._get("role", _role)

    def insert(self, *, assigned: bool) -> Query:
        return self._get(("insert", assigned), lambda: _insert(assigned))

    def update(self, shape: UpdateShape) -> Query:
        return self._get(shape, lambda: _update(shape))

    def delete(self, *, conditional: bool = False) -> Query:
        return self._get(
            ("delete", conditional),
            lambda: delete(Task).where(_writable(conditional)).returning(Task.project_id),
        )

    def changes(self) -> Query:
        return self._get("changes", _changes)

    def projects(self) -> Query:
        """The projects the caller is a member of."""
        return self._get("projects", lambda: _projects(Action.READ))

    def clocks(self) -> Query:
        """The change clocks' revisions of every project the caller is a member of."""
        return self._get(
            "clocks",
            lambda: select(ChangeClock.project_id, ChangeClock.revision).where(
                ChangeClock.project_id.in_(_projects(Action.READ))
            ),
        )

    def clock(self, column: str) -> Query:
        """One column of a project's change clock: revision or forgotten_through."""
        return self._get(
            ("clock", column),
            lambda: select(getattr(ChangeClock, column)).where(
                ChangeClock.project_id == PROJECT_ID
            ),
        )


def _conditions(task_filter: TaskFilter) -> list[ColumnElement[bool]]:
    return [*_scope(task_filter), *_narrowing(task_filter)]


def _narrowing(task_filter: TaskFilter) -> list[ColumnElement[bool]]:
    """The filters within the caller's tasks: status, priority, search, due dates."""
    conditions: list[ColumnElement[bool]] = []
    if task_filter.status is not None:
        conditions.append(Task.status == bindparam("status"))
    if task_filter.priority is not None:
        conditions.append(Task.priority == bindparam("priority"))
    if task_filter.search:
        # Served on PostgreSQL by the trigram indexes on lower(title) and lower(description).
        # The database lowers the pattern too: its case mapping and Python's differ (final
        # sigma, dotted capital I), and the two sides must agree.
        pattern = func.lower(bindparam("pattern", type_=String()))
        conditions.append(
            or_(
                func.lower(Task.title).like(pattern, escape="\\"),
                func.lower(Task.description).like(pattern, escape="\\"),
            )
        )
    if task_filter.due_before is not None:
        conditions.append(Task.due_date < bindparam("due_before", type_=Task.due_date.type))
    if task_filter.due_after is not None:
        conditions.append(Task.due_date >= bindparam("due_after", type_=Task.due_date.type))
    return conditions


def _scope(task_filter: TaskFilter) -> list[ColumnElement[bool]]:
    """The caller's tasks, of one project and one assignee when the filter names them.

    One project is named as such, so that the planner knows which (and how big) when it
    plans the statement, and checked once to be the caller's."""
    conditions: list[ColumnElement[bool]] = [VISIBLE]
    if task_filter.project_id is not None:
        conditions = [Task.project_id == PROJECT_ID, _member_of(PROJECT_ID, CALLER)]
    if task_filter.assignee_id is not None:
        conditions.append(Task.assignee_id == bindparam("assignee_id", type_=Uuid()))
    return conditions


def _after(order: tuple[Ordering, ...]) -> ColumnElement[bool]:
    """Rows past the keyset position in `order`, then by id (in the last key's direction).

    One direction throughout is a row comparison, which an index on the keys serves; mixed
    directions spell it out: past on the first key, or equal on it and past on the next...
    """
    keys = [SORT_EXPRESSIONS[ordering.key] for ordering in order]
    values = [bindparam(f"after_{n}", type_=key.type) for n, key in enumerate(keys)]
    keys.append(Task.id.expression)
    values.append(bindparam("after_id", type_=Task.id.type))
    descending = [ordering.descending for ordering in order]
    descending.append(descending[-1])
    if len(set(descending)) == 1:
        position, cursor = tuple_(*keys), tuple_(*values)
        return position < cursor if descending[0] else position > cursor
    past = [
        and_(
            *(key == value for key, value in zip(keys[:n], values[:n], strict=True)),
            keys[n] < values[n] if descending[n] else keys[n] > values[n],
        )
        for n in range(len(keys))
    ]
    return or_(*past)


def _order_by(keys: list[Any], order: tuple[Ordering, ...], task_id: Any) -> list[Any]:
    by = [key.desc() if o.descending else key.asc() for key, o in zip(keys, order, strict=True)]
    by.append(task_id.desc() if order[-1].descending else task_id.asc())
    return by


def _page_query(task_filter: TaskFilter) -> Query:
    """A list page. Of several projects, on PostgreSQL, one ordered index scan per project
    of the caller's, merged (unless an assignee's index serves the list better)."""
    plain = _page(task_filter)
    if task_filter.assignee_id is not None or task_filter.project_id is not None:
        return Query(plain)
    return Query(plain, on={"postgresql": _page_by_project(task_filter)})


def _page(task_filter: TaskFilter) -> Any:
    order = task_filter.order
    keys = [SORT_EXPRESSIONS[ordering.key] for ordering in order]
    conditions = _conditions(task_filter)
    if task_filter.after is not None:
        conditions.append(_after(order))
    return (
        select(*RENDERED, *keys)
        .where(*conditions)
        .order_by(*_order_by(keys, order, Task.id))
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


def _page_by_project(task_filter: TaskFilter) -> Any:
    """The page as the first rows of each of the caller's projects, each read in index order
    (LATERAL), then merged: as cheap however many tasks the projects hold, where a join would
    read and sort every matching task of them all."""
    order = task_filter.order
    keys = [SORT_EXPRESSIONS[ordering.key] for ordering in order]
    conditions = [Task.project_id == Membership.project_id, *_narrowing(task_filter)]
    if task_filter.after is not None:
        conditions.append(_after(order))
    rendered: list[Any] = [column.label(f"c{n}") for n, column in enumerate(RENDERED)]
    sorted_by = [key.label(f"sort{n}") for n, key in enumerate(keys)]
    first_rows = (
        select(*rendered, *sorted_by, Task.id.label("task_id"))
        .where(*conditions)
        .order_by(*_order_by(keys, order, Task.id))
        .limit(cast(bindparam("limit"), BigInteger()) + cast(bindparam("offset"), BigInteger()))
        .lateral("first_rows")
    )
    memberships = [Membership.user_id == CALLER]
    merged_keys = [first_rows.c[f"sort{n}"] for n in range(len(keys))]
    columns = [first_rows.c[f"c{n}"] for n in range(len(RENDERED))]
    return (
        select(*columns, *merged_keys)
        .select_from(Membership.__table__.join(first_rows, true()))
        .where(*memberships)
        .order_by(*_order_by(merged_keys, order, first_rows.c.task_id))
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


def _summary(task_filter: TaskFilter) -> Any:
    def counted(status: Status) -> ColumnElement[int]:
        return func.count().filter(Task.status == constant(status.value))

    open_and_late = and_(
        Task.status != constant(Status.COMPLETED.value), Task.due_date < bindparam("now")
    )
    return select(
        func.count(),
        counted(Status.PENDING),
        counted(Status.IN_PROGRESS),
        counted(Status.COMPLETED),
        func.count().filter(open_and_late),
    ).where(*_scope(task_filter))


def _access() -> Any:
    role = Membership.role
    joined = Task.__table__.outerjoin(
        Membership.__table__,
        and_(Membership.project_id == Task.project_id, Membership.user_id == CALLER),
    )
    return select(Task.project_id, role, Task.revision).select_from(joined).where(TASK)


def _role() -> Any:
    return select(Membership.role).where(
        Membership.project_id == PROJECT_ID,
        Membership.user_id == bindparam("member_id", type_=Uuid()),
    )


INSERTED = ("id", "title", "description", "status", "priority", "due_date")


def _insert(assigned: bool) -> Any:
    """Add a task to a project the caller may write, assigned to one of its members if
    `assigned`: no row when either is not so."""
    values: dict[str, ColumnElement[Any]] = {
        name: bindparam(f"new_{name}", type_=Task.__table__.c[name].type) for name in INSERTED
    }
    values |= {
        "project_id": PROJECT_ID,
        "created_by": CALLER,
        "assignee_id": NEW_ASSIGNEE if assigned else null(),
        "created_at": bindparam("now", type_=Task.created_at.type),
        "updated_at": bindparam("now", type_=Task.created_at.type),
        "revision": next_revision(PROJECT_ID),
    }
    allowed: list[ColumnElement[bool]] = [PROJECT_ID.in_(_projects(Action.WRITE_TASKS))]
    if assigned:
        allowed.append(_member_of(PROJECT_ID, NEW_ASSIGNEE))
    rows = select(*(value.label(name) for name, value in values.items())).where(*allowed)
    return insert(Task).from_select(list(values), rows).returning(*RENDERED)


def _update(shape: UpdateShape) -> Any:
    """Change a task the caller may write. A task moved (`project_id`) goes to a project the
    caller may write, and keeps its assignee only if a member there; someone assigned must be
    a member of the task's project (after the move)."""
    columns = shape.columns
    values: dict[str, ColumnElement[Any]] = {
        name: bindparam(f"new_{name}", type_=Task.__table__.c[name].type)
        for name in sorted(columns)
    }
    values["updated_at"] = bindparam("now", type_=Task.updated_at.type)
    moving = "project_id" in columns
    destination: ColumnElement[Any] = NEW_PROJECT if moving else Task.project_id.expression
    values["revision"] = next_revision(destination, Task.revision)
    conditions = [_writable(shape.conditional)]
    if moving:
        conditions.append(NEW_PROJECT.in_(_projects(Action.WRITE_TASKS)))
        if "assignee_id" not in columns:
            stays = _member_of(NEW_PROJECT, Task.assignee_id.expression)
            values["assignee_id"] = case((stays, Task.assignee_id), else_=null())
    if shape.assigning:
        conditions.append(_member_of(destination, NEW_ASSIGNEE))
    return update(Task).where(*conditions).values(values).returning(*RENDERED)


# A change as the delta query returns it: the task as RENDERED (only its id, revision and
# the project it left for a deleted one), then its id as stored, then whether it was deleted.
CHANGE_KEY, CHANGE_DELETED = len(RENDERED), len(RENDERED) + 1


def _changes() -> Any:
    """A project's tasks and tombstones past a (revision, id) position, in that order."""
    after = tuple_(
        bindparam("after_revision", type_=BigInteger()),
        bindparam("after_id", type_=Task.id.type),
    )
    live = select(*RENDERED, Task.id.label("change_key"), constant(0).label("deleted")).where(
        Task.project_id == PROJECT_ID, tuple_(Task.revision, Task.id) > after
    )
    blank = [null().cast(String()) for _ in RENDERED[1:REVISION]]
    buried = select(
        uuid_text(TaskTombstone.task_id),
        *blank,
        TaskTombstone.revision,
        uuid_text(TaskTombstone.project_id),
        null().cast(String()),
        TaskTombstone.task_id,
        constant(1),
    ).where(
        TaskTombstone.project_id == PROJECT_ID,
        tuple_(TaskTombstone.revision, TaskTombstone.task_id) > after,
    )
    return (
        union_all(live, buried)
        .order_by(literal_column("revision"), literal_column("change_key"))
        .limit(bindparam("limit"))
    )
