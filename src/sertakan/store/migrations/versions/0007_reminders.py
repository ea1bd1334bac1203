"""Reminders: `reminders_sent`, the key that lets each reminder be queued once; indexes for the
daily job's "open invoices due between two dates" and "members who paid this month".

Revision ID: 0007_reminders
Revises: 0006_reconciliation
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_reminders"
down_revision = "0006_reconciliation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminders_sent",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("message_id", sa.String(length=32), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "subject_id", "month", name=op.f("pk_reminders_sent")),
    )
    op.create_index("ix_invoices_status_due_on", "invoices", ["status", "due_on"])
    op.create_index("ix_settlements_month_member_id", "settlements", ["month", "member_id"])


def downgrade() -> None:
    op.drop_index("ix_settlements_month_member_id", table_name="settlements")
    op.drop_index("ix_invoices_status_due_on", table_name="invoices")
    op.drop_table("reminders_sent")
