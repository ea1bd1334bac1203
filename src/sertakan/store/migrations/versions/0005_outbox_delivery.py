"""Outbox delivery: when a message may be tried again, who holds it, why it failed, when we
gave up; an index of the pending messages, oldest first.

Revision ID: 0005_outbox_delivery
Revises: 0004_billing
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_outbox_delivery"
down_revision = "0004_billing"
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)
PENDING = "sent_at IS NULL AND gave_up_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("next_attempt_at", MOMENT, nullable=True))
        batch.add_column(sa.Column("claimed_until", MOMENT, nullable=True))
        batch.add_column(sa.Column("last_error", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("gave_up_at", MOMENT, nullable=True))
    op.create_index(
        "ix_outbox_messages_pending",
        "outbox_messages",
        ["created_at"],
        postgresql_where=sa.text(PENDING),
        sqlite_where=sa.text(PENDING),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_messages_pending", table_name="outbox_messages")
    with op.batch_alter_table("outbox_messages") as batch:
        for column in ("gave_up_at", "last_error", "claimed_until", "next_attempt_at"):
            batch.drop_column(column)
