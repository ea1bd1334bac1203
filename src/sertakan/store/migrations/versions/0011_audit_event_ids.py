"""Audit events keyed by a UUIDv7 instead of a counter: `audit_events.id` becomes 32 hex
digits, time-ordered and unique across branch offices, so books kept apart can one day be
merged (docs/architecture.md, "Identifiers across offline branches").

Existing events keep their order: each gets a UUIDv7 whose milliseconds are its own `at` and
whose counter bits are its old number, so within one millisecond the old order holds, and
reading by (at, id) gives what reading by (at, old id) gave. The table is rebuilt (the
append-only triggers forbid UPDATE) and its triggers put back. Downgrading numbers the events
again in (at, id) order.

Revision ID: 0011_audit_event_ids
Revises: 0009_sign_in_failures (the integrator re-chains)
Create Date: 2026-12-02
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from sertakan.kernel.ids import uuid7_from

revision = "0011_audit_event_ids"
down_revision = "0010_event_outbox"
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)
BATCH = 5_000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

_PG_TRIGGER = """
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
"""
_COLUMNS = (
    "at",
    "action",
    "entity_type",
    "entity_id",
    "actor_account_id",
    "actor_role",
    "request_id",
    "outcome",
    "before",
    "after",
    "reason",
)


def _table(name: str, id_type: sa.types.TypeEngine[Any]) -> sa.Table:
    return sa.Table(
        name,
        sa.MetaData(),
        sa.Column("id", id_type, nullable=False),
        sa.Column("at", MOMENT, nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("entity_type", sa.String(30), nullable=False),
        sa.Column("entity_id", sa.String(40), nullable=False),
        sa.Column("actor_account_id", sa.String(32), nullable=True),
        sa.Column("actor_role", sa.String(20), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
    )


_NUMBERED = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_UUID = sa.String(32)


def _pages(conn: sa.Connection, old: sa.Table) -> Iterator[Sequence[sa.Row[Any]]]:
    """The old rows in (at, id) order, a page at a time (keyset: no offset rescans)."""
    last: tuple[Any, Any] | None = None
    while True:
        query = sa.select(old).order_by(old.c.at, old.c.id).limit(BATCH)
        if last is not None:
            query = query.where(
                sa.or_(old.c.at > last[0], sa.and_(old.c.at == last[0], old.c.id > last[1]))
            )
        rows = conn.execute(query).all()
        if not rows:
            return
        yield rows
        last = (rows[-1].at, rows[-1].id)


def _rebuild(new_id_type: sa.types.TypeEngine[Any], new_id: Callable[[sa.Row[Any]], Any]) -> None:
    conn = op.get_bind()
    postgres = conn.dialect.name == "postgresql"
    if postgres:  # SQLite drops a table's triggers with the table
        op.execute("DROP TRIGGER audit_events_no_update ON audit_events")
    old = _table("audit_events", _NUMBERED if new_id_type is _UUID else _UUID)
    new = _table("audit_events_rebuilt", new_id_type)
    new.create(conn)
    for rows in _pages(conn, old):
        conn.execute(
            sa.insert(new),
            [{"id": new_id(row)} | {name: getattr(row, name) for name in _COLUMNS} for row in rows],
        )
    if postgres and new_id_type is _NUMBERED:  # the serial's sequence goes on after the copy
        op.execute(
            "SELECT setval(pg_get_serial_sequence('audit_events_rebuilt', 'id'), "
            "COALESCE(MAX(id), 0) + 1, false) FROM audit_events_rebuilt"
        )
    op.drop_index("ix_audit_events_at", table_name="audit_events")
    op.drop_table("audit_events")
    op.rename_table("audit_events_rebuilt", "audit_events")
    if postgres:  # a renamed table keeps its key's name: give it the usual one (and its index)
        op.execute(
            "ALTER TABLE audit_events RENAME CONSTRAINT pk_audit_events_rebuilt TO pk_audit_events"
        )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    if postgres:
        op.execute(_PG_TRIGGER)
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
            )


def _uuid_of(row: sa.Row[Any]) -> str:
    """The old number in the counter bits keeps the old order within a millisecond; the 32
    random tail bits keep two offices' migrated books apart."""
    at: dt.datetime = row.at if row.at.tzinfo else row.at.replace(tzinfo=dt.UTC)  # kept in UTC
    unix_ms = (at - _EPOCH) // dt.timedelta(milliseconds=1)
    tail = int.from_bytes(os.urandom(4))
    return uuid7_from(unix_ms, int(row.id), tail).hex


def upgrade() -> None:
    _rebuild(_UUID, _uuid_of)


def downgrade() -> None:
    counter = iter(range(1, 1 << 62))
    _rebuild(_NUMBERED, lambda _row: next(counter))
