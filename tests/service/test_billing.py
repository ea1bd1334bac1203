"""Invoices, payments counted once, the suspense list and coverage, through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sertakan.billing import invoicing
from sertakan.billing.errors import NothingToBill
from sertakan.billing.model import (
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    NoticeOutcome,
    PayerKind,
    SuspenseReason,
    SuspenseStatus,
)
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.kernel.errors import RuleViolation, Unauthorized
from sertakan.kernel.periods import Month
from sertakan.notifications.providers import RecordingProvider
from sertakan.store.tables import events, outbox_messages, rejected_notices, settlements
from tests.support.auth import CONSOLE
from tests.support.builders import SmallOffice, open_small_office
from tests.support.containers import sqlite_container
from tests.support.notices import notice_body, signed

DECEMBER = Month(2026, 12)
PAID_AT = dt.datetime(2026, 12, 1, 8, 0, tzinfo=WIB)  # the clock: billed and paid that morning


@pytest.fixture
def office(tmp_path: Path) -> Iterator[SmallOffice]:
    clock = FixedClock(dt.datetime(2026, 12, 1, 8, 0, tzinfo=WIB))
    with sqlite_container(tmp_path, clock=clock, provider=RecordingProvider()) as container:
        yield open_small_office(container)


def _invoices(office: SmallOffice, kind: PayerKind, payer: str) -> list[object]:
    return list(office.container.invoices.for_payer(CONSOLE, kind, payer))


def test_a_month_is_billed_once_per_payer_due_on_the_15th_and_issuing_again_issues_nothing(
    office: SmallOffice,
) -> None:
    first = office.container.invoices.issue_month(CONSOLE, DECEMBER)
    again = office.container.invoices.issue_month(CONSOLE, DECEMBER)

    assert (first.invoices, first.lines) == (2, 3)
    assert (again.invoices, again.lines, again.already_billed) == (0, 0, 3)
    [sponsor_invoice] = office.container.invoices.for_payer(
        CONSOLE, PayerKind.SPONSOR, office.sponsor_id
    )
    # Siti 28,400 (JKK+JKM halved by PP 50/2025, JHT 20,000); Asep, a driver, 10,000 + 3,400.
    assert sponsor_invoice.total == 28_400 + 13_400
    assert sponsor_invoice.due_on == dt.date(2026, 12, 15)  # a Tuesday
    [own] = office.container.invoices.for_payer(CONSOLE, PayerKind.MEMBER, office.dewi)
    assert own.total == 28_400


def test_one_sponsor_payment_settles_every_worker_once_and_a_repeat_changes_nothing(
    office: SmallOffice,
) -> None:
    office.container.invoices.issue_month(CONSOLE, DECEMBER)
    [invoice] = office.container.invoices.for_payer(CONSOLE, PayerKind.SPONSOR, office.sponsor_id)
    body = notice_body(invoice.number, invoice.total, "SBX-1", PAID_AT)

    first = office.container.payments.receive(body, signed(body))
    repeat = office.container.payments.receive(body, signed(body))

    assert (first.outcome, first.duplicate) == (NoticeOutcome.APPLIED, False)
    assert (repeat.outcome, repeat.duplicate) == (NoticeOutcome.APPLIED, True)
    paid, lines = office.container.invoices.invoice(CONSOLE, invoice.id)
    assert paid.status is InvoiceStatus.PAID
    # The receipt reacts to the payment's InvoicePaid event: queued when events are published
    # (twice here, as at-least-once delivery may: still one receipt).
    assert office.container.publisher.publish().published == 3  # 2 months settled + 1 paid
    assert office.container.publisher.publish().published == 0
    with office.container.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(settlements)) == len(lines) == 2
        settled = events.c.kind == "billing.payment_settled"
        assert conn.scalar(select(func.count()).select_from(events).where(settled)) == 2
        receipts = conn.execute(
            select(outbox_messages.c.recipient, outbox_messages.c.body).where(
                outbox_messages.c.template == "billing.receipt"
            )
        ).all()
    assert [r.recipient for r in receipts] == ["+6281298765432"]  # the sponsor, once
    assert f"Rp{invoice.total:,}".replace(",", ".") in receipts[0].body


def test_a_wrong_amount_goes_to_suspense_and_can_be_refunded_but_not_allocated(
    office: SmallOffice,
) -> None:
    office.container.invoices.issue_month(CONSOLE, DECEMBER)
    [invoice] = office.container.invoices.for_payer(CONSOLE, PayerKind.MEMBER, office.dewi)
    body = notice_body(invoice.number, invoice.total - 1, "SBX-2", PAID_AT)

    result = office.container.payments.receive(body, signed(body))

    assert (result.outcome, result.reason) == (
        NoticeOutcome.SUSPENSE,
        SuspenseReason.AMOUNT_MISMATCH,
    )
    [item] = office.container.payments.suspense(CONSOLE)
    assert item.amount == invoice.total - 1
    with pytest.raises(RuleViolation):
        office.container.payments.allocate(CONSOLE, item.id, invoice.number, "bayar kurang")
    refunded = office.container.payments.refund(CONSOLE, item.id, "Transfer balik ke BRI")
    assert refunded.status is SuspenseStatus.REFUNDED
    assert office.container.payments.suspense(CONSOLE) == []
    still, _ = office.container.invoices.invoice(CONSOLE, invoice.id)
    assert still.status is InvoiceStatus.OPEN


def test_a_forged_signature_is_refused_kept_for_audit_and_applies_nothing(
    office: SmallOffice,
) -> None:
    office.container.invoices.issue_month(CONSOLE, DECEMBER)
    [invoice] = office.container.invoices.for_payer(CONSOLE, PayerKind.MEMBER, office.dewi)
    body = notice_body(invoice.number, invoice.total, "SBX-3", PAID_AT)

    with pytest.raises(Unauthorized):
        office.container.payments.receive(body, signed(body, secret="not-the-secret"))

    with office.container.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(rejected_notices)) == 1
        assert conn.scalar(select(func.count()).select_from(settlements)) == 0
    # The genuine notice for the same transaction still applies afterwards.
    assert office.container.payments.receive(body, signed(body)).outcome is NoticeOutcome.APPLIED


def test_cover_starts_when_the_payment_settles_and_runs_to_the_end_of_the_paid_month(
    office: SmallOffice,
) -> None:
    office.container.invoices.issue_month(CONSOLE, DECEMBER)
    [invoice] = office.container.invoices.for_payer(CONSOLE, PayerKind.MEMBER, office.dewi)
    before = office.container.coverage.member(CONSOLE, office.dewi, at=PAID_AT)
    body = notice_body(invoice.number, invoice.total, "SBX-4", PAID_AT)
    office.container.payments.receive(body, signed(body))

    an_hour_earlier = office.container.coverage.member(
        CONSOLE, office.dewi, at=PAID_AT - dt.timedelta(hours=1)
    )
    after = office.container.coverage.member(
        CONSOLE, office.dewi, at=PAID_AT + dt.timedelta(hours=1)
    )

    assert not before.is_protected
    assert not an_hour_earlier.is_protected  # paid later: does not cover the past (policy P3)
    assert after.is_protected
    assert [c.program for c in after.programs if c.covered] == ["JKK", "JKM", "JHT"]
    assert after.protected_until == dt.date(2026, 12, 31)


def test_months_ahead_are_billed_up_to_the_limit_and_not_twice(office: SmallOffice) -> None:
    ahead = office.container.invoices.issue_ahead(CONSOLE, PayerKind.MEMBER, office.dewi, 3)

    assert ahead.kind is InvoiceKind.ADVANCE
    _, lines = office.container.invoices.invoice(CONSOLE, ahead.id)
    assert [str(line.month) for line in lines] == ["2026-12", "2027-01", "2027-02"]
    with pytest.raises(RuleViolation):
        office.container.invoices.issue_ahead(CONSOLE, PayerKind.MEMBER, office.dewi, 14)
    # December is on the advance invoice now: the month's run does not bill it again.
    report = office.container.invoices.issue_month(CONSOLE, DECEMBER)
    assert report.already_billed == 1


def test_an_unpaid_invoice_is_cancelled_once_its_month_leaves_the_arrears_window(
    office: SmallOffice,
) -> None:
    office.container.invoices.issue_month(CONSOLE, DECEMBER)

    # Due months on 15 March 2027: December, January, February — December is still payable
    # arrears; the next day March is due too, and December falls out of the 3-month window.
    assert office.container.invoices.cancel_unpayable(CONSOLE, dt.date(2027, 3, 15)) == 0
    assert office.container.invoices.cancel_unpayable(CONSOLE, dt.date(2027, 3, 16)) == 2
    [invoice] = office.container.invoices.for_payer(CONSOLE, PayerKind.MEMBER, office.dewi)
    assert invoice.status is InvoiceStatus.CANCELLED
    body = notice_body(invoice.number, invoice.total, "SBX-5", PAID_AT)
    result = office.container.payments.receive(body, signed(body))
    assert result.reason is SuspenseReason.INVOICE_CANCELLED


def test_a_sponsor_gets_one_invoice_for_all_workers_however_the_members_are_paged(
    office: SmallOffice, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(invoicing, "PAGE", 1)  # every member and sponsor on a page of its own

    report = office.container.invoices.issue_month(CONSOLE, DECEMBER)

    assert (report.invoices, report.lines, report.already_billed) == (2, 3, 0)
    [invoice] = office.container.invoices.for_payer(CONSOLE, PayerKind.SPONSOR, office.sponsor_id)
    _, lines = office.container.invoices.invoice(CONSOLE, invoice.id)
    assert {line.member_id for line in lines} == {office.siti, office.asep}


def test_a_repeat_of_a_transaction_with_another_amount_changes_nothing_and_is_kept(
    office: SmallOffice,
) -> None:
    office.container.invoices.issue_month(CONSOLE, DECEMBER)
    [invoice] = office.container.invoices.for_payer(CONSOLE, PayerKind.MEMBER, office.dewi)
    body = notice_body(invoice.number, invoice.total, "SBX-6", PAID_AT)
    office.container.payments.receive(body, signed(body))
    retold = notice_body(invoice.number, invoice.total + 50_000, "SBX-6", PAID_AT)

    result = office.container.payments.receive(retold, signed(retold))

    assert (result.outcome, result.duplicate) == (NoticeOutcome.APPLIED, True)
    with office.container.engine.connect() as conn:
        kept = conn.execute(select(rejected_notices.c.reason, rejected_notices.c.raw_body)).all()
        assert conn.scalar(select(func.count()).select_from(settlements)) == 1
    assert [row.reason for row in kept] == ["payment.notice.conflicting_repeat"]
    assert str(invoice.total + 50_000) in kept[0].raw_body
    assert office.container.payments.suspense(CONSOLE) == []


def test_months_ahead_asked_again_answer_the_same_invoice_and_bill_nothing_twice(
    office: SmallOffice,
) -> None:
    # A double tap on "bayar di muka" (issue 12): the second request is answered with the
    # first one's invoice; asking for fewer months than it bills is nothing left to bill.
    first = office.container.invoices.issue_ahead(CONSOLE, PayerKind.SPONSOR, office.sponsor_id, 3)
    again = office.container.invoices.issue_ahead(CONSOLE, PayerKind.SPONSOR, office.sponsor_id, 3)

    assert again.id == first.id
    with pytest.raises(NothingToBill):
        office.container.invoices.issue_ahead(CONSOLE, PayerKind.SPONSOR, office.sponsor_id, 2)
    assert len(_invoices(office, PayerKind.SPONSOR, office.sponsor_id)) == 1
    # Once it is cancelled, its months may be billed again: the key holds live invoices only.
    with office.container.uow() as uow:
        uow.invoices.set_status(first.id, InvoiceStatus.CANCELLED, PAID_AT, "test")
        uow.commit()
    renewed = office.container.invoices.issue_ahead(
        CONSOLE, PayerKind.SPONSOR, office.sponsor_id, 3
    )
    assert renewed.id != first.id and renewed.total == first.total


def test_money_paid_in_the_future_or_before_its_invoice_waits_in_suspense_with_its_reason(
    office: SmallOffice,
) -> None:
    # Issue 12: a notice dated 2099-12-31 marked its invoice paid while the member stayed
    # uncovered. Now it waits for an officer, and so does money dated before the invoice.
    office.container.invoices.issue_month(CONSOLE, DECEMBER)
    [sponsor] = _open(office, PayerKind.SPONSOR, office.sponsor_id)
    [own] = _open(office, PayerKind.MEMBER, office.dewi)
    future = notice_body(
        own.number, own.total, "SBX-2099", dt.datetime(2099, 12, 31, 12, 0, tzinfo=WIB)
    )
    early = notice_body(
        sponsor.number, sponsor.total, "SBX-EARLY", own.created_at - dt.timedelta(days=1)
    )

    later = office.container.payments.receive(future, signed(future))
    before = office.container.payments.receive(early, signed(early))

    assert (later.outcome, later.reason) == (NoticeOutcome.SUSPENSE, SuspenseReason.PAID_IN_FUTURE)
    assert (before.outcome, before.reason) == (
        NoticeOutcome.SUSPENSE,
        SuspenseReason.PAID_BEFORE_ISSUE,
    )
    assert {i.reason for i in office.container.payments.suspense(CONSOLE)} == {
        SuspenseReason.PAID_IN_FUTURE,
        SuspenseReason.PAID_BEFORE_ISSUE,
    }
    for invoice in (own, sponsor):
        assert office.container.invoices.invoice(CONSOLE, invoice.id)[0].is_open
    assert not office.container.coverage.member(
        CONSOLE, office.dewi, at=dt.datetime(2026, 12, 20, tzinfo=WIB)
    ).is_protected
    with office.container.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(settlements)) == 0


def _open(office: SmallOffice, kind: PayerKind, payer: str) -> list[Invoice]:
    return [i for i in office.container.invoices.for_payer(CONSOLE, kind, payer) if i.is_open]
