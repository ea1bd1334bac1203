"""Reminders queued once each (due soon, unpaid on the due date, cover ending) and the daily
job, run twice, through the services on SQLite."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sertakan.billing.daily import DailyReport, run_daily
from sertakan.billing.model import InvoiceStatus, NoticeOutcome, PayerKind
from sertakan.billing.reminders import ReminderService
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.kernel.periods import Month
from sertakan.notifications import templates
from sertakan.notifications.providers import RecordingProvider
from sertakan.store.tables import invoices, outbox_messages, reminders_sent
from sertakan.store.unit_of_work import SqlUnitOfWork
from tests.support.auth import CONSOLE
from tests.support.builders import SmallOffice, a_worker, open_small_office
from tests.support.containers import sqlite_container
from tests.support.notices import notice_body, signed

DECEMBER = Month(2026, 12)
# A minute after the invoices are issued (06:00 on 1 December): a payment is never older than
# its invoice nor later than its notice.
PAID_AT = dt.datetime(2026, 12, 1, 6, 1, tzinfo=WIB)
SPONSOR_PHONE = "+6281298765432"
DEWI_PHONE = "+6285712345678"


@dataclass
class Office(SmallOffice):
    """The small office (Dewi pays for herself) and the reminder service on its clock."""

    reminders: ReminderService

    def on(self, day: dt.date) -> dt.date:
        """Move the clock to 06:00 WIB of `day` (when cron runs the job) and return the day."""
        self.clock.moment = dt.datetime.combine(day, dt.time(6, 0), tzinfo=WIB)
        return day

    def queue(self, day: dt.date) -> int:
        return self.reminders.queue(CONSOLE, self.on(day)).queued

    def messages(self, template: str | None = None) -> list[tuple[str, str]]:
        """(recipient, body) of the outbox, oldest first, of one template or all, once the
        domain events are published (a receipt is a reaction to the payment's event)."""
        self.container.publisher.publish()
        query = select(outbox_messages.c.recipient, outbox_messages.c.body).order_by(
            outbox_messages.c.created_at, outbox_messages.c.recipient
        )
        if template is not None:
            query = query.where(outbox_messages.c.template == template)
        with self.container.engine.connect() as conn:
            return [(row.recipient, row.body) for row in conn.execute(query)]

    def pay(self, payer_kind: PayerKind, payer_id: str, transaction: str) -> None:
        [invoice] = [
            i for i in self.container.invoices.for_payer(CONSOLE, payer_kind, payer_id) if i.is_open
        ]
        body = notice_body(invoice.number, invoice.total, transaction, PAID_AT)
        result = self.container.payments.receive(body, signed(body))
        assert result.outcome is NoticeOutcome.APPLIED


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    """Ibu Ratna pays for Siti and Asep; Dewi pays for herself. Nothing is billed yet."""
    clock = FixedClock(dt.datetime(2026, 11, 20, 8, 0, tzinfo=WIB))
    with sqlite_container(tmp_path, clock=clock, provider=RecordingProvider()) as container:
        people = open_small_office(container)
        reminders = ReminderService(
            partial(SqlUnitOfWork, container.engine), container.params, clock
        )
        office = Office(**vars(people), reminders=reminders)
        office.on(dt.date(2026, 12, 1))
        yield office


def _issue_december(office: Office) -> None:
    office.on(dt.date(2026, 12, 1))
    office.container.invoices.issue_month(CONSOLE, DECEMBER)


# -- due soon -----------------------------------------------------------------------------------


def test_the_payer_is_reminded_three_days_before_the_due_date_not_four(office: Office) -> None:
    _issue_december(office)  # due 15 December 2026, a Tuesday

    assert office.queue(dt.date(2026, 12, 11)) == 0
    assert office.queue(dt.date(2026, 12, 12)) == 2

    due_soon = dict(office.messages(templates.INVOICE_DUE_SOON))
    assert set(due_soon) == {SPONSOR_PHONE, DEWI_PHONE}  # the payers: the sponsor pays for two
    assert "Rp41.800 untuk 2 pekerja jatuh tempo 15 Des 2026" in due_soon[SPONSOR_PHONE]
    assert "Rp28.400 untuk 1 pekerja jatuh tempo 15 Des 2026" in due_soon[DEWI_PHONE]
    assert a_worker().nik not in due_soon[SPONSOR_PHONE]


def test_a_reminder_is_queued_once_however_often_the_job_runs(office: Office) -> None:
    _issue_december(office)

    office.queue(dt.date(2026, 12, 12))
    again = office.queue(dt.date(2026, 12, 12))
    next_days = [office.queue(dt.date(2026, 12, day)) for day in (13, 14)]

    assert again == 0 and next_days == [0, 0]
    assert len(office.messages(templates.INVOICE_DUE_SOON)) == 2
    with office.container.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(reminders_sent)) == 2


def test_a_day_the_job_missed_is_caught_up_the_next_day(office: Office) -> None:
    _issue_december(office)

    assert office.queue(dt.date(2026, 12, 13)) == 2  # the job did not run on the 12th

    assert len(office.messages(templates.INVOICE_DUE_SOON)) == 2


def test_a_paid_invoice_gets_no_reminder(office: Office) -> None:
    _issue_december(office)
    office.pay(PayerKind.MEMBER, office.dewi, "SBX-1")

    office.queue(dt.date(2026, 12, 12))
    office.queue(dt.date(2026, 12, 15))

    reminded = {phone for phone, _ in office.messages(templates.INVOICE_DUE_SOON)}
    reminded |= {phone for phone, _ in office.messages(templates.INVOICE_UNPAID)}
    assert reminded == {SPONSOR_PHONE}
    assert [phone for phone, _ in office.messages(templates.RECEIPT)] == [DEWI_PHONE]


# -- unpaid on the due date ---------------------------------------------------------------------


def test_an_invoice_still_open_on_its_due_date_is_announced_that_day_once(
    office: Office,
) -> None:
    _issue_december(office)

    assert office.reminders.queue(CONSOLE, office.on(dt.date(2026, 12, 14))).unpaid_on_due == 0
    on_due = office.reminders.queue(CONSOLE, office.on(dt.date(2026, 12, 15)))
    after = office.reminders.queue(CONSOLE, office.on(dt.date(2026, 12, 16)))

    assert (on_due.unpaid_on_due, after.unpaid_on_due) == (2, 0)
    unpaid = dict(office.messages(templates.INVOICE_UNPAID))
    assert set(unpaid) == {SPONSOR_PHONE, DEWI_PHONE}
    assert "Rp28.400 belum dibayar (jatuh tempo 15 Des 2026)" in unpaid[DEWI_PHONE]


def test_an_invoice_past_its_due_date_long_ago_is_not_announced_as_due_today(
    office: Office,
) -> None:
    _issue_december(office)

    queued = office.reminders.queue(CONSOLE, office.on(dt.date(2026, 12, 19)))

    assert queued.unpaid_on_due == 0  # 4 days late: the job was not just missing a day


# -- cover ending -------------------------------------------------------------------------------


def test_a_member_whose_paid_month_ends_in_five_days_is_told_once_to_her_own_phone(
    office: Office,
) -> None:
    _issue_december(office)
    office.pay(PayerKind.MEMBER, office.dewi, "SBX-2")

    assert office.reminders.queue(CONSOLE, office.on(dt.date(2026, 12, 25))).cover_ending == 0
    first = office.reminders.queue(CONSOLE, office.on(dt.date(2026, 12, 26)))
    again = office.reminders.queue(CONSOLE, office.on(dt.date(2026, 12, 30)))

    assert (first.cover_ending, again.cover_ending) == (1, 0)
    [(phone, body)] = office.messages(templates.COVER_ENDING)
    assert phone == DEWI_PHONE
    # January 2027 costs the full contribution: the PP 50/2025 discount ended with December
    # (JKK 10,000 + JKM 6,800 + JHT 20,000 on Rp1,000,000).
    assert body.startswith("Perlindungan BPJAMSOSTEK Dewi berakhir setelah 31 Des 2026")
    assert "Rp36.800" in body


def test_a_member_who_paid_the_next_month_ahead_is_not_told_her_cover_ends(
    office: Office,
) -> None:
    ahead = office.container.invoices.issue_ahead(CONSOLE, PayerKind.MEMBER, office.dewi, 2)
    body = notice_body(ahead.number, ahead.total, "SBX-3", PAID_AT)
    assert office.container.payments.receive(body, signed(body)).outcome is NoticeOutcome.APPLIED

    assert office.reminders.queue(CONSOLE, office.on(dt.date(2026, 12, 27))).cover_ending == 0
    assert office.messages(templates.COVER_ENDING) == []


def test_sponsored_workers_are_told_on_their_own_phones_not_the_sponsors(
    office: Office,
) -> None:
    _issue_december(office)
    office.pay(PayerKind.SPONSOR, office.sponsor_id, "SBX-4")

    office.reminders.queue(CONSOLE, office.on(dt.date(2026, 12, 28)))

    told = office.messages(templates.COVER_ENDING)
    assert sorted(phone for phone, _ in told) == ["+6281234567890", "+6281234567890"]
    assert {body.split()[2] for _, body in told} == {"Siti", "Asep"}


# -- the daily job ------------------------------------------------------------------------------


def _counts(office: Office) -> tuple[int, int, int, int]:
    with office.container.engine.connect() as conn:
        return (
            conn.scalar(select(func.count()).select_from(invoices)) or 0,
            conn.scalar(
                select(func.count())
                .select_from(invoices)
                .where(invoices.c.status == InvoiceStatus.PAID.value)
            )
            or 0,
            conn.scalar(select(func.count()).select_from(outbox_messages)) or 0,
            conn.scalar(select(func.count()).select_from(reminders_sent)) or 0,
        )


def _daily(office: Office, day: dt.date) -> DailyReport:
    return run_daily(
        CONSOLE,
        office.on(day),
        invoices=office.container.invoices,
        payments=office.container.payments,
        reminders=office.reminders,
        publish=office.container.publisher.publish,  # as `http.background.daily_job` does
    )


def test_the_daily_job_run_twice_the_same_day_changes_nothing_the_second_time(
    office: Office,
) -> None:
    # A notice stored just before a crash, never applied: the daily job applies it.
    office.container.invoices.issue_for_payer(CONSOLE, PayerKind.MEMBER, office.dewi, DECEMBER)
    [invoice] = office.container.invoices.for_payer(CONSOLE, PayerKind.MEMBER, office.dewi)
    body = notice_body(invoice.number, invoice.total, "SBX-5", PAID_AT)
    office.container.payments.store(body, signed(body))

    first = _daily(office, dt.date(2026, 12, 12))
    after_first = _counts(office)
    second = _daily(office, dt.date(2026, 12, 12))

    assert first.notices == {NoticeOutcome.APPLIED: 1}
    assert (first.issued.invoices, first.issued.already_paid) == (1, 1)  # the sponsor's
    assert first.reminders.due_soon == 1  # Dewi paid: only the sponsor is reminded
    assert first.cancelled == 0
    assert first.events.published == 2  # Dewi's month settled, her invoice paid (the receipt)
    assert second.events.published == 0
    # (invoices, paid, outbox: Dewi's receipt + the sponsor's reminder, reminders recorded)
    assert after_first == (2, 1, 2, 1)
    assert second.notices == {}
    assert (second.issued.invoices, second.issued.already_billed) == (0, 2)
    assert (second.cancelled, second.reminders.queued) == (0, 0)
    assert _counts(office) == after_first


def test_the_daily_job_cancels_invoices_past_the_arrears_window_once(office: Office) -> None:
    _issue_december(office)

    first = _daily(office, dt.date(2027, 3, 16))
    second = _daily(office, dt.date(2027, 3, 16))

    assert (first.cancelled, second.cancelled) == (2, 0)
    assert first.issued.invoices == 2  # March 2027 is billed: nobody's membership ended
    assert second.issued.invoices == 0
