"""Account security (#13): the security log, passkeys, authenticator apps (TOTP) and their
recovery codes, and when each session last proved who its user is.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def _owned_by_user(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=f"fk_{table}_user_id_users", ondelete="CASCADE"
    )


def upgrade() -> None:
    # Plain ALTER TABLE on every backend: a batch copy would drop SQLite's outbox triggers.
    op.add_column("auth_sessions", sa.Column("authenticated_at", TIMESTAMP, nullable=True))
    op.create_table(
        "security_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("user_agent", sa.String(512), nullable=False),
        sa.Column("detail", sa.String(1000), nullable=False),
        _owned_by_user("security_events"),
        sa.PrimaryKeyConstraint("id", name="pk_security_events"),
    )
    op.create_index("ix_security_events_user_at", "security_events", ["user_id", "at", "id"])
    op.create_index("ix_security_events_at", "security_events", ["at"])
    op.create_table(
        "totp_factors",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("sealed_secret", sa.String(200), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("enabled_at", TIMESTAMP, nullable=True),
        sa.Column("last_step", sa.Integer(), nullable=False),
        _owned_by_user("totp_factors"),
        sa.PrimaryKeyConstraint("user_id", name="pk_totp_factors"),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("used_at", TIMESTAMP, nullable=True),
        _owned_by_user("recovery_codes"),
        sa.PrimaryKeyConstraint("id", name="pk_recovery_codes"),
        sa.UniqueConstraint("user_id", "code_hash", name="uq_recovery_codes_user_id_code_hash"),
    )
    op.create_table(
        "passkeys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("credential_id", sa.String(1400), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("transports", sa.String(200), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("last_used_at", TIMESTAMP, nullable=True),
        _owned_by_user("passkeys"),
        sa.PrimaryKeyConstraint("id", name="pk_passkeys"),
        sa.UniqueConstraint("credential_id", name="uq_passkeys_credential_id"),
    )
    op.create_index("ix_passkeys_user_created", "passkeys", ["user_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_passkeys_user_created", table_name="passkeys")
    op.drop_table("passkeys")
    op.drop_table("recovery_codes")
    op.drop_table("totp_factors")
    op.drop_index("ix_security_events_at", table_name="security_events")
    op.drop_index("ix_security_events_user_at", table_name="security_events")
    op.drop_table("security_events")
    op.drop_column("auth_sessions", "authenticated_at")
