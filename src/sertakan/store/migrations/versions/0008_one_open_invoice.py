"""One live invoice per member and month: `invoice_lines.billed` and the partial unique index
`uq_invoice_lines_billed_month` (a double tap on "bayar di muka" billed the same months twice).

A database that already holds such duplicates (two open invoices billing a member's month) is
put right first: of the invoices sharing a member's month, the paid one stays (at most one can
be: the settlements' key counts a month once), else the first issued (then the lowest id);
every other OPEN invoice sharing a month with one kept is cancelled, with the reason
"duplicate of INV-..." and an audit event (actor: system, request "migration-0008"). A month
only the cancelled invoice billed becomes billable again: the next issue run bills it. Money
that still arrives for a cancelled duplicate goes to the suspense list, as for any cancelled
invoice. Downgrading drops the column and the index; the cancelled duplicates stay cancelled.

Revision ID: 0008_one_open_invoice
Revises: 0007_reminders
Create Date: 2026-12-02
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0008_one_open_invoice"
down_revision = "0007_reminders"
branch_labels = None
depends_on = None

LIVE = "billed"
_CHUNK = 500

_invoices = sa.table(
    "invoices",
    sa.column("id", sa.String),
    sa.column("number", sa.String),
    sa.column("payer_kind", sa.String),
    sa.column("payer_id", sa.String),
    sa.column("kind", sa.String),
    sa.column("month", sa.String),
    sa.column("due_on", sa.Date),
    sa.column("total", sa.BigInteger),
    sa.column("status", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("cancelled_at", sa.DateTime(timezone=True)),
    sa.column("cancel_reason", sa.String),
    sa.column("issue_key", sa.String),
)
_lines = sa.table(
    "invoice_lines",
    sa.column("invoice_id", sa.String),
    sa.column("member_id", sa.String),
    sa.column("month", sa.String),
    sa.column("billed", sa.Boolean),
)
_audit = sa.table(
    "audit_events",
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("action", sa.String),
    sa.column("entity_type", sa.String),
    sa.column("entity_id", sa.String),
    sa.column("actor_account_id", sa.String),
    sa.column("actor_role", sa.String),
    sa.column("request_id", sa.String),
    sa.column("outcome", sa.String),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
    sa.column("reason", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("invoice_lines") as batch:
        batch.add_column(sa.Column(LIVE, sa.Boolean(), nullable=False, server_default=sa.true()))
    conn = op.get_bind()
    cancelled = sa.select(_invoices.c.id).where(_invoices.c.status == "cancelled")
    conn.execute(sa.update(_lines).where(_lines.c.invoice_id.in_(cancelled)).values(billed=False))
    _cancel_duplicates(conn)
    op.create_index(
        "uq_invoice_lines_billed_month",
        "invoice_lines",
        ["member_id", "month"],
        unique=True,
        postgresql_where=sa.text(LIVE),
        sqlite_where=sa.text(LIVE),
    )


def downgrade() -> None:
    op.drop_index("uq_invoice_lines_billed_month", table_name="invoice_lines")
    with op.batch_alter_table("invoice_lines") as batch:
        batch.drop_column(LIVE)


def _cancel_duplicates(conn: sa.Connection) -> None:
    """Cancel the later of the open invoices sharing a member's month (see the docstring)."""
    doubled = (
        sa.select(_lines.c.member_id, _lines.c.month)
        .where(_lines.c.billed)
        .group_by(_lines.c.member_id, _lines.c.month)
        .having(sa.func.count() > 1)
    ).subquery()
    involved = sorted(
        set(
            conn.scalars(
                sa.select(_lines.c.invoice_id).join(
                    doubled,
                    sa.and_(
                        doubled.c.member_id == _lines.c.member_id,
                        doubled.c.month == _lines.c.month,
                    ),
                )
            )
        )
    )
    if not involved:
        return
    found: list[sa.Row[tuple[object, ...]]] = []
    months: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for start in range(0, len(involved), _CHUNK):
        chunk = involved[start : start + _CHUNK]
        found += conn.execute(sa.select(_invoices).where(_invoices.c.id.in_(chunk))).all()
        for line in conn.execute(
            sa.select(_lines.c.invoice_id, _lines.c.member_id, _lines.c.month).where(
                _lines.c.invoice_id.in_(chunk), _lines.c.billed
            )
        ):
            months[line.invoice_id].add((line.member_id, line.month))
    # The paid first (never cancelled), then the open ones in the order they were issued.
    found.sort(key=lambda i: (i.status != "paid", _utc(i.created_at), i.id))
    kept: dict[tuple[str, str], str] = {}  # member-month -> the number of the invoice kept
    now = dt.datetime.now(dt.UTC)
    for invoice in found:
        taken = sorted({kept[m] for m in months[invoice.id] if m in kept})
        if not taken or invoice.status != "open":
            kept |= dict.fromkeys(months[invoice.id], invoice.number)
            continue
        reason = f"duplicate of {', '.join(taken)}: its months were billed twice"[:200]
        conn.execute(
            sa.update(_invoices)
            .where(_invoices.c.id == invoice.id)
            .values(status="cancelled", cancelled_at=now, cancel_reason=reason, issue_key=None)
        )
        conn.execute(
            sa.update(_lines).where(_lines.c.invoice_id == invoice.id).values(billed=False)
        )
        snapshot = {
            "number": invoice.number,
            "payer_kind": invoice.payer_kind,
            "payer_id": invoice.payer_id,
            "kind": invoice.kind,
            "month": invoice.month,
            "due_on": invoice.due_on.isoformat(),
            "total": invoice.total,
        }
        conn.execute(
            sa.insert(_audit).values(
                at=now,
                action="invoice.cancel",
                entity_type="invoice",
                entity_id=invoice.id,
                actor_account_id=None,
                actor_role="system",
                request_id="migration-0008",
                outcome="done",
                before=snapshot | {"status": "open"},
                after=snapshot | {"status": "cancelled"},
                reason=reason[:300],
            )
        )


def _utc(moment: dt.datetime) -> dt.datetime:
    """SQLite gives the stored moments back without their zone (they are UTC)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
