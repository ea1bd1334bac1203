"""A member's terms changed from a later month (issue 16 point 2): the declared income level
and programmes that bill from `pending_from` (YYYY-MM) on, kept beside the current ones until
that month is billed, so a month already invoiced never changes and the batch run reads the
month's terms in SQL. All three are empty when nothing is pending.

Revision ID: 0012_member_terms
Revises: 0011_audit_event_ids
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_member_terms"
down_revision = "0011_audit_event_ids"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("pending_income", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("pending_programs", sa.String(40), nullable=True))
        batch.add_column(sa.Column("pending_from", sa.String(7), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_column("pending_from")
        batch.drop_column("pending_programs")
        batch.drop_column("pending_income")
