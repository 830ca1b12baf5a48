"""Revisions, tombstones and idempotency keys: what API v2's ETags, delta query and
retried creates stand on.

Every owner has a change clock. Every write to a task takes the clock's next revision while
it holds the clock's row, so revisions become visible in the order they were taken, also
when transactions commit in another order than they began: a delta reader that has seen
revision n has seen every change up to n. Triggers keep the clock, so no write path can
forget it; a deleted task leaves a tombstone with its own revision.

PostgreSQL's trigger stamps the row before it is written. SQLite's triggers cannot change
the row being written, so there the statement names the next revision itself (SQLite has one
writer at a time) and the trigger advances the clock, or stamps a write that did not.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)

POSTGRESQL_TRIGGERS = (
    """
    CREATE FUNCTION start_change_clock() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO change_clocks (owner_id) VALUES (NEW.id);
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER users_start_change_clock AFTER INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION start_change_clock()
    """,
    """
    CREATE FUNCTION stamp_task_revision() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE change_clocks SET revision = revision + 1 WHERE owner_id = NEW.user_id
        RETURNING revision INTO NEW.revision;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER tasks_stamp_revision BEFORE INSERT OR UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION stamp_task_revision()
    """,
    """
    CREATE FUNCTION bury_task() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        WITH ticked AS (
            UPDATE change_clocks SET revision = revision + 1 WHERE owner_id = OLD.user_id
            RETURNING owner_id, revision
        )
        INSERT INTO task_tombstones (task_id, owner_id, revision, deleted_at)
        SELECT OLD.id, owner_id, revision, now() FROM ticked;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER tasks_bury AFTER DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION bury_task()
    """,
)

SQLITE_TICK = """
        UPDATE change_clocks SET revision = max(revision + 1, NEW.revision)
        WHERE owner_id = NEW.user_id;
        UPDATE tasks SET revision = (
            SELECT revision FROM change_clocks WHERE owner_id = NEW.user_id
        ) WHERE id = NEW.id AND revision < (
            SELECT revision FROM change_clocks WHERE owner_id = NEW.user_id
        );
"""
SQLITE_TRIGGERS = (
    """
    CREATE TRIGGER users_start_change_clock AFTER INSERT ON users BEGIN
        INSERT INTO change_clocks (owner_id) VALUES (NEW.id);
    END
    """,
    f"CREATE TRIGGER tasks_stamp_inserted AFTER INSERT ON tasks BEGIN {SQLITE_TICK} END",
    f"CREATE TRIGGER tasks_stamp_updated AFTER UPDATE ON tasks BEGIN {SQLITE_TICK} END",
    """
    CREATE TRIGGER tasks_bury AFTER DELETE ON tasks BEGIN
        UPDATE change_clocks SET revision = revision + 1 WHERE owner_id = OLD.user_id;
        INSERT INTO task_tombstones (task_id, owner_id, revision, deleted_at)
        SELECT OLD.id, owner_id, revision, strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'
        FROM change_clocks WHERE owner_id = OLD.user_id;
    END
    """,
)

DROPPED = {
    "postgresql": (
        "DROP TRIGGER tasks_bury ON tasks",
        "DROP FUNCTION bury_task()",
        "DROP TRIGGER tasks_stamp_revision ON tasks",
        "DROP FUNCTION stamp_task_revision()",
        "DROP TRIGGER users_start_change_clock ON users",
        "DROP FUNCTION start_change_clock()",
    ),
    "sqlite": (
        "DROP TRIGGER tasks_bury",
        "DROP TRIGGER tasks_stamp_updated",
        "DROP TRIGGER tasks_stamp_inserted",
        "DROP TRIGGER users_start_change_clock",
    ),
}


def upgrade() -> None:
    op.create_table(
        "change_clocks",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("forgotten_through", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name="fk_change_clocks_owner_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("owner_id", name="pk_change_clocks"),
    )
    op.create_table(
        "task_tombstones",
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("deleted_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["change_clocks.owner_id"],
            name="fk_task_tombstones_owner_id_change_clocks",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("task_id", name="pk_task_tombstones"),
    )
    op.create_index(
        "ix_task_tombstones_owner_revision", "task_tombstones", ["owner_id", "revision", "task_id"]
    )
    op.create_index("ix_task_tombstones_deleted_at", "task_tombstones", ["deleted_at"])
    op.create_table(
        "idempotency_keys",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name="fk_idempotency_keys_owner_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("owner_id", "key", name="pk_idempotency_keys"),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])
    # Not in batch mode: on SQLite that rebuilds the table and loses the expression indexes.
    op.add_column(
        "tasks", sa.Column("revision", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.create_index("ix_tasks_user_revision", "tasks", ["user_id", "revision", "id"])
    op.execute("INSERT INTO change_clocks (owner_id) SELECT id FROM users")
    dialect = op.get_bind().dialect.name
    for statement in POSTGRESQL_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROPPED[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_index("ix_tasks_user_revision", table_name="tasks")
    op.execute("ALTER TABLE tasks DROP COLUMN revision")
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_index("ix_task_tombstones_deleted_at", table_name="task_tombstones")
    op.drop_index("ix_task_tombstones_owner_revision", table_name="task_tombstones")
    op.drop_table("task_tombstones")
    op.drop_table("change_clocks")
