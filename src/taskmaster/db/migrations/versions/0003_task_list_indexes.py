"""Indexes for every task list order, trigram search, millisecond timestamps.

Each list order has an index on (user_id, sort key, id), so that a page, also a keyset page
deep in the list, reads the rows it returns and no others. The sort keys are spelled as
taskmaster.tasks.queries spells them; tests/tasks/test_query_plans.py checks that the planner
uses these indexes. PostgreSQL also gets trigram indexes for substring search.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PRIORITY_RANK = (
    "(CASE WHEN priority = 'low' THEN 0 WHEN priority = 'medium' THEN 1 "
    "WHEN priority = 'high' THEN 2 END)"
)
# NULL due dates sort last: read as a moment after every stored one (taskmaster.db.wire.NEVER).
DUE_OR_NEVER = {
    "postgresql": "COALESCE(due_date, '9999-12-31T23:59:59.999500+00:00'::timestamptz)",
    "sqlite": "COALESCE(due_date, '9999-12-31 23:59:59.999500')",
}
TIMESTAMPS = ("created_at", "updated_at", "due_date")


def _indexes(dialect: str) -> dict[str, list[str]]:
    indexes = {
        "ix_tasks_user_created": ["user_id", "created_at", "id"],
        "ix_tasks_user_status_created": ["user_id", "status", "created_at", "id"],
        "ix_tasks_user_updated": ["user_id", "updated_at", "id"],
        "ix_tasks_user_due": ["user_id", DUE_OR_NEVER[dialect], "id"],
        "ix_tasks_user_priority": ["user_id", PRIORITY_RANK, "id"],
    }
    if dialect == "postgresql":
        # On SQLite lower() is the application's own (unicode-aware) function: no index.
        indexes["ix_tasks_user_title"] = ["user_id", "lower(title)", "id"]
    return indexes


def _columns(columns: list[str]) -> list[sa.TextClause | str]:
    return [column if column.isidentifier() else sa.text(column) for column in columns]


def _to_whole_milliseconds(dialect: str) -> None:
    """The API shows milliseconds and keyset cursors compare stored values: store no more."""
    if dialect == "postgresql":
        cut = {c: sa.text(f"date_trunc('milliseconds', {c})") for c in TIMESTAMPS}
    else:  # stored as 'YYYY-MM-DD HH:MM:SS.ffffff'
        cut = {c: sa.text(f"substr({c}, 1, 23) || '000'") for c in TIMESTAMPS}
    tasks = sa.table("tasks", *(sa.column(c) for c in TIMESTAMPS))
    op.execute(tasks.update().values(cut))


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _to_whole_milliseconds(dialect)
    op.drop_index("ix_tasks_user_status_created", table_name="tasks")
    op.drop_index("ix_tasks_user_created", table_name="tasks")
    for name, columns in _indexes(dialect).items():
        op.create_index(name, "tasks", _columns(columns))
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in ("title", "description"):
            op.create_index(
                f"ix_tasks_{column}_trigrams",
                "tasks",
                [sa.text(f"lower({column}) gin_trgm_ops")],
                postgresql_using="gin",
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for column in ("title", "description"):
            op.drop_index(f"ix_tasks_{column}_trigrams", table_name="tasks")
    for name in _indexes(dialect):
        op.drop_index(name, table_name="tasks")
    op.create_index("ix_tasks_user_created", "tasks", ["user_id", "created_at"])
    op.create_index("ix_tasks_user_status_created", "tasks", ["user_id", "status", "created_at"])
