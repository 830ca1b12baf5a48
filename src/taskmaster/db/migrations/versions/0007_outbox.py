"""The outbox: every change others must learn of leaves an event row in the transaction that
makes it, so that a committed change is never without its event, and a rolled-back one never
has one. The relay (taskmaster.events.relay) publishes the rows after commit.

Triggers write the rows, as they keep the change clocks (migration 0004): no write path can
forget them, and a task write stays one statement. An event holds its payload as the API
shows it (JSON text, rendered by the database as the task lists are): the relay parses
nothing to publish it.

- tasks: task:created, task:updated (also a task moved into a project), task:deleted (also a
  task moved out of one), each with its project's revision: the delta query's position.
- projects: project:updated, project:deleted; project_members: member:added, member:updated,
  member:removed (also to the member's own room: the project is theirs, or no longer).
- auth_sessions: session:ended, when a session's revoked_at is first set.

Within a project, events are in the order their transactions committed: a task write holds the
project's change clock until commit (migration 0004), and a membership change takes it too.
A bulk load sets `taskmaster.quiet` (PostgreSQL) and tells no one: it is no live change.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from taskmaster.db.migrate import earlier_migration

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)
PROJECTS = earlier_migration("0005_projects_members_invitations")


# PostgreSQL ---------------------------------------------------------------------------------


def _pg_moment(column: str) -> str:
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""


def _pg_task(t: str) -> str:
    return f"""json_build_object(
            'id', {t}.id, 'title', {t}.title, 'description', {t}.description,
            'status', {t}.status, 'priority', {t}.priority,
            'dueDate', {_pg_moment(f"{t}.due_date")},
            'createdAt', {_pg_moment(f"{t}.created_at")},
            'updatedAt', {_pg_moment(f"{t}.updated_at")},
            'revision', {t}.revision, 'projectId', {t}.project_id, 'assigneeId', {t}.assignee_id
        )::text"""


POSTGRESQL_TRIGGERS = (
    f"""
    CREATE FUNCTION tell_task_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('taskmaster.quiet', true) = 'on' THEN
            RETURN NULL;
        END IF;
        IF TG_OP = 'DELETE'
           OR (TG_OP = 'UPDATE' AND OLD.project_id IS DISTINCT FROM NEW.project_id) THEN
            INSERT INTO outbox (topic, project_id, payload)
            SELECT 'task:deleted', OLD.project_id, json_build_object(
                'id', OLD.id, 'revision', revision, 'projectId', OLD.project_id
            )::text
            FROM task_tombstones WHERE project_id = OLD.project_id AND task_id = OLD.id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO outbox (topic, project_id, payload) VALUES (
                CASE TG_OP WHEN 'INSERT' THEN 'task:created' ELSE 'task:updated' END,
                NEW.project_id, {_pg_task("NEW")}
            );
        END IF;
        RETURN NULL;
    END $$
    """,
    # After tasks_bury and tasks_bury_moved (triggers fire in the order of their names): a
    # task that leaves a project has its tombstone, and with it the revision of its leaving.
    """
    CREATE TRIGGER tasks_tell AFTER INSERT OR UPDATE OR DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION tell_task_change()
    """,
    f"""
    CREATE FUNCTION tell_project_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            INSERT INTO outbox (topic, project_id, payload)
            VALUES ('project:deleted', OLD.id, json_build_object('id', OLD.id)::text);
        ELSE
            INSERT INTO outbox (topic, project_id, payload) VALUES (
                'project:updated', NEW.id, json_build_object(
                    'id', NEW.id, 'name', NEW.name, 'color', NEW.color,
                    'description', NEW.description, 'inbox', NEW.inbox,
                    'archived', NEW.archived_at IS NOT NULL,
                    'createdAt', {_pg_moment("NEW.created_at")},
                    'updatedAt', {_pg_moment("NEW.updated_at")},
                    'version', NEW.version
                )::text
            );
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER projects_tell AFTER UPDATE OR DELETE ON projects
    FOR EACH ROW EXECUTE FUNCTION tell_project_change()
    """,
    f"""
    CREATE FUNCTION tell_member_change() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        m project_members%ROWTYPE;
    BEGIN
        IF current_setting('taskmaster.quiet', true) = 'on' THEN
            RETURN NULL;
        END IF;
        IF TG_OP = 'DELETE' THEN m := OLD; ELSE m := NEW; END IF;
        -- In line with the project's task events: they hold this row until they commit.
        PERFORM FROM change_clocks WHERE project_id = m.project_id FOR UPDATE;
        INSERT INTO outbox (topic, project_id, user_id, payload)
        SELECT CASE TG_OP WHEN 'INSERT' THEN 'member:added' WHEN 'UPDATE' THEN 'member:updated'
                          ELSE 'member:removed' END,
               m.project_id, m.user_id, json_build_object(
                   'projectId', m.project_id, 'userId', m.user_id,
                   'name', account.name, 'email', account.email, 'role', m.role,
                   'joinedAt', {_pg_moment("m.joined_at")}
               )::text
        FROM (SELECT) AS one LEFT JOIN users AS account ON account.id = m.user_id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER project_members_tell AFTER INSERT OR UPDATE OR DELETE ON project_members
    FOR EACH ROW EXECUTE FUNCTION tell_member_change()
    """,
    """
    CREATE FUNCTION tell_session_ended() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO outbox (topic, user_id, payload) VALUES (
            'session:ended', NEW.user_id,
            json_build_object('sessionId', NEW.id, 'reason', NEW.revoked_reason)::text
        );
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER auth_sessions_tell AFTER UPDATE OF revoked_at ON auth_sessions
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
    EXECUTE FUNCTION tell_session_ended()
    """,
)


# SQLite -------------------------------------------------------------------------------------
# Its triggers fire in no documented order, so the events are written by the triggers that
# stamp and bury the tasks, after they have.


def _lite_uuid(column: str) -> str:
    parts = [(1, 8), (9, 4), (13, 4), (17, 4), (21, 12)]
    return " || '-' || ".join(f"substr({column}, {start}, {length})" for start, length in parts)


def _lite_moment(column: str) -> str:
    return f"strftime('%Y-%m-%dT%H:%M:%fZ', {column})"


LITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'"
LITE_TASK = f"""json_object(
            'id', {_lite_uuid("t.id")}, 'title', t.title, 'description', t.description,
            'status', t.status, 'priority', t.priority,
            'dueDate', {_lite_moment("t.due_date")},
            'createdAt', {_lite_moment("t.created_at")},
            'updatedAt', {_lite_moment("t.updated_at")},
            'revision', t.revision, 'projectId', {_lite_uuid("t.project_id")},
            'assigneeId', CASE WHEN t.assignee_id IS NULL THEN NULL
                               ELSE {_lite_uuid("t.assignee_id")} END
        )"""


def _lite_written(topic: str) -> str:
    return f"""
        INSERT INTO outbox (topic, project_id, payload, created_at)
        SELECT '{topic}', t.project_id, {LITE_TASK}, {LITE_NOW} FROM tasks AS t WHERE t.id = NEW.id;
    """


LITE_BURIED = f"""
        INSERT INTO outbox (topic, project_id, payload, created_at)
        SELECT 'task:deleted', OLD.project_id, json_object(
            'id', {_lite_uuid("OLD.id")}, 'revision', revision,
            'projectId', {_lite_uuid("OLD.project_id")}
        ), {LITE_NOW}
        FROM task_tombstones WHERE project_id = OLD.project_id AND task_id = OLD.id;
"""
LITE_PROJECT = f"""json_object(
            'id', {_lite_uuid("NEW.id")}, 'name', NEW.name, 'color', NEW.color,
            'description', NEW.description, 'inbox', json(CASE WHEN NEW.inbox THEN 'true'
                                                          ELSE 'false' END),
            'archived', json(CASE WHEN NEW.archived_at IS NULL THEN 'false' ELSE 'true' END),
            'createdAt', {_lite_moment("NEW.created_at")},
            'updatedAt', {_lite_moment("NEW.updated_at")}, 'version', NEW.version
        )"""


def _lite_member(topic: str, m: str) -> str:
    return f"""
        INSERT INTO outbox (topic, project_id, user_id, payload, created_at)
        SELECT '{topic}', {m}.project_id, {m}.user_id, json_object(
            'projectId', {_lite_uuid(f"{m}.project_id")}, 'userId', {_lite_uuid(f"{m}.user_id")},
            'name', account.name, 'email', account.email, 'role', {m}.role,
            'joinedAt', {_lite_moment(f"{m}.joined_at")}
        ), {LITE_NOW}
        FROM (SELECT 1) AS one LEFT JOIN users AS account ON account.id = {m}.user_id;
    """


SQLITE_TRIGGERS = (
    "CREATE TRIGGER tasks_stamp_inserted AFTER INSERT ON tasks BEGIN "
    f"{PROJECTS.SQLITE_TICK} {_lite_written('task:created')} END",
    "CREATE TRIGGER tasks_stamp_updated AFTER UPDATE ON tasks BEGIN "
    f"{PROJECTS.SQLITE_TICK} {_lite_written('task:updated')} END",
    "CREATE TRIGGER tasks_bury AFTER DELETE ON tasks BEGIN "
    f"{PROJECTS.SQLITE_BURY} {LITE_BURIED} END",
    "CREATE TRIGGER tasks_bury_moved AFTER UPDATE OF project_id ON tasks "
    f"WHEN OLD.project_id IS NOT NEW.project_id BEGIN {PROJECTS.SQLITE_BURY} {LITE_BURIED} "
    f"{PROJECTS.SQLITE_UNBURY} END",
    f"""
    CREATE TRIGGER projects_tell_updated AFTER UPDATE ON projects BEGIN
        INSERT INTO outbox (topic, project_id, payload, created_at)
        VALUES ('project:updated', NEW.id, {LITE_PROJECT}, {LITE_NOW});
    END
    """,
    f"""
    CREATE TRIGGER projects_tell_deleted AFTER DELETE ON projects BEGIN
        INSERT INTO outbox (topic, project_id, payload, created_at)
        VALUES ('project:deleted', OLD.id, json_object('id', {_lite_uuid("OLD.id")}), {LITE_NOW});
    END
    """,
    "CREATE TRIGGER project_members_tell_added AFTER INSERT ON project_members BEGIN "
    f"{_lite_member('member:added', 'NEW')} END",
    "CREATE TRIGGER project_members_tell_updated AFTER UPDATE ON project_members BEGIN "
    f"{_lite_member('member:updated', 'NEW')} END",
    "CREATE TRIGGER project_members_tell_removed AFTER DELETE ON project_members BEGIN "
    f"{_lite_member('member:removed', 'OLD')} END",
    f"""
    CREATE TRIGGER auth_sessions_tell AFTER UPDATE OF revoked_at ON auth_sessions
    WHEN OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL BEGIN
        INSERT INTO outbox (topic, user_id, payload, created_at) VALUES (
            'session:ended', NEW.user_id,
            json_object('sessionId', {_lite_uuid("NEW.id")}, 'reason', NEW.revoked_reason),
            {LITE_NOW}
        );
    END
    """,
)
SQLITE_REPLACED = ("tasks_stamp_inserted", "tasks_stamp_updated", "tasks_bury", "tasks_bury_moved")

DROPPED = {
    "postgresql": (
        "DROP TRIGGER auth_sessions_tell ON auth_sessions",
        "DROP FUNCTION tell_session_ended()",
        "DROP TRIGGER project_members_tell ON project_members",
        "DROP FUNCTION tell_member_change()",
        "DROP TRIGGER projects_tell ON projects",
        "DROP FUNCTION tell_project_change()",
        "DROP TRIGGER tasks_tell ON tasks",
        "DROP FUNCTION tell_task_change()",
    ),
    "sqlite": (
        "DROP TRIGGER auth_sessions_tell",
        "DROP TRIGGER project_members_tell_removed",
        "DROP TRIGGER project_members_tell_updated",
        "DROP TRIGGER project_members_tell_added",
        "DROP TRIGGER projects_tell_deleted",
        "DROP TRIGGER projects_tell_updated",
        *(f"DROP TRIGGER {name}" for name in SQLITE_REPLACED),
    ),
}


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("topic", sa.String(32), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, server_default=sa.func.now(), nullable=False),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sqlite_autoincrement=True,  # an event's id is never used again, even after cleanup
    )
    # What the relay reads: the rows not yet sent, in order. It stays as small as they are.
    op.create_index(
        "ix_outbox_unsent",
        "outbox",
        ["id"],
        postgresql_where=sa.text("sent_at IS NULL"),
        sqlite_where=sa.text("sent_at IS NULL"),
    )
    op.create_index("ix_outbox_sent_at", "outbox", ["sent_at"])
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_TRIGGERS:
            op.execute(statement)
        return
    for name in SQLITE_REPLACED:
        op.execute(f"DROP TRIGGER {name}")
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in DROPPED[dialect]:
        op.execute(statement)
    if dialect == "sqlite":
        for statement in PROJECTS.SQLITE_TRIGGERS:
            if any(f"TRIGGER {name} " in statement for name in SQLITE_REPLACED):
                op.execute(statement)
    op.drop_index("ix_outbox_sent_at", table_name="outbox")
    op.drop_index("ix_outbox_unsent", table_name="outbox")
    op.drop_table("outbox")
