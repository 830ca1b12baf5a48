"""The task statements, one per shape, each compiled once: what the indexes are built for."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    String,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from taskmaster.db.query import Query
from taskmaster.db.wire import constant, iso_millis, or_never, uuid_text
from taskmaster.tasks.filters import Ordering, SortKey, TaskFilter
from taskmaster.tasks.models import ChangeClock, Priority, Status, Task, TaskTombstone

# A task as the API shows it, rendered by the database: every column is text or NULL.
RENDERED = (
    uuid_text(Task.id),
    uuid_text(Task.user_id),
    Task.title,
    Task.description,
    Task.status,
    Task.priority,
    iso_millis(Task.due_date),
    iso_millis(Task.created_at),
    iso_millis(Task.updated_at),
    Task.revision,
)
SORT_VALUES = len(RENDERED)  # where a list row carries its sort values

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

    PostgreSQL's trigger assigns it as the row is written, so the statement leaves it NULL
    (without the trigger, the write fails). SQLite's triggers cannot change the row being
    written, so there the statement reads the next revision itself: with one writer at a
    time, nobody takes it in between, and RETURNING shows it.
    """

    type = BigInteger()
    inherit_cache = True


@compiles(next_revision, "postgresql")
def _next_revision_postgresql(element: next_revision, compiler: Any, **kw: Any) -> str:
    return "NULL"


@compiles(next_revision, "sqlite")
def _next_revision_sqlite(element: next_revision, compiler: Any, **kw: Any) -> str:
    [owner] = element.clauses
    clock = select(ChangeClock.revision + 1).where(ChangeClock.owner_id == owner).scalar_subquery()
    return str(compiler.process(clock, **kw))


OWNED = and_(Task.id == bindparam("task_id"), Task.user_id == bindparam("owner_id"))


def _owned(conditional: bool) -> ColumnElement[bool]:
    """The task the statement names; if `conditional`, only at the revision it expects."""
    if not conditional:
        return OWNED
    return and_(OWNED, Task.revision == bindparam("expected_revision", type_=BigInteger()))


class Statements:
    """Compiled statements by shape. The shapes are few (filters present, sort, direction,
    columns changed), so every one of them is built once per process."""

    def __init__(self) -> None:
        self._queries: dict[Hashable, Query] = {}

    def _get(self, key: Hashable, build: Callable[[], Any]) -> Query:
        query = self._queries.get(key)
        if query is None:
            query = self._queries[key] = Query(build())
        return query

    def page(self, task_filter: TaskFilter) -> Query:
        return self._get(("page", task_filter.shape), lambda: _page(task_filter))

    def count(self, task_filter: TaskFilter) -> Query:
        shape = ("count", *task_filter.filter_shape)
        return self._get(shape, lambda: select(func.count()).where(*_conditions(task_filter)))

    def summary(self) -> Query:
        return self._get("summary", _summary)

    def one(self) -> Query:
        return self._get("one", lambda: select(*RENDERED).where(OWNED))

    def insert(self) -> Query:
        return self._get("insert", _insert)

    def update(self, columns: frozenset[str], *, conditional: bool = False) -> Query:
        return self._get(("update", columns, conditional), lambda: _update(columns, conditional))

    def delete(self, *, conditional: bool = False) -> Query:
        return self._get(
            ("delete", conditional),
            lambda: delete(Task).where(_owned(conditional)).returning(Task.id),
        )

    def changes(self) -> Query:
        return self._get("changes", _changes)

    def clock(self, column: str) -> Query:
        """One column of the owner's change clock: revision or forgotten_through."""
        return self._get(
            ("clock", column),
            lambda: select(getattr(ChangeClock, column)).where(
                ChangeClock.owner_id == bindparam("owner_id")
            ),
        )


def _conditions(task_filter: TaskFilter) -> list[ColumnElement[bool]]:
    conditions = [Task.user_id == bindparam("owner_id")]
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


def _page(task_filter: TaskFilter) -> Any:
    order = task_filter.order
    keys = [SORT_EXPRESSIONS[ordering.key] for ordering in order]
    conditions = _conditions(task_filter)
    if task_filter.after is not None:
        conditions.append(_after(order))
    by = [key.desc() if o.descending else key.asc() for key, o in zip(keys, order, strict=True)]
    by.append(Task.id.desc() if order[-1].descending else Task.id.asc())
    return (
        select(*RENDERED, *keys)
        .where(*conditions)
        .order_by(*by)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )


def _summary() -> Any:
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
    ).where(Task.user_id == bindparam("owner_id"))


INSERTED = ("id", "title", "description", "status", "priority", "due_date")


def _insert() -> Any:
    values: dict[str, ColumnElement[Any]] = {name: bindparam(f"new_{name}") for name in INSERTED}
    values |= {
        "user_id": bindparam("owner_id"),
        "created_at": bindparam("now"),
        "updated_at": bindparam("now"),
        "revision": next_revision(bindparam("owner_id")),
    }
    return insert(Task).values(values).returning(*RENDERED)


def _update(columns: frozenset[str], conditional: bool) -> Any:
    values: dict[str, ColumnElement[Any]] = {
        name: bindparam(f"new_{name}") for name in sorted(columns)
    }
    values["updated_at"] = bindparam("now")
    values["revision"] = next_revision(bindparam("owner_id"))
    return update(Task).where(_owned(conditional)).values(values).returning(*RENDERED)


# A change as the delta query returns it: the task as RENDERED (only its id and revision for a
# deleted one), then its id as stored, then whether it was deleted.
CHANGE_KEY, CHANGE_DELETED = len(RENDERED), len(RENDERED) + 1


def _changes() -> Any:
    """An owner's tasks and tombstones past a (revision, id) position, in that order."""
    after = tuple_(
        bindparam("after_revision", type_=BigInteger()),
        bindparam("after_id", type_=Task.id.type),
    )
    live = select(*RENDERED, Task.id.label("change_key"), constant(0).label("deleted")).where(
        Task.user_id == bindparam("owner_id"), tuple_(Task.revision, Task.id) > after
    )
    blank = [null().cast(String()) for _ in RENDERED[1:-1]]
    buried = select(
        uuid_text(TaskTombstone.task_id),
        *blank,
        TaskTombstone.revision,
        TaskTombstone.task_id,
        constant(1),
    ).where(
        TaskTombstone.owner_id == bindparam("owner_id"),
        tuple_(TaskTombstone.revision, TaskTombstone.task_id) > after,
    )
    return (
        union_all(live, buried)
        .order_by(literal_column("revision"), literal_column("change_key"))
        .limit(bindparam("limit"))
    )
