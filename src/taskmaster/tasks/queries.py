"""The task statements, one per shape, each compiled once: what the indexes are built for."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.sql.elements import BindParameter

from taskmaster.db.query import Query
from taskmaster.db.wire import constant, iso_millis, or_never, uuid_text
from taskmaster.tasks.filters import SortKey, TaskFilter
from taskmaster.tasks.models import Priority, Status, Task

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
)

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

OWNED = and_(Task.id == bindparam("task_id"), Task.user_id == bindparam("owner_id"))


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
        shape = ("count", *task_filter.shape[:3])
        return self._get(shape, lambda: select(func.count()).where(*_conditions(task_filter)))

    def summary(self) -> Query:
        return self._get("summary", _summary)

    def one(self) -> Query:
        return self._get("one", lambda: select(*RENDERED).where(OWNED))

    def insert(self) -> Query:
        return self._get("insert", _insert)

    def update(self, columns: frozenset[str]) -> Query:
        return self._get(("update", columns), lambda: _update(columns))

    def delete(self) -> Query:
        return self._get("delete", lambda: delete(Task).where(OWNED).returning(Task.id))


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
    return conditions


def _page(task_filter: TaskFilter) -> Any:
    key = SORT_EXPRESSIONS[task_filter.sort]
    conditions = _conditions(task_filter)
    if task_filter.after is not None:
        position = tuple_(key, Task.id)
        cursor = tuple_(
            bindparam("after_value", type_=key.type), bindparam("after_id", type_=Task.id.type)
        )
        conditions.append(position < cursor if task_filter.descending else position > cursor)
    order = (key.desc(), Task.id.desc()) if task_filter.descending else (key.asc(), Task.id.asc())
    return (
        select(*RENDERED, key)
        .where(*conditions)
        .order_by(*order)
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
    values: dict[str, BindParameter[Any]] = {name: bindparam(f"new_{name}") for name in INSERTED}
    values |= {
        "user_id": bindparam("owner_id"),
        "created_at": bindparam("now"),
        "updated_at": bindparam("now"),
    }
    return insert(Task).values(values).returning(*RENDERED)


def _update(columns: frozenset[str]) -> Any:
    values: dict[str, BindParameter[Any]] = {
        name: bindparam(f"new_{name}") for name in sorted(columns)
    }
    values["updated_at"] = bindparam("now")
    return update(Task).where(OWNED).values(values).returning(*RENDERED)
