"""Reconciling the sandbox gateway's settlement file against the notices the app received,
through the services on SQLite: every class found, the never-notified payment applied once."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import ColumnElement, Table, func, select

from sertakan.access.actor import Actor
from sertakan.access.roles import Role
from sertakan.billing.model import Invoice, InvoiceStatus, NoticeOutcome, PayerKind, StoredNotice
from sertakan.billing.reconciliation import (
    SETTLEMENT_RAW_PREFIX,
    Application,
    ReconciliationService,
    ReconciliationStatus,
    ReconciliationUnitOfWork,
)
from sertakan.billing.settlement_file import SETTLEMENT_HEADER, parse_settlement
from sertakan.bootstrap import Container
from sertakan.gateways.notice_sender import NoticeSender, RetryPolicy
from sertakan.gateways.sandbox import SandboxGateway
from sertakan.gateways.sandbox_charges import ChargeBook
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.kernel.errors import Forbidden, RuleViolation
from sertakan.kernel.periods import Month
from sertakan.registry.nik import build_nik
from sertakan.store.tables import audit_events, payment_notices, payments, settlements
from tests.support.auth import CONSOLE
from tests.support.builders import BRANCH, a_worker
from tests.support.containers import GATEWAY_SECRET, sqlite_container
from tests.support.notices import notice_body, signed
from tests.support.sandbox import NoticeInbox

DECEMBER = Month(2026, 12)
DAY = dt.date(2026, 12, 15)
PAID_AT = dt.datetime(2026, 12, 15, 9, 15, tzinfo=WIB)
NAMES = ("Siti", "Dewi", "Rina", "Wati")


@dataclass
class Office:
    container: Container
    clock: FixedClock
    gateway: SandboxGateway
    inbox: NoticeInbox
    service: ReconciliationService
    invoices: dict[str, Invoice]  # by worker name: one self-paid invoice each
    members: dict[str, str]

    def pay_at_gateway(self, name: str) -> str:
        """The worker pays at the sandbox bank; its notice reaches the inbox, not the app."""
        instruction = self.container.payments.checkout(CONSOLE, self.invoices[name].id, "va_bri")
        self.gateway.pay(instruction.reference, PAID_AT)
        assert self.gateway.flush(10)
        return instruction.reference

    def deliver(self, transaction_id: str) -> NoticeOutcome:
        """Hand the gateway's own notice of the transaction to the app."""
        [body] = [b for b in self.inbox.bodies if json.loads(b)["transaction_id"] == transaction_id]
        return self.container.payments.receive(body, signed(body)).outcome

    def settlement_file(self, path: Path) -> Path:
        self.gateway.write_settlement_csv(DAY, path)
        return path

    def count(self, table: Table, *where: ColumnElement[bool]) -> int:
        with self.container.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(table).where(*where)) or 0)


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    clock = FixedClock(dt.datetime(2026, 12, 15, 8, 0, tzinfo=WIB))
    inbox = NoticeInbox()
    sender = NoticeSender(
        "http://sertakan.test/api/v1/payments/notifications",
        retry=RetryPolicy(attempts=1, first_backoff=0.001),
        transport=inbox.transport,
    )
    gateway = SandboxGateway(
        ChargeBook(tmp_path / "bank.sqlite"),
        GATEWAY_SECRET.encode(),
        "http://sertakan.test",
        sender,
        clock,
    )
    with sqlite_container(tmp_path, clock=clock, gateway=gateway) as container:
        container.registry.add_branch(BRANCH)
        members = {}
        for seq, name in enumerate(NAMES, start=1):
            card = container.registry.enrol_member(
                CONSOLE,
                a_worker(
                    nik=build_nik("327101", dt.date(1990, 8, 17), "F", seq),
                    full_name=f"{name} Lestari",
                    phone=f"08123456780{seq}",
                ),
            )
            members[name] = card.member.id
        container.invoices.issue_month(CONSOLE, DECEMBER)
        clock.moment = dt.datetime(2026, 12, 15, 10, 0, tzinfo=WIB)  # after PAID_AT: paid since
        invoices = {}
        for name, member_id in members.items():
            [invoice] = container.invoices.for_payer(CONSOLE, PayerKind.MEMBER, member_id)
            invoices[name] = invoice
        uow = cast(Callable[[], ReconciliationUnitOfWork], container.uow)
        service = ReconciliationService(uow, clock, container.payments, gateway.name)
        yield Office(container, clock, gateway, inbox, service, invoices, members)


def test_each_class_is_found_and_the_payment_never_notified_is_applied_once(
    office: Office, tmp_path: Path
) -> None:
    # Siti: paid and notified. Dewi: paid, but the notice never arrived. Rina: a notice the
    # gateway's file does not list. Wati: paid, but the notice claimed Rp100 less.
    siti = office.pay_at_gateway("Siti")
    assert office.deliver(siti) is NoticeOutcome.APPLIED
    dewi = office.pay_at_gateway("Dewi")
    wati = office.pay_at_gateway("Wati")
    short = notice_body(
        office.invoices["Wati"].number, office.invoices["Wati"].total - 100, wati, PAID_AT
    )
    assert office.container.payments.receive(short, signed(short)).outcome is NoticeOutcome.SUSPENSE
    rina = notice_body(
        office.invoices["Rina"].number, office.invoices["Rina"].total, "SBX-NOT-IN-FILE", PAID_AT
    )
    assert office.container.payments.receive(rina, signed(rina)).outcome is NoticeOutcome.APPLIED
    path = office.settlement_file(tmp_path / "settlement-2026-12-15.csv")
    dewi_invoice = office.invoices["Dewi"]

    first = office.service.run(CONSOLE, DAY, parse_settlement(path.read_bytes(), DAY), path.name)

    status = {row.transaction_id: row for row in first.rows}
    assert {tid: row.status for tid, row in status.items()} == {
        siti: ReconciliationStatus.MATCHED,
        dewi: ReconciliationStatus.NOT_NOTIFIED,
        wati: ReconciliationStatus.AMOUNT_MISMATCH,
        "SBX-NOT-IN-FILE": ReconciliationStatus.NOT_IN_FILE,
    }
    assert status[dewi].application is Application.THIS_RUN
    assert status[dewi].notice_outcome is NoticeOutcome.APPLIED
    assert (status[wati].file_amount, status[wati].notice_amount) == (
        office.invoices["Wati"].total,
        office.invoices["Wati"].total - 100,
    )
    paid, _ = office.container.invoices.invoice(CONSOLE, dewi_invoice.id)
    assert paid.status is InvoiceStatus.PAID
    assert paid.paid_at == PAID_AT  # when the money arrived, not when the file was read
    assert office.count(settlements, settlements.c.member_id == office.members["Dewi"]) == 1
    assert first.run is not None
    assert (first.run.matched, first.run.not_notified, first.run.not_in_file) == (1, 1, 1)
    assert (first.run.amount_mismatch, first.run.unreadable, first.run.applied) == (1, 0, 1)
    assert office.count(audit_events, audit_events.c.action == "reconciliation.run") == 1

    # The same file again, an hour later: the same classes, nothing applied twice.
    office.clock.moment += dt.timedelta(hours=1)
    again = office.service.run(CONSOLE, DAY, parse_settlement(path.read_bytes(), DAY), path.name)

    assert [(r.transaction_id, r.status) for r in again.rows] == [
        (r.transaction_id, r.status) for r in first.rows
    ]
    repeat = next(r for r in again.rows if r.transaction_id == dewi)
    assert repeat.application is Application.EARLIER_RUN
    assert again.run is not None and again.run.applied == 0
    assert again.run.file_digest == first.run.file_digest
    assert office.count(payments, payments.c.invoice_id == dewi_invoice.id) == 1
    assert office.count(settlements, settlements.c.member_id == office.members["Dewi"]) == 1
    assert office.count(payment_notices, payment_notices.c.transaction_id == dewi) == 1
    runs = office.service.runs(CONSOLE)
    assert [run.id for run in runs] == [again.run.id, first.run.id]  # both kept, newest first
    latest = office.service.latest(CONSOLE, DAY)
    assert latest is not None and latest.run == again.run
    assert [r.status for r in latest.rows] == [  # read back flagged first
        ReconciliationStatus.AMOUNT_MISMATCH,
        ReconciliationStatus.NOT_IN_FILE,
        ReconciliationStatus.NOT_NOTIFIED,
        ReconciliationStatus.MATCHED,
    ]


def test_a_run_that_stopped_between_storing_and_applying_is_finished_by_the_next_run(
    office: Office, tmp_path: Path
) -> None:
    dewi = office.pay_at_gateway("Dewi")  # never notified
    path = office.settlement_file(tmp_path / "settlement.csv")
    invoice = office.invoices["Dewi"]
    with office.container.uow() as uow:  # what a run leaves when it dies after storing
        uow.notices.add_new(
            [
                StoredNotice(
                    id="stored-by-a-dead-run",
                    gateway="sandbox",
                    transaction_id=dewi,
                    invoice_number=invoice.number,
                    amount=invoice.total,
                    channel="va_bri",
                    paid_at=PAID_AT,
                    received_at=PAID_AT,
                    raw_body=f"{SETTLEMENT_RAW_PREFIX}settlement.csv line 2\n",
                    outcome=NoticeOutcome.PENDING,
                )
            ]
        )
        uow.commit()

    report = office.service.run(CONSOLE, DAY, parse_settlement(path.read_bytes(), DAY), path.name)

    [row] = report.rows
    assert (row.status, row.application) == (
        ReconciliationStatus.NOT_NOTIFIED,
        Application.THIS_RUN,
    )
    assert row.notice_outcome is NoticeOutcome.APPLIED
    paid, _ = office.container.invoices.invoice(CONSOLE, invoice.id)
    assert paid.status is InvoiceStatus.PAID
    assert office.count(payment_notices, payment_notices.c.transaction_id == dewi) == 1


def test_a_malformed_line_is_reported_and_kept_and_the_other_lines_are_still_reconciled(
    office: Office, tmp_path: Path
) -> None:
    dewi = office.pay_at_gateway("Dewi")  # never notified
    path = office.settlement_file(tmp_path / "settlement.csv")
    text = path.read_text(encoding="utf-8")
    broken = text + "SBX-BROKEN,INV-X,va_bri,28.400,2026-12-15T10:00:00+07:00,2026-12-16\n"
    settlement = parse_settlement(broken.encode(), DAY)

    report = office.service.run(CONSOLE, DAY, settlement, "settlement.csv")

    assert [(e.line, e.field) for e in report.errors] == [(3, "amount")]
    by_status = {row.status: row for row in report.rows}
    assert set(by_status) == {ReconciliationStatus.NOT_NOTIFIED, ReconciliationStatus.UNREADABLE}
    assert by_status[ReconciliationStatus.NOT_NOTIFIED].transaction_id == dewi
    unreadable = by_status[ReconciliationStatus.UNREADABLE]
    assert (unreadable.line, unreadable.transaction_id) == (3, "SBX-BROKEN")
    assert "amount" in unreadable.note
    assert office.count(payment_notices, payment_notices.c.transaction_id == "SBX-BROKEN") == 0
    stored = office.service.report(CONSOLE, report.run.id if report.run else "")
    assert stored.rows[0].status is ReconciliationStatus.UNREADABLE


def test_a_file_without_the_header_stores_nothing(office: Office) -> None:
    with pytest.raises(RuleViolation):
        parse_settlement(b"SBX-1,INV-1,va_bri,28400,2026-12-15T09:15:00+07:00,2026-12-16\n", DAY)

    assert office.service.runs(CONSOLE) == []


def test_only_the_console_runs_a_reconciliation_and_staff_may_read_them(office: Office) -> None:
    officer = Actor(Role.OFFICER, account_id="officer-1", branch_code="BOGOR_KOTA")
    sponsor = Actor(Role.SPONSOR, account_id="sponsor-1", sponsor_id="s-1")
    empty = parse_settlement(",".join(SETTLEMENT_HEADER) + "\n", DAY)

    with pytest.raises(Forbidden):
        office.service.run(officer, DAY, empty, "settlement.csv")
    office.service.run(CONSOLE, DAY, empty, "settlement.csv")

    assert len(office.service.runs(officer)) == 1
    with pytest.raises(Forbidden):
        office.service.runs(sponsor)
    refused = audit_events.c.outcome == "denied"
    assert office.count(audit_events, refused) == 2
