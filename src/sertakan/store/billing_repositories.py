"""SQL repositories for billing. They never commit: the unit of work does.

Payments are written set-based: a batch of notices settles its invoices with one statement per
table (payments, settlements, domain events, invoices, audit, outbox), however many notices
and however many workers each sponsor pays for (psycopg sends an executemany as a pipeline).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    and_,
    any_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from sertakan.billing.model import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    NoticeOutcome,
    PayerKind,
    Payment,
    Settlement,
    StoredNotice,
    SuspenseItem,
    SuspenseReason,
    SuspenseStatus,
)
from sertakan.kernel.ids import new_id
from sertakan.kernel.periods import Month
from sertakan.registry.ports import DuplicateRecord
from sertakan.store.tables import (
    invoice_lines,
    invoices,
    members,
    payment_notices,
    payments,
    rejected_notices,
    settlements,
    sponsors,
    suspense_items,
)

_CHUNK = 500  # bounded IN lists


def _lock(query: Any, conn: Connection) -> Any:
    # PostgreSQL: FOR UPDATE. SQLite has one writer (BEGIN IMMEDIATE), so the row is ours.
    return query.with_for_update() if conn.dialect.name == "postgresql" else query


def _chunks(values: Collection[str]) -> Iterator[list[str]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def _among(conn: Connection, column: Any, values: Collection[str]) -> Any:
    """`column IN values`. On PostgreSQL as `= ANY(array)`: one parameter, so the statement's
    text is the same however many values, and psycopg prepares it once instead of parsing a
    new statement every batch (it caches none with over 50 parameters)."""
    if conn.dialect.name == "postgresql":
        return column == any_(literal(list(values), postgresql.ARRAY(column.type)))
    return column.in_(list(values))


class SqlInvoiceRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, invoice: Invoice, lines: Collection[InvoiceLine]) -> None:
        # Both in one savepoint: a refused invoice (its issue key taken, or a member's month
        # already on a live invoice: `uq_invoice_lines_billed_month`) leaves the transaction
        # usable for the next payer of the run.
        try:
            with self._conn.begin_nested():
                self._conn.execute(insert(invoices).values(**_invoice_row(invoice)))
                self._conn.execute(insert(invoice_lines), [_line_row(line) for line in lines])
        except IntegrityError as error:
            text = str(error.orig).lower()
            # PostgreSQL names the constraint; SQLite the columns ("invoice_lines.member_id,
            # invoice_lines.month"). A foreign key refused is not a duplicate: raised as is.
            taken = ("issue_key", "uq_invoice_lines_billed_month", "invoice_lines.member_id")
            if ("unique" in text or "duplicate" in text) and any(t in text for t in taken):
                raise DuplicateRecord("invoice", invoice.number) from error
            raise

    def get(self, invoice_id: str) -> Invoice | None:
        return self._one(invoices.c.id == invoice_id)

    def lock_numbers(self, numbers: Collection[str]) -> dict[str, Invoice]:
        found: dict[str, Invoice] = {}
        for chunk in _chunks(numbers):
            # Locked in number order, as every batch does: two batches never wait in a circle.
            query = (
                select(invoices)
                .where(_among(self._conn, invoices.c.number, chunk))
                .order_by(invoices.c.number)
            )
            found |= {
                row.number: _invoice(row) for row in self._conn.execute(_lock(query, self._conn))
            }
        return found

    def lines_of(self, invoice_ids: Collection[str]) -> dict[str, list[InvoiceLine]]:
        found: dict[str, list[InvoiceLine]] = {}
        for chunk in _chunks(invoice_ids):
            rows = self._conn.execute(
                select(invoice_lines)
                .where(_among(self._conn, invoice_lines.c.invoice_id, chunk))
                .order_by(invoice_lines.c.month, invoice_lines.c.member_id)
            )
            for row in rows:
                found.setdefault(row.invoice_id, []).append(_line(row))
        return found

    def mark_paid(self, paid_at: Mapping[str, dt.datetime]) -> None:
        if not paid_at:
            return
        statement = (
            update(invoices)
            .where(invoices.c.id == bindparam("invoice_id"))
            .values(status=InvoiceStatus.PAID.value, paid_at=bindparam("at"))
        )
        self._conn.execute(statement, [{"invoice_id": i, "at": at} for i, at in paid_at.items()])

    def payer_phones(self, invoice_ids: Collection[str]) -> dict[str, str]:
        c = invoices.c
        sponsor = and_(c.payer_kind == PayerKind.SPONSOR.value, sponsors.c.id == c.payer_id)
        member = and_(c.payer_kind == PayerKind.MEMBER.value, members.c.id == c.payer_id)
        found: dict[str, str] = {}
        for chunk in _chunks(invoice_ids):
            rows = self._conn.execute(
                select(c.id, func.coalesce(sponsors.c.phone, members.c.phone).label("phone"))
                .outerjoin(sponsors, sponsor)
                .outerjoin(members, member)
                .where(_among(self._conn, c.id, chunk))
            )
            found |= {row.id: row.phone for row in rows if row.phone}
        return found

    def lines(self, invoice_id: str) -> list[InvoiceLine]:
        rows = self._conn.execute(
            select(invoice_lines)
            .where(invoice_lines.c.invoice_id == invoice_id)
            .order_by(invoice_lines.c.month, invoice_lines.c.member_id)
        )
        return [_line(row) for row in rows]

    def set_status(
        self, invoice_id: str, status: InvoiceStatus, at: dt.datetime, reason: str = ""
    ) -> None:
        values: dict[str, Any] = {"status": status.value}
        if status is InvoiceStatus.PAID:
            values["paid_at"] = at
        elif status is InvoiceStatus.CANCELLED:
            # The issue key is released so the payer's month can be billed again if needed.
            values |= {"cancelled_at": at, "cancel_reason": reason, "issue_key": None}
            # And its members' months, which may be billed again.
            self._conn.execute(
                update(invoice_lines)
                .where(invoice_lines.c.invoice_id == invoice_id)
                .values(billed=False)
            )
        self._conn.execute(update(invoices).where(invoices.c.id == invoice_id).values(**values))

    def for_payer(self, payer_kind: PayerKind, payer_id: str, limit: int = 50) -> list[Invoice]:
        return self._many(
            and_(invoices.c.payer_kind == payer_kind.value, invoices.c.payer_id == payer_id), limit
        )

    def remove_lines(
        self,
        invoice_id: str,
        member_id: str,
        months: Collection[Month],
        total: int,
        issue_key: str | None,
    ) -> None:
        self._conn.execute(
            delete(invoice_lines).where(
                invoice_lines.c.invoice_id == invoice_id,
                invoice_lines.c.member_id == member_id,
                invoice_lines.c.month.in_([str(m) for m in months]),
            )
        )
        self._conn.execute(
            update(invoices)
            .where(invoices.c.id == invoice_id, invoices.c.status == InvoiceStatus.OPEN.value)
            .values(total=total, issue_key=issue_key)
        )

    def for_member(self, member_id: str, limit: int = 50) -> list[Invoice]:
        with_line = select(invoice_lines.c.invoice_id).where(invoice_lines.c.member_id == member_id)
        return self._many(invoices.c.id.in_(with_line), limit)

    def billed(
        self, member_ids: Collection[str], months: Collection[Month]
    ) -> set[tuple[str, Month]]:
        found: set[tuple[str, Month]] = set()
        ids, texts = list(member_ids), [str(m) for m in months]
        for start in range(0, len(ids), _CHUNK):
            rows = self._conn.execute(
                select(invoice_lines.c.member_id, invoice_lines.c.month).where(
                    invoice_lines.c.member_id.in_(ids[start : start + _CHUNK]),
                    invoice_lines.c.month.in_(texts),
                    invoice_lines.c.billed,  # on an open or paid invoice
                )
            )
            found |= {(row.member_id, Month.parse(row.month)) for row in rows}
        return found

    def open_in(
        self, *, due_before: dt.date | None = None, month: Month | None = None
    ) -> list[Invoice]:
        condition = invoices.c.status == InvoiceStatus.OPEN.value
        if due_before is not None:
            condition = and_(condition, invoices.c.due_on < due_before)
        if month is not None:
            condition = and_(condition, invoices.c.month == str(month))
        return self._many(condition, None)

    def open_for_branch(self, branch_code: str | None, limit: int = 500) -> list[Invoice]:
        condition = invoices.c.status == InvoiceStatus.OPEN.value
        if branch_code is not None:
            condition = and_(condition, invoices.c.branch_code == branch_code)
        return self._many(condition, limit, oldest_first=True)

    def _one(self, condition: Any) -> Invoice | None:
        row = self._conn.execute(select(invoices).where(condition)).first()
        return _invoice(row) if row else None

    def _many(
        self, condition: Any, limit: int | None, *, oldest_first: bool = False
    ) -> list[Invoice]:
        order = (
            (invoices.c.month, invoices.c.created_at)
            if oldest_first
            else (invoices.c.month.desc(), invoices.c.created_at.desc())
        )
        query = select(invoices).where(condition).order_by(*order)
        if limit is not None:
            query = query.limit(limit)
        return [_invoice(row) for row in self._conn.execute(query)]


class SqlSettlementRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add_many(self, settled: Collection[Settlement]) -> None:
        if not settled:
            return
        rows = [
            {
                "member_id": s.member_id,
                "month": str(s.month),
                "invoice_id": s.invoice_id,
                "payment_id": s.payment_id,
                "programs": ",".join(s.programs),
                "amount": s.amount,
                "settled_at": s.settled_at,
            }
            for s in sorted(settled, key=lambda s: (s.member_id, s.month))
        ]
        try:  # in key order, as every batch: two batches never wait in a circle on the key
            self._conn.execute(insert(settlements), rows)
        except IntegrityError as error:
            raise DuplicateRecord("settlement", "month") from error

    def settled_lines(self, invoice_ids: Collection[str]) -> set[tuple[str, Month]]:
        lines, paid = invoice_lines.c, settlements.c
        found: set[tuple[str, Month]] = set()
        for chunk in _chunks(invoice_ids):
            rows = self._conn.execute(
                select(paid.member_id, paid.month)
                .join_from(
                    invoice_lines,
                    settlements,
                    and_(paid.member_id == lines.member_id, paid.month == lines.month),
                )
                .where(_among(self._conn, lines.invoice_id, chunk))
            )
            found |= {(row.member_id, Month.parse(row.month)) for row in rows}
        return found

    def for_member(self, member_id: str) -> list[Settlement]:
        rows = self._conn.execute(
            select(settlements)
            .where(settlements.c.member_id == member_id)
            .order_by(settlements.c.month)
        )
        return [_settlement(row) for row in rows]

    def months_paid(
        self, member_ids: Collection[str], months: Collection[Month]
    ) -> set[tuple[str, Month]]:
        found: set[tuple[str, Month]] = set()
        ids, texts = list(member_ids), [str(m) for m in months]
        for start in range(0, len(ids), _CHUNK):
            rows = self._conn.execute(
                select(settlements.c.member_id, settlements.c.month).where(
                    _among(self._conn, settlements.c.member_id, ids[start : start + _CHUNK]),
                    _among(self._conn, settlements.c.month, texts),
                )
            )
            found |= {(row.member_id, Month.parse(row.month)) for row in rows}
        return found

    def of_members(self, member_ids: Collection[str], since: Month) -> dict[str, list[Settlement]]:
        """Every settlement from `since` on of each member (for jobs over many members)."""
        found: dict[str, list[Settlement]] = {}
        ids = list(member_ids)
        for start in range(0, len(ids), _CHUNK):
            rows = self._conn.execute(
                select(settlements).where(
                    settlements.c.member_id.in_(ids[start : start + _CHUNK]),
                    settlements.c.month >= str(since),
                )
            )
            for row in rows:
                found.setdefault(row.member_id, []).append(_settlement(row))
        return found


class SqlNoticeRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add_new(self, notices: Collection[StoredNotice]) -> dict[str, StoredNotice]:
        if not notices:
            return {}
        [gateway] = {n.gateway for n in notices}
        rows = [
            {
                "id": n.id,
                "gateway": n.gateway,
                "transaction_id": n.transaction_id,
                "invoice_number": n.invoice_number,
                "amount": n.amount,
                "channel": n.channel,
                "paid_at": n.paid_at,
                "received_at": n.received_at,
                "raw_body": n.raw_body,
                "outcome": n.outcome.value,
                "applied_at": n.applied_at,
                "payment_id": n.payment_id,
            }
            # In the unique key's order, as every batch: a batch waits for another's insert of
            # the same transaction to commit, and never in a circle.
            for n in sorted(notices, key=lambda n: (n.gateway, n.transaction_id))
        ]
        # ON CONFLICT DO NOTHING, not a savepoint around a plain INSERT: gateways retry, so a
        # repeat is routine. A concurrent insert of the same transaction still waits for the
        # other's commit, as with the unique key alone. An executemany (psycopg pipelines it,
        # one prepared statement), then which rows are ours: cheaper than one multi-row
        # INSERT ... RETURNING, a new statement to parse for every size of batch.
        dialect = postgresql if self._conn.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(payment_notices).on_conflict_do_nothing(
            index_elements=["gateway", "transaction_id"]
        )
        self._conn.execute(statement, rows)
        return self.by_transactions(gateway, [n.transaction_id for n in notices])

    def get(self, notice_id: str) -> StoredNotice | None:
        row = self._conn.execute(
            select(payment_notices).where(payment_notices.c.id == notice_id)
        ).first()
        return _notice(row) if row else None

    def get_many(self, notice_ids: Collection[str]) -> list[StoredNotice]:
        found: list[StoredNotice] = []
        for chunk in _chunks(notice_ids):
            query = select(payment_notices).where(_among(self._conn, payment_notices.c.id, chunk))
            found += [_notice(row) for row in self._conn.execute(query)]
        return found

    def lock_pending(self, notice_ids: Collection[str]) -> list[StoredNotice]:
        c = payment_notices.c
        found: list[StoredNotice] = []
        for chunk in _chunks(notice_ids):
            query = (
                select(payment_notices)
                .where(_among(self._conn, c.id, chunk), c.outcome == NoticeOutcome.PENDING.value)
                .order_by(c.id)
            )
            found += [_notice(row) for row in self._conn.execute(_lock(query, self._conn))]
        return found

    def by_transactions(
        self, gateway: str, transaction_ids: Collection[str]
    ) -> dict[str, StoredNotice]:
        c = payment_notices.c
        found: dict[str, StoredNotice] = {}
        for chunk in _chunks(transaction_ids):
            query = select(payment_notices).where(
                c.gateway == gateway, _among(self._conn, c.transaction_id, chunk)
            )
            found |= {row.transaction_id: _notice(row) for row in self._conn.execute(query)}
        return found

    def mark_many(
        self, outcomes: Mapping[str, tuple[NoticeOutcome, str | None]], at: dt.datetime
    ) -> None:
        if not outcomes:
            return
        statement = (
            update(payment_notices)
            .where(payment_notices.c.id == bindparam("notice_id"))
            .values(outcome=bindparam("new_outcome"), applied_at=at, payment_id=bindparam("paid"))
        )
        rows = [
            {"notice_id": i, "new_outcome": outcome.value, "paid": payment_id}
            for i, (outcome, payment_id) in outcomes.items()
        ]
        self._conn.execute(statement, rows)

    def pending(self, limit: int = 100) -> list[StoredNotice]:
        rows = self._conn.execute(
            select(payment_notices)
            .where(payment_notices.c.outcome == NoticeOutcome.PENDING.value)
            .order_by(payment_notices.c.received_at)
            .limit(limit)
        )
        return [_notice(row) for row in rows]

    def paid_between(self, start: dt.datetime, end: dt.datetime) -> list[StoredNotice]:
        rows = self._conn.execute(
            select(payment_notices)
            .where(payment_notices.c.paid_at >= start, payment_notices.c.paid_at < end)
            .order_by(payment_notices.c.paid_at)
        )
        return [_notice(row) for row in rows]

    def reject(self, raw_body: str, signature: str, reason: str, at: dt.datetime) -> str:
        rejected_id = new_id()
        self._conn.execute(
            insert(rejected_notices).values(
                id=rejected_id,
                received_at=at,
                reason=reason,
                signature=signature[:200],
                raw_body=raw_body,
            )
        )
        return rejected_id


class SqlPaymentRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add_many(self, paid: Collection[Payment]) -> None:
        if not paid:
            return
        rows = [
            {
                "id": p.id,
                "invoice_id": p.invoice_id,
                "notice_id": p.notice_id,
                "gateway": p.gateway,
                "transaction_id": p.transaction_id,
                "channel": p.channel,
                "amount": p.amount,
                "paid_at": p.paid_at,
                "recorded_at": p.recorded_at,
            }
            for p in paid
        ]
        self._conn.execute(insert(payments), rows)

    def for_invoice(self, invoice_id: str) -> list[Payment]:
        rows = self._conn.execute(
            select(payments).where(payments.c.invoice_id == invoice_id).order_by(payments.c.paid_at)
        )
        return [
            Payment(
                row.id,
                row.invoice_id,
                row.notice_id,
                row.gateway,
                row.transaction_id,
                row.channel,
                row.amount,
                row.paid_at,
                row.recorded_at,
            )
            for row in rows
        ]


class SqlSuspenseRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add_many(self, items: Collection[SuspenseItem]) -> None:
        if items:
            self._conn.execute(insert(suspense_items), [_suspense_row(i) for i in items])

    def get(self, item_id: str) -> SuspenseItem | None:
        row = self._conn.execute(
            select(suspense_items).where(suspense_items.c.id == item_id)
        ).first()
        return _suspense(row) if row else None

    def update(self, item: SuspenseItem) -> None:
        row = _suspense_row(item)
        del row["id"]
        self._conn.execute(
            update(suspense_items).where(suspense_items.c.id == item.id).values(**row)
        )

    def reasons_for(self, notice_ids: Collection[str]) -> dict[str, SuspenseReason]:
        c = suspense_items.c
        found: dict[str, SuspenseReason] = {}
        for chunk in _chunks(notice_ids):
            rows = self._conn.execute(
                select(c.notice_id, c.reason).where(_among(self._conn, c.notice_id, chunk))
            )
            found |= {row.notice_id: SuspenseReason(row.reason) for row in rows}
        return found

    def open_items(self, branch_code: str | None = None, limit: int = 200) -> list[SuspenseItem]:
        condition = suspense_items.c.status == SuspenseStatus.OPEN.value
        if branch_code is not None:
            # Money naming no known invoice belongs to no branch: every officer may resolve it.
            condition = and_(
                condition,
                or_(
                    suspense_items.c.branch_code == branch_code,
                    suspense_items.c.branch_code.is_(None),
                ),
            )
        rows = self._conn.execute(
            select(suspense_items)
            .where(condition)
            .order_by(suspense_items.c.created_at)
            .limit(limit)
        )
        return [_suspense(row) for row in rows]


# -- rows <-> values --------------------------------------------------------------------------


def _invoice_row(invoice: Invoice) -> dict[str, Any]:
    monthly = invoice.kind is InvoiceKind.MONTHLY
    return {
        "id": invoice.id,
        "number": invoice.number,
        "payer_kind": invoice.payer_kind.value,
        "payer_id": invoice.payer_id,
        "kind": invoice.kind.value,
        "month": str(invoice.month),
        "due_on": invoice.due_on,
        "total": invoice.total,
        "status": invoice.status.value,
        "branch_code": invoice.branch_code,
        "created_at": invoice.created_at,
        "paid_at": invoice.paid_at,
        "cancelled_at": invoice.cancelled_at,
        "cancel_reason": invoice.cancel_reason,
        "issue_key": invoice.issue_key if monthly else None,
    }


def _invoice(row: Row[Any]) -> Invoice:
    return Invoice(
        id=row.id,
        number=row.number,
        payer_kind=PayerKind(row.payer_kind),
        payer_id=row.payer_id,
        kind=InvoiceKind(row.kind),
        month=Month.parse(row.month),
        due_on=row.due_on,
        total=row.total,
        status=InvoiceStatus(row.status),
        branch_code=row.branch_code,
        created_at=row.created_at,
        paid_at=row.paid_at,
        cancelled_at=row.cancelled_at,
        cancel_reason=row.cancel_reason,
        issue_key=row.issue_key,
    )


def _line_row(line: InvoiceLine) -> dict[str, Any]:
    return {
        "invoice_id": line.invoice_id,
        "member_id": line.member_id,
        "month": str(line.month),
        "programs": ",".join(line.programs),
        "jkk": line.jkk,
        "jkm": line.jkm,
        "jht": line.jht,
        "discount": line.discount,
        "total": line.total,
        "billed": True,  # on an open invoice
    }


def _line(row: Row[Any]) -> InvoiceLine:
    return InvoiceLine(
        invoice_id=row.invoice_id,
        member_id=row.member_id,
        month=Month.parse(row.month),
        programs=tuple(row.programs.split(",")),
        jkk=row.jkk,
        jkm=row.jkm,
        jht=row.jht,
        discount=row.discount,
        total=row.total,
    )


def _settlement(row: Row[Any]) -> Settlement:
    return Settlement(
        member_id=row.member_id,
        month=Month.parse(row.month),
        invoice_id=row.invoice_id,
        payment_id=row.payment_id,
        programs=tuple(row.programs.split(",")),
        amount=row.amount,
        settled_at=row.settled_at,
    )


def _notice(row: Row[Any]) -> StoredNotice:
    return StoredNotice(
        id=row.id,
        gateway=row.gateway,
        transaction_id=row.transaction_id,
        invoice_number=row.invoice_number,
        amount=row.amount,
        channel=row.channel,
        paid_at=row.paid_at,
        received_at=row.received_at,
        raw_body=row.raw_body,
        outcome=NoticeOutcome(row.outcome),
        applied_at=row.applied_at,
        payment_id=row.payment_id,
    )


def _suspense_row(item: SuspenseItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "notice_id": item.notice_id,
        "invoice_id": item.invoice_id,
        "amount": item.amount,
        "reason": item.reason.value,
        "status": item.status.value,
        "branch_code": item.branch_code,
        "created_at": item.created_at,
        "resolved_at": item.resolved_at,
        "resolved_by": item.resolved_by,
        "resolution_note": item.resolution_note,
        "allocated_invoice_id": item.allocated_invoice_id,
    }


def _suspense(row: Row[Any]) -> SuspenseItem:
    return SuspenseItem(
        id=row.id,
        notice_id=row.notice_id,
        invoice_id=row.invoice_id,
        amount=row.amount,
        reason=SuspenseReason(row.reason),
        status=SuspenseStatus(row.status),
        branch_code=row.branch_code,
        created_at=row.created_at,
        resolved_at=row.resolved_at,
        resolved_by=row.resolved_by,
        resolution_note=row.resolution_note,
        allocated_invoice_id=row.allocated_invoice_id,
    )
