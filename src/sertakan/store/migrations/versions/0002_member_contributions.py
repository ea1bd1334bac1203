"""Member contributions: the monthly billing run's amounts per member and month.

One row per (member_id, month): the primary key makes a re-run of the batch insert nothing
twice. No foreign key to members (a national run may bill members read from Parquet).

Revision ID: 0002_member_contributions
Revises: 0001_registry
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_member_contributions"
down_revision = "0001_registry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "member_contributions",
        sa.Column("member_id", sa.String(32), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("declared_income", sa.BigInteger(), nullable=False),
        sa.Column("programs", sa.String(40), nullable=False),
        sa.Column("jkk", sa.BigInteger(), nullable=False),
        sa.Column("jkm", sa.BigInteger(), nullable=False),
        sa.Column("jht", sa.BigInteger(), nullable=False),
        sa.Column("discount", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "month", name="pk_member_contributions"),
    )
    op.create_index("ix_member_contributions_month", "member_contributions", ["month"])


def downgrade() -> None:
    op.drop_index("ix_member_contributions_month", table_name="member_contributions")
    op.drop_table("member_contributions")
