"""Access and audit: accounts, sign-in tokens, one-time codes, the audit log, the outbox;
who enrolled a member; the worker's consent on a sponsorship.

The audit log is append-only: triggers refuse UPDATE and DELETE on SQLite and PostgreSQL.

Revision ID: 0003_access_audit
Revises: 0002_member_contributions
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_access_audit"
down_revision = "0002_member_contributions"
branch_labels = None
depends_on = None

ID = sa.String(32)
MOMENT = sa.DateTime(timezone=True)

_PG_APPEND_ONLY = """
CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
"""


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("enrolled_by", ID, nullable=True))
        batch.create_index("ix_members_enrolled_by", ["enrolled_by"])
    with op.batch_alter_table("sponsorships") as batch:
        batch.add_column(
            sa.Column("consent", sa.String(20), nullable=False, server_default="given")
        )
        batch.add_column(sa.Column("consent_at", MOMENT, nullable=True))
        batch.add_column(sa.Column("consent_by", ID, nullable=True))
        batch.add_column(
            sa.Column("consent_reason", sa.String(300), nullable=False, server_default="")
        )
    op.create_table(
        "accounts",
        sa.Column("id", ID, nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("username", sa.String(40), nullable=True),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("phone", sa.String(16), nullable=True),
        sa.Column("member_id", ID, nullable=True),
        sa.Column("sponsor_id", ID, nullable=True),
        sa.Column("branch_code", sa.String(32), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        sa.Column("locked_until", MOMENT, nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.UniqueConstraint("username", name="uq_accounts_username"),
        sa.UniqueConstraint("member_id", name="uq_accounts_member_id"),
        sa.UniqueConstraint("sponsor_id", name="uq_accounts_sponsor_id"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_accounts_member_id_members"
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_id"], ["sponsors.id"], name="fk_accounts_sponsor_id_sponsors"
        ),
        sa.ForeignKeyConstraint(
            ["branch_code"], ["branches.code"], name="fk_accounts_branch_code_branches"
        ),
    )
    op.create_index("ix_accounts_phone", "accounts", ["phone"])
    op.create_table(
        "auth_tokens",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("expires_at", MOMENT, nullable=False),
        sa.Column("revoked_at", MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("digest", name="pk_auth_tokens"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_auth_tokens_account_id_accounts"
        ),
    )
    op.create_index("ix_auth_tokens_account_id", "auth_tokens", ["account_id"])
    op.create_table(
        "one_time_codes",
        sa.Column("id", ID, nullable=False),
        sa.Column("purpose", sa.String(10), nullable=False),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("subject_id", ID, nullable=True),
        sa.Column("client_ip", sa.String(45), nullable=False),
        sa.Column("issued_at", MOMENT, nullable=False),
        sa.Column("expires_at", MOMENT, nullable=False),
        sa.Column("used_at", MOMENT, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_one_time_codes"),
    )
    op.create_index("ix_one_time_codes_phone_issued", "one_time_codes", ["phone", "issued_at"])
    op.create_index("ix_one_time_codes_ip_issued", "one_time_codes", ["client_ip", "issued_at"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", MOMENT, nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("entity_type", sa.String(30), nullable=False),
        sa.Column("entity_id", sa.String(40), nullable=False),
        sa.Column("actor_account_id", ID, nullable=True),
        sa.Column("actor_role", sa.String(20), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_table(
        "outbox_messages",
        sa.Column("id", ID, nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("recipient", sa.String(16), nullable=False),
        sa.Column("template", sa.String(40), nullable=False),
        sa.Column("body", sa.String(480), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("sent_at", MOMENT, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_messages"),
    )
    op.create_index("ix_outbox_messages_sent_at", "outbox_messages", ["sent_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_APPEND_ONLY)
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_no_update ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    for table in ("outbox_messages", "audit_events", "one_time_codes", "auth_tokens", "accounts"):
        op.drop_table(table)
    with op.batch_alter_table("sponsorships") as batch:
        for column in ("consent_reason", "consent_by", "consent_at", "consent"):
            batch.drop_column(column)
    with op.batch_alter_table("members") as batch:
        batch.drop_index("ix_members_enrolled_by")
        batch.drop_column("enrolled_by")
