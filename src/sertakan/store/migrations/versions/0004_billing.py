"""Billing: invoices and their lines, the payment inbox (notices) and the rejected notices,
payments, settlements (one per member and month), the suspense list, domain events.

Revision ID: 0004_billing
Revises: 0003_access_audit
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_billing"
down_revision = "0003_access_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "domain_events",
        sa.Column("payment_id", sa.String(length=32), nullable=False),
        sa.Column("member_id", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("invoice_id", sa.String(length=32), nullable=False),
        sa.Column("jkk", sa.BigInteger(), nullable=False),
        sa.Column("jkm", sa.BigInteger(), nullable=False),
        sa.Column("jht", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("payment_id", "member_id", "month", name=op.f("pk_domain_events")),
    )
    with op.batch_alter_table("domain_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_domain_events_published_at"), ["published_at"], unique=False
        )

    op.create_table(
        "invoices",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("payer_kind", sa.String(length=10), nullable=False),
        sa.Column("payer_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("branch_code", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(length=200), server_default="", nullable=False),
        sa.Column("issue_key", sa.String(length=90), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("issue_key", name=op.f("uq_invoices_issue_key")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoices_branch_code"), ["branch_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoices_month"), ["month"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoices_payer_id"), ["payer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_invoices_status"), ["status"], unique=False)

    op.create_table(
        "payment_notices",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("gateway", sa.String(length=20), nullable=False),
        sa.Column("transaction_id", sa.String(length=64), nullable=False),
        sa.Column("invoice_number", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raw_body", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payment_id", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_notices")),
        sa.UniqueConstraint(
            "gateway", "transaction_id", name=op.f("uq_payment_notices_gateway_transaction_id")
        ),
    )
    with op.batch_alter_table("payment_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_notices_outcome"), ["outcome"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_notices_paid_at"), ["paid_at"], unique=False)

    op.create_table(
        "rejected_notices",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("signature", sa.String(length=200), nullable=False),
        sa.Column("raw_body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejected_notices")),
    )
    with op.batch_alter_table("rejected_notices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rejected_notices_received_at"), ["received_at"], unique=False
        )

    op.create_table(
        "payments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("invoice_id", sa.String(length=32), nullable=False),
        sa.Column("notice_id", sa.String(length=32), nullable=False),
        sa.Column("gateway", sa.String(length=20), nullable=False),
        sa.Column("transaction_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_payments_invoice_id_invoices")
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["payment_notices.id"],
            name=op.f("fk_payments_notice_id_payment_notices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("notice_id", name=op.f("uq_payments_notice_id")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_invoice_id"), ["invoice_id"], unique=False)

    op.create_table(
        "suspense_items",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("notice_id", sa.String(length=32), nullable=False),
        sa.Column("invoice_id", sa.String(length=32), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("branch_code", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=32), nullable=True),
        sa.Column("resolution_note", sa.String(length=300), server_default="", nullable=False),
        sa.Column("allocated_invoice_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["allocated_invoice_id"],
            ["invoices.id"],
            name=op.f("fk_suspense_items_allocated_invoice_id_invoices"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_suspense_items_invoice_id_invoices")
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["payment_notices.id"],
            name=op.f("fk_suspense_items_notice_id_payment_notices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suspense_items")),
        sa.UniqueConstraint("notice_id", name=op.f("uq_suspense_items_notice_id")),
    )
    with op.batch_alter_table("suspense_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_suspense_items_branch_code"), ["branch_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_suspense_items_status"), ["status"], unique=False)

    op.create_table(
        "invoice_lines",
        sa.Column("invoice_id", sa.String(length=32), nullable=False),
        sa.Column("member_id", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("programs", sa.String(length=40), nullable=False),
        sa.Column("jkk", sa.BigInteger(), nullable=False),
        sa.Column("jkm", sa.BigInteger(), nullable=False),
        sa.Column("jht", sa.BigInteger(), nullable=False),
        sa.Column("discount", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_lines_invoice_id_invoices")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_invoice_lines_member_id_members")
        ),
        sa.PrimaryKeyConstraint("invoice_id", "member_id", "month", name=op.f("pk_invoice_lines")),
    )
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invoice_lines_member_id_month", ["member_id", "month"], unique=False
        )

    op.create_table(
        "settlements",
        sa.Column("member_id", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("invoice_id", sa.String(length=32), nullable=False),
        sa.Column("payment_id", sa.String(length=32), nullable=False),
        sa.Column("programs", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_settlements_invoice_id_invoices")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_settlements_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_settlements_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("member_id", "month", name=op.f("pk_settlements")),
    )
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_settlements_invoice_id"), ["invoice_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_settlements_invoice_id"))

    op.drop_table("settlements")
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_invoice_lines_member_id_month")

    op.drop_table("invoice_lines")
    with op.batch_alter_table("suspense_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suspense_items_status"))
        batch_op.drop_index(batch_op.f("ix_suspense_items_branch_code"))

    op.drop_table("suspense_items")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_invoice_id"))

    op.drop_table("payments")
    with op.batch_alter_table("rejected_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rejected_notices_received_at"))

    op.drop_table("rejected_notices")
    with op.batch_alter_table("payment_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_notices_paid_at"))
        batch_op.drop_index(batch_op.f("ix_payment_notices_outcome"))

    op.drop_table("payment_notices")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoices_status"))
        batch_op.drop_index(batch_op.f("ix_invoices_payer_id"))
        batch_op.drop_index(batch_op.f("ix_invoices_month"))
        batch_op.drop_index(batch_op.f("ix_invoices_branch_code"))

    op.drop_table("invoices")
    with op.batch_alter_table("domain_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_domain_events_published_at"))

    op.drop_table("domain_events")
