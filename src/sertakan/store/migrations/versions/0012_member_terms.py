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


_COLUMNS = (
    ("pending_income", sa.BigInteger()),
    ("pending_programs", sa.String(40)),
    ("pending_from", sa.String(7)),
)


def upgrade() -> None:
    # Plain ADD/DROP COLUMN on both databases (SQLite since 3.35): a batch rebuild of
    # `members` would drop a table that sponsorships and invoice lines point at.
    for name, kind in _COLUMNS:
        op.add_column("members", sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    for name, _ in reversed(_COLUMNS):
        op.execute(f"ALTER TABLE members DROP COLUMN {name}")
