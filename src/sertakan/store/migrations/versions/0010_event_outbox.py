"""Domain events on a bus (issue 13): the generic outbox `events` (kind, unique key, JSON
payload, published marker, attempts, last error) replaces `domain_events`, which held
PaymentSettled rows only. Those rows are copied as `billing.payment_settled` events with the
payload and key `billing.events` writes, and `domain_events` is dropped.

Revision ID: 0010_event_outbox
Revises: 0009_sign_in_failures
Create Date: 2026-12-02
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010_event_outbox"
down_revision = "0009_sign_in_failures"
branch_labels = None
depends_on = None

KIND = "billing.payment_settled"  # billing.events.PAYMENT_SETTLED, frozen here
UNPUBLISHED = "published_at IS NULL"
MOMENT = sa.DateTime(timezone=True)

old = sa.table(
    "domain_events",
    sa.column("payment_id", sa.String),
    sa.column("member_id", sa.String),
    sa.column("month", sa.String),
    sa.column("kind", sa.String),
    sa.column("invoice_id", sa.String),
    sa.column("jkk", sa.BigInteger),
    sa.column("jkm", sa.BigInteger),
    sa.column("jht", sa.BigInteger),
    sa.column("occurred_at", MOMENT),
    sa.column("published_at", MOMENT),
)
new = sa.table(
    "events",
    sa.column("id", sa.String),
    sa.column("kind", sa.String),
    sa.column("key", sa.String),
    sa.column("payload", sa.Text),
    sa.column("occurred_at", MOMENT),
    sa.column("published_at", MOMENT),
    sa.column("attempts", sa.Integer),
    sa.column("last_error", sa.String),
)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("occurred_at", MOMENT, nullable=False),
        sa.Column("published_at", MOMENT, nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.String(length=100), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("key", name=op.f("uq_events_key")),
    )
    op.create_index(
        "ix_events_unpublished",
        "events",
        ["id"],
        postgresql_where=sa.text(UNPUBLISHED),
        sqlite_where=sa.text(UNPUBLISHED),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(old).order_by(old.c.occurred_at, old.c.payment_id, old.c.member_id, old.c.month)
    ).all()
    copied = [_event(row, n) for n, row in enumerate(rows)]
    if copied:
        conn.execute(sa.insert(new), copied)
    with op.batch_alter_table("domain_events") as batch:
        batch.drop_index("ix_domain_events_published_at")
    op.drop_table("domain_events")


def downgrade() -> None:
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
        sa.Column("occurred_at", MOMENT, nullable=False),
        sa.Column("published_at", MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("payment_id", "member_id", "month", name=op.f("pk_domain_events")),
    )
    with op.batch_alter_table("domain_events") as batch:
        batch.create_index("ix_domain_events_published_at", ["published_at"], unique=False)
    conn = op.get_bind()
    rows = conn.execute(sa.select(new).where(new.c.kind == KIND).order_by(new.c.id)).all()
    back = []
    for row in rows:
        p = json.loads(row.payload)
        back.append(
            {
                "payment_id": p["payment_id"],
                "member_id": p["member_id"],
                "month": p["month"],
                "kind": "PaymentSettled",
                "invoice_id": p["invoice_id"],
                "jkk": p["jkk"],
                "jkm": p["jkm"],
                "jht": p["jht"],
                "occurred_at": _utc(row.occurred_at),
                "published_at": _utc(row.published_at) if row.published_at else None,
            }
        )
    if back:
        conn.execute(sa.insert(old), back)
    op.drop_index("ix_events_unpublished", table_name="events")
    op.drop_table("events")


def _event(row: Any, n: int) -> dict[str, Any]:
    at = _utc(row.occurred_at)
    payload = {
        "member_id": row.member_id,
        "month": row.month,
        "invoice_id": row.invoice_id,
        "payment_id": row.payment_id,
        "jkk": int(row.jkk),
        "jkm": int(row.jkm),
        "jht": int(row.jht),
        # The old table kept one moment: when the money was paid (PaymentSettled.settled_at).
        "settled_at": at.isoformat(),
    }
    return {
        "id": _uuid7(at, n),
        "kind": KIND,
        "key": f"{KIND}:{row.payment_id}:{row.member_id}:{row.month}",
        "payload": json.dumps(payload, sort_keys=True, separators=(",", ":")),
        "occurred_at": at,
        "published_at": _utc(row.published_at) if row.published_at else None,
        "attempts": 0,
        "last_error": "",
    }


def _uuid7(at: dt.datetime, n: int) -> str:
    """A UUIDv7 (hex) on the event's own moment, counting up by `n` within one millisecond,
    so the copied rows keep their order and sort before every event written later."""
    ms = int(at.timestamp() * 1000)
    tail = int.from_bytes(os.urandom(8)) & ((1 << 62) - 1)
    value = (ms << 80) | (0x7 << 76) | ((n & 0xFFF) << 64) | (0b10 << 62) | tail
    return uuid.UUID(int=value).hex


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
