"""A moved task's revision only grows, and moves that cross each other cannot deadlock
(PostgreSQL; on SQLite the update statement takes care of the first, and the second cannot
happen with one writer at a time).

A task that moves into a project whose clock is behind its revision took the lower number:
its ETag went back. The clock now jumps past the task's revision first.

A move ticks two clocks: the new project's as the row is stamped, the old one's as the task
is buried there. Moves A→B and B→A at once took them in opposite orders, and PostgreSQL
aborted one as a deadlock. A move now locks both clocks in project order before either tick.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

from taskmaster.db.migrate import earlier_migration

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


PROJECTS = earlier_migration("0005_projects_members_invitations")

POSTGRESQL_STAMP = """
    CREATE OR REPLACE FUNCTION stamp_task_revision() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        at_least bigint := 0;
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            at_least := OLD.revision;
            IF OLD.project_id IS DISTINCT FROM NEW.project_id THEN
                PERFORM FROM change_clocks WHERE project_id IN (OLD.project_id, NEW.project_id)
                ORDER BY project_id FOR UPDATE;
            END IF;
        END IF;
        UPDATE change_clocks SET revision = GREATEST(revision, at_least) + 1
        WHERE project_id = NEW.project_id
        RETURNING revision INTO NEW.revision;
        RETURN NEW;
    END $$
"""


def _stamp(*, upgraded: bool) -> str:
    if upgraded:
        return POSTGRESQL_STAMP
    created = "CREATE FUNCTION stamp_task_revision()"
    [earlier] = [s for s in PROJECTS.POSTGRESQL_TRIGGERS if created in s]
    return str(earlier).replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_stamp(upgraded=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_stamp(upgraded=False))
