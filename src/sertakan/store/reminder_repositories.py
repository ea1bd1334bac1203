"""SQL for reminders (`billing.reminders`): what is due a reminder, and the key that lets each
reminder be queued once. It never commits: the unit of work does.

The key row is inserted with ON CONFLICT DO NOTHING RETURNING (SQLite and PostgreSQL alike):
a returned row says this transaction inserted it (the row count is not: psycopg gives -1 for
this statement). On PostgreSQL a second job inserting the same key waits for the first one's
transaction and then inserts nothing, so the message that goes with the row is queued once
even when two jobs run at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, and_, case, distinct, exists, func, select
from sqlalchemy.dialects import postgresql, sqlite

from sertakan.billing.model import InvoiceStatus, PayerKind
from sertakan.billing.reminders import DueInvoice, ReminderKind
from sertakan.kernel.periods import Month
from sertakan.store.tables import (
    invoice_lines,
    invoices,
    members,
    reminders_sent,
    settlements,
    sponsors,
)


class SqlReminderRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def record(
        self,
        kind: ReminderKind,
        subject_id: str,
        month: Month,
        message_id: str | None,
        at: dt.datetime,
    ) -> bool:
        dialect: Any = postgresql if self._conn.dialect.name == "postgresql" else sqlite
        statement = (
            dialect.insert(reminders_sent)
            .values(
                kind=kind.value,
                subject_id=subject_id,
                month=str(month),
                message_id=message_id,
                queued_at=at,
            )
            .on_conflict_do_nothing(index_elements=["kind", "subject_id", "month"])
            .returning(reminders_sent.c.kind)
        )
        return self._conn.execute(statement).first() is not None

    def invoices_due(
        self,
        kind: ReminderKind,
        first: dt.date,
        last: dt.date,
        after: str | None,
        limit: int,
    ) -> list[DueInvoice]:
        i, r = invoices.c, reminders_sent.c
        workers = (
            select(func.count(distinct(invoice_lines.c.member_id)))
            .where(invoice_lines.c.invoice_id == i.id)
            .scalar_subquery()
        )
        phone = case(
            (i.payer_kind == PayerKind.SPONSOR.value, sponsors.c.phone),
            else_=members.c.phone,
        )
        reminded = exists().where(r.kind == kind.value, r.subject_id == i.id, r.month == i.month)
        query = (
            select(
                i.id,
                i.number,
                i.month,
                i.due_on,
                i.total,
                workers.label("workers"),
                phone.label("phone"),
            )
            .select_from(
                invoices.outerjoin(
                    sponsors,
                    and_(sponsors.c.id == i.payer_id, i.payer_kind == PayerKind.SPONSOR.value),
                ).outerjoin(
                    members,
                    and_(members.c.id == i.payer_id, i.payer_kind == PayerKind.MEMBER.value),
                )
            )
            .where(
                i.status == InvoiceStatus.OPEN.value,
                i.due_on >= first,
                i.due_on <= last,
                ~reminded,
            )
            .order_by(i.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(i.id > after)
        return [
            DueInvoice(
                id=row.id,
                number=row.number,
                month=Month.parse(row.month),
                due_on=row.due_on,
                total=int(row.total),
                workers=int(row.workers or 0),
                payer_phone=row.phone,
            )
            for row in self._conn.execute(query)
        ]

    def covers_ending(self, month: Month, after: str | None, limit: int) -> list[str]:
        s, r = settlements.c, reminders_sent.c
        following = settlements.alias("following")
        next_paid = exists().where(
            following.c.member_id == s.member_id, following.c.month == str(month.next())
        )
        reminded = exists().where(
            r.kind == ReminderKind.COVER_ENDING.value,
            r.subject_id == s.member_id,
            r.month == str(month),
        )
        query = (
            select(s.member_id)
            .where(s.month == str(month), ~next_paid, ~reminded)
            .order_by(s.member_id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(s.member_id > after)
        return [row.member_id for row in self._conn.execute(query)]
