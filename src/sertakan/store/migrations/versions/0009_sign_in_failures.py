"""Sign-in failures per account and client address: `sign_in_failures`, so that a stranger's
wrong guesses lock their own address out of an account and not the account's holder
(docs/security.md).

Revision ID: 0009_sign_in_failures
Revises: 0007_reminders
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_sign_in_failures"
down_revision = "0008_one_open_invoice"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("client_ip", sa.String(length=45), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_sign_in_failures_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("account_id", "client_ip", name=op.f("pk_sign_in_failures")),
    )


def downgrade() -> None:
    op.drop_table("sign_in_failures")
