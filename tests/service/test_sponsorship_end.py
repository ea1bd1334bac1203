"""Ending a sponsorship with care (issue 16 point 2): it says from which month and what the
worker then owes, tells the sponsor and the worker by SMS, and takes the worker off the
sponsor's unpaid invoices from that month; a paid invoice never changes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from sertakan.billing.model import InvoiceStatus, PayerKind
from sertakan.bootstrap import Container
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.kernel.errors import Conflict, RuleViolation
from sertakan.kernel.periods import Month
from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.model import Consent, Sponsorship
from sertakan.store.tables import outbox_messages
from tests.support.auth import CONSOLE
from tests.support.builders import open_small_office
from tests.support.containers import sqlite_container
from tests.support.notices import notice_body, signed

OCTOBER, NOVEMBER, DECEMBER = Month(2026, 10), Month(2026, 11), Month(2026, 12)
SITI_MONTH = 28_400  # JKK+JKM halved by PP 50/2025, JHT 20,000 (test_billing.py)
ASEP_MONTH = 13_400


@dataclass
class Office:
    container: Container
    clock: FixedClock
    sponsor_id: str
    siti: str
    asep: str

    def sponsorship_of(self, member_id: str) -> Sponsorship:
        with self.container.uow() as uow:
            [found] = uow.sponsorships.for_member(member_id)
        return found


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    # Enrolled in October; today is 25 November: the sponsorships may end from November or
    # from December.
    clock = FixedClock(dt.datetime(2026, 10, 20, 9, 0, tzinfo=WIB))
    with sqlite_container(tmp_path, clock=clock, provider=RecordingProvider()) as container:
        people = open_small_office(container)
        clock.moment = dt.datetime(2026, 11, 25, 9, 0, tzinfo=WIB)
        yield Office(container, clock, people.sponsor_id, people.siti, people.asep)


def _sponsor_invoices(office: Office) -> list[object]:
    return list(office.container.invoices.for_payer(CONSOLE, PayerKind.SPONSOR, office.sponsor_id))


def test_the_preview_says_the_months_it_may_end_from_and_what_the_worker_then_owes(
    office: Office,
) -> None:
    sponsorship = office.sponsorship_of(office.siti)

    ending = office.container.sponsorships.ending(CONSOLE, sponsorship.id)

    assert ending.choices == (NOVEMBER, DECEMBER)
    assert ending.from_month == DECEMBER  # by default the sponsor still pays this month
    assert ending.due_on == dt.date(2026, 12, 15)  # bpu/payment_deadline.yaml, a Tuesday
    assert (ending.grace_months, ending.ends_after) == (3, 3)  # bpu/arrears.yaml
    assert office.sponsorship_of(office.siti).until_month is None  # a preview changes nothing


def test_the_sponsors_next_invoice_no_longer_has_the_worker_and_she_is_billed_herself(
    office: Office,
) -> None:
    container = office.container
    container.invoices.issue_for_payer(CONSOLE, PayerKind.SPONSOR, office.sponsor_id, DECEMBER)
    [december] = container.invoices.for_payer(CONSOLE, PayerKind.SPONSOR, office.sponsor_id)
    assert december.total == SITI_MONTH + ASEP_MONTH

    ended = container.sponsorships.end(CONSOLE, office.sponsorship_of(office.siti).id, DECEMBER)

    assert ended.until_month == NOVEMBER
    invoice, lines = container.invoices.invoice(CONSOLE, december.id)
    assert [line.member_id for line in lines] == [office.asep]
    assert invoice.total == ASEP_MONTH and invoice.status is InvoiceStatus.OPEN
    # December's run bills Siti to herself, and nothing more to the sponsor.
    report = container.invoices.issue_month(CONSOLE, DECEMBER)
    [own] = container.invoices.for_payer(CONSOLE, PayerKind.MEMBER, office.siti)
    assert (own.month, own.total) == (DECEMBER, SITI_MONTH)
    assert [i.id for i in _sponsor_invoices(office)] == [december.id]  # type: ignore[attr-defined]
    assert (report.invoices, report.lines) == (2, 2)  # Siti's own and Dewi's
    with container.uow() as uow:
        events = list(
            uow.audit.between(
                dt.datetime(2026, 1, 1, tzinfo=WIB), dt.datetime(2027, 1, 1, tzinfo=WIB)
            )
        )
    removed = [e for e in events if e.action == "invoice.remove_member"]
    assert [e.entity_id for e in removed] == [december.id]
    assert removed[0].after is not None and removed[0].after["total"] == ASEP_MONTH


def test_an_invoice_of_months_ahead_keeps_the_months_the_sponsor_still_pays(
    office: Office,
) -> None:
    container = office.container
    ahead = container.invoices.issue_ahead(CONSOLE, PayerKind.SPONSOR, office.sponsor_id, 2)

    container.sponsorships.end(CONSOLE, office.sponsorship_of(office.siti).id, DECEMBER)

    invoice, lines = container.invoices.invoice(CONSOLE, ahead.id)
    kept = sorted((line.member_id == office.siti, str(line.month)) for line in lines)
    assert kept == [(False, "2026-11"), (False, "2026-12"), (True, "2026-11")]
    assert invoice.total == ahead.total - SITI_MONTH


def test_a_paid_invoice_is_never_altered(office: Office) -> None:
    container = office.container
    container.invoices.issue_for_payer(CONSOLE, PayerKind.SPONSOR, office.sponsor_id, NOVEMBER)
    [november] = container.invoices.for_payer(CONSOLE, PayerKind.SPONSOR, office.sponsor_id)
    paid_at = dt.datetime(2026, 11, 25, 9, 1, tzinfo=WIB)  # after the invoice was issued
    office.clock.moment = dt.datetime(2026, 11, 25, 9, 5, tzinfo=WIB)
    body = notice_body(november.number, november.total, "SBX-1", paid_at)
    assert container.payments.receive(body, signed(body)).outcome.value == "applied"

    container.sponsorships.end(CONSOLE, office.sponsorship_of(office.siti).id, NOVEMBER)

    invoice, lines = container.invoices.invoice(CONSOLE, november.id)
    assert invoice.status is InvoiceStatus.PAID
    assert invoice.total == november.total == SITI_MONTH + ASEP_MONTH
    assert {line.member_id for line in lines} == {office.siti, office.asep}


def test_an_invoice_left_without_lines_is_cancelled(office: Office) -> None:
    container = office.container
    container.sponsorships.end(CONSOLE, office.sponsorship_of(office.asep).id, NOVEMBER)
    container.invoices.issue_for_payer(CONSOLE, PayerKind.SPONSOR, office.sponsor_id, NOVEMBER)
    [november] = container.invoices.for_payer(CONSOLE, PayerKind.SPONSOR, office.sponsor_id)

    container.sponsorships.end(CONSOLE, office.sponsorship_of(office.siti).id, NOVEMBER)

    invoice, _ = container.invoices.invoice(CONSOLE, november.id)
    assert invoice.status is InvoiceStatus.CANCELLED
    assert "sponsorship ended" in invoice.cancel_reason


def test_the_sponsor_and_the_worker_are_told_by_sms_without_personal_numbers(
    office: Office,
) -> None:
    office.container.sponsorships.end(CONSOLE, office.sponsorship_of(office.siti).id)

    with office.container.engine.connect() as conn:
        sent = {
            row.template: (row.recipient, row.body)
            for row in conn.execute(
                select(
                    outbox_messages.c.template,
                    outbox_messages.c.recipient,
                    outbox_messages.c.body,
                )
            )
            if row.template.startswith("sponsorship.ended")
        }
    to_sponsor, to_worker = sent["sponsorship.ended.sponsor"], sent["sponsorship.ended.worker"]
    assert to_sponsor[0] == "+6281298765432"
    assert "Siti" in to_sponsor[1] and "Des 2026" in to_sponsor[1]
    assert "Rahmawati" not in to_sponsor[1]  # a first name only
    assert to_worker[0] == "+6281234567890"
    assert "Ibu Ratna" in to_worker[1] and "15 Des 2026" in to_worker[1]


def test_a_month_outside_the_choices_is_refused_and_ending_twice_is_a_conflict(
    office: Office,
) -> None:
    sponsorship_id = office.sponsorship_of(office.siti).id
    with pytest.raises(RuleViolation) as refused:
        office.container.sponsorships.end(CONSOLE, sponsorship_id, OCTOBER)
    assert refused.value.violations[0].field == "from_month"
    assert office.sponsorship_of(office.siti).until_month is None

    office.container.sponsorships.end(CONSOLE, sponsorship_id)
    with pytest.raises(Conflict):
        office.container.sponsorships.end(CONSOLE, sponsorship_id)


def test_a_request_never_consented_to_is_withdrawn_without_texts(office: Office) -> None:
    container = office.container
    with container.uow() as uow:
        [sponsorship] = uow.sponsorships.for_member(office.siti)
        uow.sponsorships.update(dataclasses.replace(sponsorship, consent=Consent.PENDING))
        uow.commit()

    container.sponsorships.end(CONSOLE, sponsorship.id)

    with container.engine.connect() as conn:
        templates = [row.template for row in conn.execute(select(outbox_messages.c.template))]
    assert not [t for t in templates if t.startswith("sponsorship.ended")]
    assert office.sponsorship_of(office.siti).until_month == NOVEMBER
