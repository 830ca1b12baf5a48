"""Projects, members with roles, invitations and assignees: tasks belong to projects.

Every account gets its Inbox, a project with the account's own id, and its tasks move there.
Since an Inbox's id is its account's, the change clocks and tombstones keyed by owner become
keyed by project without touching their values. The revision triggers follow the task's
project, and a task that moves to another project leaves a tombstone in the one it left.

Downgrading moves every task of a shared project to its creator's Inbox (its first owner's
when the creator is gone), after everything that Inbox already had in the change order.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from taskmaster.db.migrate import earlier_migration

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)
ROLES_CHECK = "role IN ('owner', 'editor', 'viewer')"


REVISIONS = earlier_migration("0004_revisions_and_tombstones")
LIST_INDEXES = earlier_migration("0003_task_list_indexes")

POSTGRESQL_TRIGGERS = (
    """
    CREATE FUNCTION start_change_clock() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO change_clocks (project_id) VALUES (NEW.id);
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER projects_start_change_clock AFTER INSERT ON projects
    FOR EACH ROW EXECUTE FUNCTION start_change_clock()
    """,
    """
    CREATE FUNCTION stamp_task_revision() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE change_clocks SET revision = revision + 1 WHERE project_id = NEW.project_id
        RETURNING revision INTO NEW.revision;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER tasks_stamp_revision BEFORE INSERT OR UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION stamp_task_revision()
    """,
    # A task that leaves a project, deleted or moved, leaves a tombstone there; a task that
    # comes back takes its tombstone away (its row is newer than the tombstone).
    """
    CREATE FUNCTION bury_task() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        WITH ticked AS (
            UPDATE change_clocks SET revision = revision + 1 WHERE project_id = OLD.project_id
            RETURNING project_id, revision
        )
        INSERT INTO task_tombstones (project_id, task_id, revision, deleted_at)
        SELECT project_id, OLD.id, revision, now() FROM ticked
        ON CONFLICT (project_id, task_id)
        DO UPDATE SET revision = EXCLUDED.revision, deleted_at = EXCLUDED.deleted_at;
        IF TG_OP = 'UPDATE' THEN
            DELETE FROM task_tombstones WHERE project_id = NEW.project_id AND task_id = NEW.id;
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER tasks_bury AFTER DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION bury_task()
    """,
    """
    CREATE TRIGGER tasks_bury_moved AFTER UPDATE OF project_id ON tasks
    FOR EACH ROW WHEN (OLD.project_id IS DISTINCT FROM NEW.project_id)
    EXECUTE FUNCTION bury_task()
    """,
)

SQLITE_TICK = """
        UPDATE change_clocks SET revision = max(revision + 1, NEW.revision)
        WHERE project_id = NEW.project_id;
        UPDATE tasks SET revision = (
            SELECT revision FROM change_clocks WHERE project_id = NEW.project_id
        ) WHERE id = NEW.id AND revision < (
            SELECT revision FROM change_clocks WHERE project_id = NEW.project_id
        );
"""
SQLITE_BURY = """
        UPDATE change_clocks SET revision = revision + 1 WHERE project_id = OLD.project_id;
        INSERT INTO task_tombstones (project_id, task_id, revision, deleted_at)
        SELECT project_id, OLD.id, revision, strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'
        FROM change_clocks WHERE project_id = OLD.project_id
        ON CONFLICT (project_id, task_id)
        DO UPDATE SET revision = excluded.revision, deleted_at = excluded.deleted_at;
"""
SQLITE_UNBURY = (
    "DELETE FROM task_tombstones WHERE project_id = NEW.project_id AND task_id = NEW.id;"
)
SQLITE_TRIGGERS = (
    """
    CREATE TRIGGER projects_start_change_clock AFTER INSERT ON projects BEGIN
        INSERT INTO change_clocks (project_id) VALUES (NEW.id);
    END
    """,
    f"CREATE TRIGGER tasks_stamp_inserted AFTER INSERT ON tasks BEGIN {SQLITE_TICK} END",
    f"CREATE TRIGGER tasks_stamp_updated AFTER UPDATE ON tasks BEGIN {SQLITE_TICK} END",
    f"CREATE TRIGGER tasks_bury AFTER DELETE ON tasks BEGIN {SQLITE_BURY} END",
    "CREATE TRIGGER tasks_bury_moved AFTER UPDATE OF project_id ON tasks "
    f"WHEN OLD.project_id IS NOT NEW.project_id BEGIN {SQLITE_BURY} {SQLITE_UNBURY} END",
)

DROPPED = {
    "postgresql": (
        "DROP TRIGGER tasks_bury_moved ON tasks",
        "DROP TRIGGER tasks_bury ON tasks",
        "DROP FUNCTION bury_task()",
        "DROP TRIGGER tasks_stamp_revision ON tasks",
        "DROP FUNCTION stamp_task_revision()",
        "DROP TRIGGER projects_start_change_clock ON projects",
        "DROP FUNCTION start_change_clock()",
    ),
    "sqlite": (
        "DROP TRIGGER tasks_bury_moved",
        "DROP TRIGGER tasks_bury",
        "DROP TRIGGER tasks_stamp_updated",
        "DROP TRIGGER tasks_stamp_inserted",
        "DROP TRIGGER projects_start_change_clock",
    ),
}


def _project_indexes(dialect: str) -> dict[str, list[str]]:
    """Migration 0003's list indexes, on the project instead of the owner."""
    return {
        name.replace("_user_", "_project_"): [
            "project_id" if column == "user_id" else column for column in columns
        ]
        for name, columns in LIST_INDEXES._indexes(dialect).items()
    }


def _owner_indexes(dialect: str) -> dict[str, list[str]]:
    """The per-owner indexes of migrations 0003 and 0004."""
    indexes: dict[str, list[str]] = LIST_INDEXES._indexes(dialect)
    return indexes | {"ix_tasks_user_revision": ["user_id", "revision", "id"]}


def _tasks_table(*, shared: bool, keyed: bool = True) -> sa.Table:
    """The task table before this migration or after it (`shared`), with its foreign keys or
    not (`keyed`), for SQLite's copy of it, which cannot read its check constraints back."""
    foreign: tuple[sa.schema.SchemaItem, ...]
    if shared:
        columns: tuple[sa.schema.SchemaItem, ...] = (
            sa.Column("project_id", sa.Uuid(), nullable=False),
            sa.Column("created_by", sa.Uuid(), nullable=True),
            sa.Column("assignee_id", sa.Uuid(), nullable=True),
        )
        foreign = (
            sa.ForeignKeyConstraint(
                ["project_id"],
                ["projects.id"],
                name="fk_tasks_project_id_projects",
                ondelete="CASCADE",
            ),
            sa.ForeignKeyConstraint(
                ["created_by"], ["users.id"], name="fk_tasks_created_by_users", ondelete="SET NULL"
            ),
            sa.ForeignKeyConstraint(
                ["assignee_id"],
                ["users.id"],
                name="fk_tasks_assignee_id_users",
                ondelete="SET NULL",
            ),
        )
    else:
        columns = (sa.Column("user_id", sa.Uuid(), nullable=False),)
        foreign = (
            sa.ForeignKeyConstraint(
                ["user_id"], ["users.id"], name="fk_tasks_user_id_users", ondelete="CASCADE"
            ),
        )
    return sa.Table(
        "tasks",
        sa.MetaData(),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("priority", sa.String(8), nullable=False),
        sa.Column("due_date", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("revision", sa.BigInteger(), server_default="0", nullable=False),
        *columns,
        *(foreign if keyed else ()),
        sa.CheckConstraint("status IN ('pending', 'in-progress', 'completed')", name="status"),
        sa.CheckConstraint("priority IN ('low', 'medium', 'high')", name="priority"),
        sa.PrimaryKeyConstraint("id", name="pk_tasks"),
    )


def _copy_of_tasks(*, shared: bool, keyed: bool = True) -> sa.Table | None:
    if op.get_bind().dialect.name != "sqlite":
        return None
    return _tasks_table(shared=shared, keyed=keyed)


def _create_project_tables() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("color", sa.String(7), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("inbox", sa.Boolean(), nullable=False),
        sa.Column("archived_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_projects"),
    )
    op.create_table(
        "project_members",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("joined_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint(ROLES_CHECK, name="ck_project_members_role"),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name="fk_project_members_project_id_projects",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_project_members_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("project_id", "user_id", name="pk_project_members"),
    )
    op.create_index("ix_project_members_user", "project_members", ["user_id", "project_id", "role"])
    op.create_table(
        "invitations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("invited_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("answered_at", TIMESTAMP, nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.CheckConstraint(ROLES_CHECK, name="ck_invitations_role"),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name="fk_invitations_project_id_projects",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["users.id"],
            name="fk_invitations_invited_by_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_invitations"),
        sa.UniqueConstraint("token_hash", name="uq_invitations_token_hash"),
    )
    op.create_index("ix_invitations_email", "invitations", ["email"])
    op.create_index("ix_invitations_project_created", "invitations", ["project_id", "created_at"])


def _rekey_clocks(old: tuple[str, str], new: tuple[str, str]) -> None:
    """Key the change clocks and tombstones by another column: `old` and `new` are each a
    column and the table whose ids the clocks' column refers to. The values stay."""
    (was, was_referred), (column, referred) = old, new
    op.drop_index(f"ix_task_tombstones_{was.removesuffix('_id')}_revision", "task_tombstones")
    with op.batch_alter_table("task_tombstones") as batch:
        batch.drop_constraint(f"fk_task_tombstones_{was}_change_clocks", type_="foreignkey")
    # SQLite's batch mode loses constraints made in the batch that renames their column.
    for table in ("change_clocks", "task_tombstones"):
        with op.batch_alter_table(table) as batch:
            if table == "change_clocks":
                batch.drop_constraint(f"fk_change_clocks_{was}_{was_referred}", type_="foreignkey")
            batch.alter_column(was, new_column_name=column, existing_type=sa.Uuid())
    with op.batch_alter_table("change_clocks") as batch:
        batch.create_foreign_key(
            f"fk_change_clocks_{column}_{referred}", referred, [column], ["id"], ondelete="CASCADE"
        )
    with op.batch_alter_table("task_tombstones") as batch:
        batch.drop_constraint("pk_task_tombstones", type_="primary")
        # A task moved out of several projects has a tombstone in each.
        key = [column, "task_id"] if column == "project_id" else ["task_id"]
        batch.create_primary_key("pk_task_tombstones", key)
        batch.create_foreign_key(
            f"fk_task_tombstones_{column}_change_clocks",
            "change_clocks",
            [column],
            [column],
            ondelete="CASCADE",
        )
    op.create_index(
        f"ix_task_tombstones_{column.removesuffix('_id')}_revision",
        "task_tombstones",
        [column, "revision", "task_id"],
    )


def _columns(columns: list[str]) -> list[sa.TextClause | str]:
    return [column if column.isidentifier() else sa.text(column) for column in columns]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in REVISIONS.DROPPED[dialect]:
        op.execute(statement)
    _create_project_tables()
    op.execute(
        "INSERT INTO projects (id, name, color, description, inbox, created_at, updated_at, "
        "version) SELECT id, 'Inbox', '#64748b', '', true, created_at, created_at, 1 FROM users"
    )
    op.execute(
        "INSERT INTO project_members (project_id, user_id, role, joined_at) "
        "SELECT id, id, 'owner', created_at FROM users"
    )
    _rekey_clocks(("owner_id", "users"), ("project_id", "projects"))
    for name in _owner_indexes(dialect):
        op.drop_index(name, table_name="tasks")
    # Every task goes to its owner's Inbox, whose id is the owner's: the column keeps its values.
    with op.batch_alter_table("tasks", copy_from=_copy_of_tasks(shared=False)) as batch:
        batch.drop_constraint("fk_tasks_user_id_users", type_="foreignkey")
        batch.alter_column(
            "user_id",
            new_column_name="project_id",
            existing_type=sa.Uuid(),
            existing_nullable=False,
        )
        batch.add_column(sa.Column("created_by", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("assignee_id", sa.Uuid(), nullable=True))
    # SQLite's batch mode loses constraints made in the batch that renames their column.
    with op.batch_alter_table("tasks", copy_from=_copy_of_tasks(shared=True, keyed=False)) as batch:
        batch.create_foreign_key(
            "fk_tasks_project_id_projects", "projects", ["project_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_foreign_key(
            "fk_tasks_created_by_users", "users", ["created_by"], ["id"], ondelete="SET NULL"
        )
        batch.create_foreign_key(
            "fk_tasks_assignee_id_users", "users", ["assignee_id"], ["id"], ondelete="SET NULL"
        )
    op.execute("UPDATE tasks SET created_by = project_id")
    for name, columns in _project_indexes(dialect).items():
        op.create_index(name, "tasks", _columns(columns))
    op.create_index("ix_tasks_project_revision", "tasks", ["project_id", "revision", "id"])
    op.create_index("ix_tasks_assignee_created", "tasks", ["assignee_id", "created_at", "id"])
    op.create_index("ix_tasks_created_by", "tasks", ["created_by"])
    for statement in POSTGRESQL_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)


# A task of a shared project goes back to its creator's Inbox, or its first owner's, after
# everything that Inbox has in the change order.
TASKS_GO_HOME = """
    UPDATE tasks SET
        revision = (SELECT c.revision + 1 FROM change_clocks c WHERE c.project_id = home.id),
        project_id = home.id
    FROM (SELECT t.id AS task_id, COALESCE(t.created_by, (
            SELECT m.user_id FROM project_members m WHERE m.project_id = t.project_id
            AND m.role = 'owner' ORDER BY m.joined_at LIMIT 1)) AS id
          FROM tasks t JOIN projects p ON p.id = t.project_id WHERE NOT p.inbox) AS home
    WHERE tasks.id = home.task_id
"""
SHARED_CLOCKS_FORGOTTEN = (
    "DELETE FROM task_tombstones WHERE project_id IN (SELECT id FROM projects WHERE NOT inbox)",
    "DELETE FROM change_clocks WHERE project_id IN (SELECT id FROM projects WHERE NOT inbox)",
)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in DROPPED[dialect]:
        op.execute(statement)
    op.execute(TASKS_GO_HOME)
    op.execute("UPDATE change_clocks SET revision = revision + 1")
    for statement in SHARED_CLOCKS_FORGOTTEN:
        op.execute(statement)
    for name in (*_project_indexes(dialect), "ix_tasks_project_revision"):
        op.drop_index(name, table_name="tasks")
    op.drop_index("ix_tasks_assignee_created", table_name="tasks")
    op.drop_index("ix_tasks_created_by", table_name="tasks")
    with op.batch_alter_table("tasks", copy_from=_copy_of_tasks(shared=True)) as batch:
        batch.drop_constraint("fk_tasks_assignee_id_users", type_="foreignkey")
        batch.drop_constraint("fk_tasks_created_by_users", type_="foreignkey")
        batch.drop_constraint("fk_tasks_project_id_projects", type_="foreignkey")
        batch.drop_column("assignee_id")
        batch.drop_column("created_by")
        batch.alter_column(
            "project_id",
            new_column_name="user_id",
            existing_type=sa.Uuid(),
            existing_nullable=False,
        )
    with op.batch_alter_table(
        "tasks", copy_from=_copy_of_tasks(shared=False, keyed=False)
    ) as batch:
        batch.create_foreign_key(
            "fk_tasks_user_id_users", "users", ["user_id"], ["id"], ondelete="CASCADE"
        )
    for name, columns in _owner_indexes(dialect).items():
        op.create_index(name, "tasks", _columns(columns))
    _rekey_clocks(("project_id", "projects"), ("owner_id", "users"))
    op.drop_table("invitations")
    op.drop_table("project_members")
    op.drop_table("projects")
    for statement in (
        REVISIONS.POSTGRESQL_TRIGGERS if dialect == "postgresql" else REVISIONS.SQLITE_TRIGGERS
    ):
        op.execute(statement)
