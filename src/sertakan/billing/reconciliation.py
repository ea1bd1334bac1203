"""Reconciliation: the gateway's daily settlement file against the notices received (issue 6).

`billing.settlement_file` reads the file; `reconcile` then sorts its rows, with no I/O:

- MATCHED: a notice with the same transaction id and the same amount;
- NOT_NOTIFIED: in the file, but no notice ever came. The money arrived, so the run stores the
  row as a notice and applies it (`PaymentService.store_from_settlement`), and flags it;
- NOT_IN_FILE: a notice paid that WIB day that the file does not list: flagged;
- AMOUNT_MISMATCH: the same transaction id with another amount: flagged, nothing applied;
- UNREADABLE: a line of the file that could not be read: flagged.

A notice stored from a settlement file says so at the start of its raw body (written in the
same transaction as the notice), so running the same file again classifies the row the same
way and applies nothing twice: the row is marked "applied by an earlier reconciliation".
`ReconciliationService.run` stores every run with its rows and an audit event; running a day
again adds a run and replaces none.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from sertakan.access.actor import Actor
from sertakan.access.auditing import event
from sertakan.access.permissions import Permission
from sertakan.audit.ports import AuditingUnitOfWork
from sertakan.billing.model import NoticeOutcome, StoredNotice
from sertakan.billing.notices import Notice
from sertakan.billing.payments import PaymentService
from sertakan.billing.ports import NoticeRepository, SuspenseRepository
from sertakan.billing.settlement_file import (
    SETTLEMENT_HEADER,
    LineError,
    SettlementFile,
    SettlementLine,
    wib_day,
)
from sertakan.kernel.clock import WIB, Clock
from sertakan.kernel.errors import NotFound
from sertakan.kernel.ids import new_id
from sertakan.registry.guard import Guard

# The start of the raw body of a notice stored from a settlement file (a gateway's notice is
# JSON and starts with "{"): what tells "applied by reconciliation" from "notified".
SETTLEMENT_RAW_PREFIX = "settlement-file "
MAX_NAME = 200
MAX_NOTE = 1000


class ReconciliationStatus(StrEnum):
    MATCHED = "matched"
    NOT_NOTIFIED = "not_notified"
    NOT_IN_FILE = "not_in_file"
    AMOUNT_MISMATCH = "amount_mismatch"
    UNREADABLE = "unreadable"

    @property
    def label_id(self) -> str:
        return _STATUS_ID[self]

    @property
    def is_flagged(self) -> bool:
        return self is not ReconciliationStatus.MATCHED


_STATUS_ID = {
    ReconciliationStatus.MATCHED: "Cocok",
    ReconciliationStatus.NOT_NOTIFIED: "Ada di file, tanpa notifikasi",
    ReconciliationStatus.NOT_IN_FILE: "Ada notifikasi, tidak ada di file",
    ReconciliationStatus.AMOUNT_MISMATCH: "Jumlah berbeda",
    ReconciliationStatus.UNREADABLE: "Baris file tidak terbaca",
}


class Application(StrEnum):
    """Whether reconciliation applied the row's money (only NOT_NOTIFIED rows are applied)."""

    NONE = "none"
    THIS_RUN = "this_run"
    EARLIER_RUN = "earlier_run"

    @property
    def label_id(self) -> str:
        return _APPLICATION_ID[self]


_APPLICATION_ID = {
    Application.NONE: "",
    Application.THIS_RUN: "Diterapkan oleh rekonsiliasi ini",
    Application.EARLIER_RUN: "Sudah diterapkan oleh rekonsiliasi sebelumnya",
}


# -- classifying ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReconciliationRow:
    status: ReconciliationStatus
    transaction_id: str
    invoice_number: str
    file_amount: int | None
    notice_amount: int | None
    line: int | None = None  # in the file (None: not in the file)
    notice_id: str | None = None
    notice_outcome: NoticeOutcome | None = None
    application: Application = Application.NONE
    note: str = ""


@dataclass(frozen=True, slots=True)
class ReconciliationRun:
    """A stored run: the day, the file, who ran it, and how many rows of each class."""

    id: str
    settlement_date: dt.date
    gateway: str
    file_name: str
    file_digest: str
    created_at: dt.datetime
    actor_role: str
    actor_account_id: str | None
    matched: int
    not_notified: int
    not_in_file: int
    amount_mismatch: int
    unreadable: int
    applied: int  # NOT_NOTIFIED rows this run applied

    def count(self, status: ReconciliationStatus) -> int:
        counts: int = getattr(self, status.value)  # one field per status, named by its value
        return counts


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    day: dt.date
    rows: tuple[ReconciliationRow, ...]
    run: ReconciliationRun | None = None  # once stored
    errors: tuple[LineError, ...] = ()  # the file's unreadable lines, one error per field

    def count(self, status: ReconciliationStatus) -> int:
        return sum(1 for row in self.rows if row.status is status)

    @property
    def flagged(self) -> list[ReconciliationRow]:
        return [row for row in self.rows if row.status.is_flagged]


def is_from_settlement(notice: StoredNotice) -> bool:
    """Whether the notice was stored from a settlement file (applied by reconciliation) rather
    than notified by the gateway."""
    return notice.raw_body.startswith(SETTLEMENT_RAW_PREFIX)


def reconcile(
    rows: Sequence[SettlementLine],
    notices: Iterable[StoredNotice],
    day: dt.date,
    errors: Sequence[LineError] = (),
) -> ReconciliationReport:
    """Classify the file's rows against the notices (those of its transactions and those paid
    on `day`, WIB); the file's unreadable lines become UNREADABLE rows. Applies nothing."""
    by_transaction = {notice.transaction_id: notice for notice in notices}
    result = [classify(row, by_transaction.get(row.transaction_id)) for row in rows]
    result.extend(_unreadable(errors, by_transaction))
    listed = {row.transaction_id for row in rows} | {e.transaction_id for e in errors}
    missing = sorted(
        (
            n
            for n in by_transaction.values()
            if wib_day(n.paid_at) == day and n.transaction_id not in listed
        ),
        key=lambda n: (n.paid_at, n.transaction_id),
    )
    result.extend(
        ReconciliationRow(
            ReconciliationStatus.NOT_IN_FILE,
            n.transaction_id,
            n.invoice_number,
            None,
            n.amount,
            notice_id=n.id,
            notice_outcome=n.outcome,
            note="Disimpan dari file settlement lain" if is_from_settlement(n) else "",
        )
        for n in missing
    )
    return ReconciliationReport(day, tuple(result), errors=tuple(errors))


def classify(row: SettlementLine, notice: StoredNotice | None) -> ReconciliationRow:
    """One row of the file against the notice of its transaction (None: never notified)."""
    base = ReconciliationRow(
        ReconciliationStatus.NOT_NOTIFIED,
        row.transaction_id,
        row.invoice_number,
        row.amount,
        None,
        line=row.line,
    )
    if notice is None:
        return base
    notes: list[str] = []
    if notice.invoice_number != row.invoice_number:
        notes.append(f"Nomor tagihan di notifikasi: {notice.invoice_number}")
    found = replace(
        base,
        notice_amount=notice.amount,
        notice_id=notice.id,
        notice_outcome=notice.outcome,
    )
    if notice.amount != row.amount:
        if is_from_settlement(notice):
            notes.append("Disimpan dari file settlement lain")
        status = ReconciliationStatus.AMOUNT_MISMATCH
        return replace(found, status=status, note="; ".join(notes))
    if is_from_settlement(notice):
        return replace(found, application=Application.EARLIER_RUN, note="; ".join(notes))
    return replace(found, status=ReconciliationStatus.MATCHED, note="; ".join(notes))


def _unreadable(
    errors: Sequence[LineError], notices: dict[str, StoredNotice]
) -> list[ReconciliationRow]:
    by_line: dict[int, list[LineError]] = {}
    for error in errors:
        by_line.setdefault(error.line, []).append(error)
    rows = []
    for line, found in sorted(by_line.items()):
        tid = found[0].transaction_id
        notice = notices.get(tid) if tid else None
        note = "; ".join(f"{e.field}: {e.message_id} ({e.message})" for e in found)
        rows.append(
            ReconciliationRow(
                ReconciliationStatus.UNREADABLE,
                tid,
                notice.invoice_number if notice else "",
                None,
                notice.amount if notice else None,
                line=line,
                notice_id=notice.id if notice else None,
                notice_outcome=notice.outcome if notice else None,
                note=f"baris {line}: {note}"[:MAX_NOTE],
            )
        )
    return rows


CSV_COLUMNS = (
    "line",
    "transaction_id",
    "invoice_number",
    "status",
    "status_label",
    "file_amount",
    "notice_amount",
    "notice_outcome",
    "applied_by_reconciliation",
    "note",
)


def report_csv(report: ReconciliationReport) -> str:
    """The report's rows as CSV, flagged rows first (what a branch officer works through)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in flagged_first(report.rows):
        writer.writerow(
            (
                "" if row.line is None else row.line,
                row.transaction_id,
                row.invoice_number,
                row.status.value,
                row.status.label_id,
                "" if row.file_amount is None else row.file_amount,
                "" if row.notice_amount is None else row.notice_amount,
                row.notice_outcome.value if row.notice_outcome else "",
                "" if row.application is Application.NONE else row.application.value,
                row.note,
            )
        )
    return out.getvalue()


def flagged_first(rows: Iterable[ReconciliationRow]) -> list[ReconciliationRow]:
    """Flagged rows first, in their classes' order; each class keeps the file's order."""
    order = {status: i for i, status in enumerate(_FLAG_ORDER)}
    return sorted(rows, key=lambda row: order[row.status])


_FLAG_ORDER = (
    ReconciliationStatus.UNREADABLE,
    ReconciliationStatus.AMOUNT_MISMATCH,
    ReconciliationStatus.NOT_IN_FILE,
    ReconciliationStatus.NOT_NOTIFIED,
    ReconciliationStatus.MATCHED,
)


# -- the store and the service --------------------------------------------------------------


class ReconciliationRepository(Protocol):
    def add(self, run: ReconciliationRun, rows: Sequence[ReconciliationRow]) -> None: ...

    def get(self, run_id: str) -> ReconciliationRun | None: ...

    def rows(self, run_id: str, limit: int | None = None) -> list[ReconciliationRow]:
        """The run's rows, flagged first (as `flagged_first`)."""
        ...

    def runs(self, limit: int = 50, offset: int = 0) -> list[ReconciliationRun]:
        """Every run, newest first."""
        ...

    def latest(self, day: dt.date) -> ReconciliationRun | None:
        """The newest run of that settlement day."""
        ...

    def notices_of(self, gateway: str, transaction_ids: Iterable[str]) -> list[StoredNotice]:
        """The stored notices of these gateway transactions (set-based)."""
        ...


class ReconciliationUnitOfWork(AuditingUnitOfWork, Protocol):
    """What a reconciliation reaches: its runs, the notices and the suspense list (the
    payments it applies go through `PaymentService`, in their own transactions)."""

    @property
    def reconciliations(self) -> ReconciliationRepository: ...

    @property
    def notices(self) -> NoticeRepository: ...

    @property
    def suspense(self) -> SuspenseRepository: ...


class RunNotFound(NotFound):
    pass


class ReconciliationService:
    """Runs reconciliations (the console: BILLING_RUN) and shows them (PAYMENT_REVIEW)."""

    def __init__(
        self,
        uow: Callable[[], ReconciliationUnitOfWork],
        clock: Clock,
        payments: PaymentService,
        gateway: str,
        ids: Callable[[], str] = new_id,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._payments = payments
        self._gateway = gateway  # the gateway whose settlement files this service reads
        self._guard = Guard(uow, clock)
        self._new_id = ids

    def run(
        self, actor: Actor, day: dt.date, settlement: SettlementFile, file_name: str
    ) -> ReconciliationReport:
        """Reconcile the settlement file of `day`, apply the payments never notified (once),
        and store the run with its rows."""
        self._guard.require(actor, Permission.BILLING_RUN, "reconciliation", day.isoformat())
        start = dt.datetime.combine(day, dt.time(0), tzinfo=WIB)
        with self._uow() as uow:
            tids = [row.transaction_id for row in settlement.rows]
            tids += [e.transaction_id for e in settlement.errors if e.transaction_id]
            notices = uow.reconciliations.notices_of(self._gateway, tids)
            notices += [
                n
                for n in uow.notices.paid_between(start, start + dt.timedelta(days=1))
                if n.gateway == self._gateway
            ]
        report = reconcile(settlement.rows, notices, day, settlement.errors)
        lines = {row.line: row for row in settlement.rows}
        rows = [self._apply_unnotified(row, lines, file_name) for row in report.rows]
        now = self._clock.now()
        with self._uow() as uow:
            rows = [_with_suspense_note(uow, row) for row in rows]
            run = _run(self._new_id(), day, self._gateway, file_name, settlement, now, actor, rows)
            uow.reconciliations.add(run, rows)
            uow.audit.append(
                event(
                    actor,
                    now,
                    "reconciliation.run",
                    "reconciliation",
                    run.id,
                    after=_run_snapshot(run),
                )
            )
            uow.commit()
        return ReconciliationReport(day, tuple(rows), run, settlement.errors)

    def runs(self, actor: Actor, limit: int = 50, offset: int = 0) -> list[ReconciliationRun]:
        self._guard.require(actor, Permission.PAYMENT_REVIEW, "reconciliation", "")
        with self._uow() as uow:
            return uow.reconciliations.runs(limit, offset)

    def report(self, actor: Actor, run_id: str, limit: int | None = None) -> ReconciliationReport:
        self._guard.require(actor, Permission.PAYMENT_REVIEW, "reconciliation", run_id)
        with self._uow() as uow:
            run = uow.reconciliations.get(run_id)
            if run is None:
                raise RunNotFound(run_id)
            rows = uow.reconciliations.rows(run_id, limit)
        return ReconciliationReport(run.settlement_date, tuple(rows), run)

    def latest(self, actor: Actor, day: dt.date) -> ReconciliationReport | None:
        self._guard.require(actor, Permission.PAYMENT_REVIEW, "reconciliation", day.isoformat())
        with self._uow() as uow:
            run = uow.reconciliations.latest(day)
            if run is None:
                return None
            rows = uow.reconciliations.rows(run.id)
        return ReconciliationReport(day, tuple(rows), run)

    def _apply_unnotified(
        self, row: ReconciliationRow, lines: dict[int, SettlementLine], file_name: str
    ) -> ReconciliationRow:
        """Apply a NOT_NOTIFIED row's money: store it as a notice, once, and apply it."""
        if row.status is not ReconciliationStatus.NOT_NOTIFIED or row.line is None:
            return row
        if row.notice_id is not None:  # stored by an earlier run
            if row.notice_outcome is not NoticeOutcome.PENDING:
                return row
            # That run stopped between storing and applying: apply it now (once).
            outcome = self._payments.apply(row.notice_id)
            return replace(row, notice_outcome=outcome, application=Application.THIS_RUN)
        line = lines[row.line]
        notice = Notice(
            line.transaction_id, line.invoice_number, line.amount, line.channel, line.paid_at
        )
        stored, repeat = self._payments.store_from_settlement(notice, _raw(file_name, line))
        if repeat:  # notified (or stored by another run) since the file was read
            return classify(line, stored)
        return replace(
            row,
            notice_id=stored.id,
            notice_outcome=stored.outcome,
            application=Application.THIS_RUN,
        )


def _raw(file_name: str, line: SettlementLine) -> str:
    """The stored notice's raw body: where it came from, then a one-row settlement file."""
    name = " ".join(file_name.split())[:MAX_NAME]
    return (
        f"{SETTLEMENT_RAW_PREFIX}{name} line {line.line}\n"
        f"{','.join(SETTLEMENT_HEADER)}\n{line.text}\n"
    )


def _with_suspense_note(uow: ReconciliationUnitOfWork, row: ReconciliationRow) -> ReconciliationRow:
    if row.notice_id is None or row.notice_outcome is not NoticeOutcome.SUSPENSE:
        return row
    reason = uow.suspense.reasons_for([row.notice_id]).get(row.notice_id)
    if reason is None:
        return row
    note = f"Masuk daftar suspense: {reason.label_id}"
    return replace(row, note="; ".join(n for n in (row.note, note) if n)[:MAX_NOTE])


def _run(
    run_id: str,
    day: dt.date,
    gateway: str,
    file_name: str,
    settlement: SettlementFile,
    now: dt.datetime,
    actor: Actor,
    rows: Sequence[ReconciliationRow],
) -> ReconciliationRun:
    def count(status: ReconciliationStatus) -> int:
        return sum(1 for row in rows if row.status is status)

    return ReconciliationRun(
        id=run_id,
        settlement_date=day,
        gateway=gateway,
        file_name=file_name[:MAX_NAME],
        file_digest=settlement.digest,
        created_at=now,
        actor_role=actor.role.value,
        actor_account_id=actor.account_id,
        matched=count(ReconciliationStatus.MATCHED),
        not_notified=count(ReconciliationStatus.NOT_NOTIFIED),
        not_in_file=count(ReconciliationStatus.NOT_IN_FILE),
        amount_mismatch=count(ReconciliationStatus.AMOUNT_MISMATCH),
        unreadable=count(ReconciliationStatus.UNREADABLE),
        applied=sum(1 for row in rows if row.application is Application.THIS_RUN),
    )


def _run_snapshot(run: ReconciliationRun) -> dict[str, object]:
    return {
        "settlement_date": run.settlement_date.isoformat(),
        "gateway": run.gateway,
        "file_name": run.file_name,
        "file_digest": run.file_digest,
        **{status.value: run.count(status) for status in ReconciliationStatus},
        "applied": run.applied,
    }
