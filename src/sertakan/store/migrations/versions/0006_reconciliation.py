"""Reconciliation: each run against the gateway's daily settlement file, and its rows.

Revision ID: 0006_reconciliation
Revises: 0005_outbox_delivery
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_reconciliation"
down_revision = "0005_outbox_delivery"
branch_labels = None
depends_on = None

ID = sa.String(length=32)
MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "reconciliation_runs",
        sa.Column("id", ID, nullable=False),
        sa.Column("settlement_date", sa.Date(), nullable=False),
        sa.Column("gateway", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("file_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("actor_account_id", ID, nullable=True),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("not_notified", sa.Integer(), nullable=False),
        sa.Column("not_in_file", sa.Integer(), nullable=False),
        sa.Column("amount_mismatch", sa.Integer(), nullable=False),
        sa.Column("unreadable", sa.Integer(), nullable=False),
        sa.Column("applied", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_runs")),
    )
    op.create_index(
        op.f("ix_reconciliation_runs_settlement_date"), "reconciliation_runs", ["settlement_date"]
    )
    op.create_index(
        op.f("ix_reconciliation_runs_created_at"), "reconciliation_runs", ["created_at"]
    )

    op.create_table(
        "reconciliation_rows",
        sa.Column("run_id", ID, nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("transaction_id", sa.String(length=64), nullable=False),
        sa.Column("invoice_number", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("file_amount", sa.BigInteger(), nullable=True),
        sa.Column("notice_amount", sa.BigInteger(), nullable=True),
        sa.Column("notice_id", ID, nullable=True),
        sa.Column("notice_outcome", sa.String(length=10), nullable=True),
        sa.Column("applied", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["reconciliation_runs.id"],
            name=op.f("fk_reconciliation_rows_run_id_reconciliation_runs"),
        ),
        sa.PrimaryKeyConstraint("run_id", "seq", name=op.f("pk_reconciliation_rows")),
    )


def downgrade() -> None:
    op.drop_table("reconciliation_rows")
    op.drop_index(op.f("ix_reconciliation_runs_created_at"), table_name="reconciliation_runs")
    op.drop_index(op.f("ix_reconciliation_runs_settlement_date"), table_name="reconciliation_runs")
    op.drop_table("reconciliation_runs")
