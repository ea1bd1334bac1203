"""SQL for reconciliation runs and their rows (`billing.reconciliation`). Never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Row, case, insert, select

from sertakan.billing.model import NoticeOutcome, StoredNotice
from sertakan.billing.reconciliation import (
    Application,
    ReconciliationRow,
    ReconciliationRun,
    ReconciliationStatus,
)
from sertakan.store.billing_repositories import _notice as notice_of_row  # one reading
from sertakan.store.tables import payment_notices, reconciliation_rows, reconciliation_runs

_CHUNK = 500  # bounded IN lists
# Flagged rows first, as `billing.reconciliation.flagged_first` orders them.
_FLAG_ORDER = case(
    {
        ReconciliationStatus.UNREADABLE.value: 0,
        ReconciliationStatus.AMOUNT_MISMATCH.value: 1,
        ReconciliationStatus.NOT_IN_FILE.value: 2,
        ReconciliationStatus.NOT_NOTIFIED.value: 3,
    },
    value=reconciliation_rows.c.status,
    else_=4,
)


class SqlReconciliationRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, run: ReconciliationRun, rows: Sequence[ReconciliationRow]) -> None:
        self._conn.execute(insert(reconciliation_runs).values(**_run_row(run)))
        if rows:
            self._conn.execute(
                insert(reconciliation_rows),
                [_row_values(run.id, seq, row) for seq, row in enumerate(rows)],
            )

    def get(self, run_id: str) -> ReconciliationRun | None:
        row = self._conn.execute(
            select(reconciliation_runs).where(reconciliation_runs.c.id == run_id)
        ).first()
        return _run(row) if row else None

    def rows(self, run_id: str, limit: int | None = None) -> list[ReconciliationRow]:
        query = (
            select(reconciliation_rows)
            .where(reconciliation_rows.c.run_id == run_id)
            .order_by(_FLAG_ORDER, reconciliation_rows.c.seq)
        )
        if limit is not None:
            query = query.limit(limit)
        return [_row(row) for row in self._conn.execute(query)]

    def runs(self, limit: int = 50, offset: int = 0) -> list[ReconciliationRun]:
        rows = self._conn.execute(
            select(reconciliation_runs)
            .order_by(reconciliation_runs.c.created_at.desc(), reconciliation_runs.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [_run(row) for row in rows]

    def latest(self, day: dt.date) -> ReconciliationRun | None:
        row = self._conn.execute(
            select(reconciliation_runs)
            .where(reconciliation_runs.c.settlement_date == day)
            .order_by(reconciliation_runs.c.created_at.desc(), reconciliation_runs.c.id.desc())
            .limit(1)
        ).first()
        return _run(row) if row else None

    def notices_of(self, gateway: str, transaction_ids: Iterable[str]) -> list[StoredNotice]:
        ids = sorted(set(transaction_ids))
        found: list[StoredNotice] = []
        for start in range(0, len(ids), _CHUNK):
            rows = self._conn.execute(
                select(payment_notices).where(
                    payment_notices.c.gateway == gateway,
                    payment_notices.c.transaction_id.in_(ids[start : start + _CHUNK]),
                )
            )
            found.extend(notice_of_row(row) for row in rows)
        return found


def _run_row(run: ReconciliationRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "settlement_date": run.settlement_date,
        "gateway": run.gateway,
        "file_name": run.file_name,
        "file_digest": run.file_digest,
        "created_at": run.created_at,
        "actor_role": run.actor_role,
        "actor_account_id": run.actor_account_id,
        "matched": run.matched,
        "not_notified": run.not_notified,
        "not_in_file": run.not_in_file,
        "amount_mismatch": run.amount_mismatch,
        "unreadable": run.unreadable,
        "applied": run.applied,
    }


def _run(row: Row[Any]) -> ReconciliationRun:
    return ReconciliationRun(
        id=row.id,
        settlement_date=row.settlement_date,
        gateway=row.gateway,
        file_name=row.file_name,
        file_digest=row.file_digest,
        created_at=row.created_at,
        actor_role=row.actor_role,
        actor_account_id=row.actor_account_id,
        matched=row.matched,
        not_notified=row.not_notified,
        not_in_file=row.not_in_file,
        amount_mismatch=row.amount_mismatch,
        unreadable=row.unreadable,
        applied=row.applied,
    )


def _row_values(run_id: str, seq: int, row: ReconciliationRow) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "seq": seq,
        "line": row.line,
        # An unreadable line's id may be longer than any real one: kept to the column.
        "transaction_id": row.transaction_id[:64],
        "invoice_number": row.invoice_number[:64],
        "status": row.status.value,
        "file_amount": row.file_amount,
        "notice_amount": row.notice_amount,
        "notice_id": row.notice_id,
        "notice_outcome": row.notice_outcome.value if row.notice_outcome else None,
        "applied": row.application.value,
        "note": row.note,
    }


def _row(row: Row[Any]) -> ReconciliationRow:
    return ReconciliationRow(
        status=ReconciliationStatus(row.status),
        transaction_id=row.transaction_id,
        invoice_number=row.invoice_number,
        file_amount=row.file_amount,
        notice_amount=row.notice_amount,
        line=row.line,
        notice_id=row.notice_id,
        notice_outcome=NoticeOutcome(row.notice_outcome) if row.notice_outcome else None,
        application=Application(row.applied),
        note=row.note,
    )
