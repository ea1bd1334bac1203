"""The builders of tests/support/builders.py build what they say: an office of numbered
people with months paid and the month open, through the services."""

from __future__ import annotations

from pathlib import Path

from sertakan.billing.model import InvoiceStatus, PayerKind
from sertakan.kernel.periods import Month
from tests.support.auth import CONSOLE
from tests.support.builders import (
    MONTH,
    a_member_with_paid_months,
    an_office,
    office_clock,
)
from tests.support.containers import sqlite_container


def test_an_office_bills_each_payer_once_a_month_and_pays_the_months_before(
    tmp_path: Path,
) -> None:
    with sqlite_container(tmp_path, clock=office_clock()) as container:
        office = an_office(container, sponsors=2, workers_each=3, self_paying=1, paid_months=2)

        assert (len(office.sponsors), len(office.workers)) == (2, 7)
        assert [i.month for i in office.invoices] == [MONTH] * 3  # two sponsors, one worker
        assert [i.payer_kind for i in office.invoices] == [PayerKind.SPONSOR] * 2 + [
            PayerKind.MEMBER
        ]
        assert sorted(str(i.month) for i in office.paid) == ["2026-10"] * 3 + ["2026-11"] * 3
        for payer_id in office.sponsors:
            statuses = {
                str(i.month): i.status
                for i in container.invoices.for_payer(CONSOLE, PayerKind.SPONSOR, payer_id)
            }
            assert statuses == {
                "2026-10": InvoiceStatus.PAID,
                "2026-11": InvoiceStatus.PAID,
                "2026-12": InvoiceStatus.OPEN,
            }


def test_a_member_with_three_paid_months_has_them_paid_and_this_month_open(
    tmp_path: Path,
) -> None:
    with sqlite_container(tmp_path, clock=office_clock()) as container:
        office = a_member_with_paid_months(container, 3)

        [member_id] = office.workers
        found = container.invoices.for_payer(CONSOLE, PayerKind.MEMBER, member_id)
        assert {i.month: i.status for i in found} == {
            Month(2026, 9): InvoiceStatus.PAID,
            Month(2026, 10): InvoiceStatus.PAID,
            Month(2026, 11): InvoiceStatus.PAID,
            MONTH: InvoiceStatus.OPEN,
        }
        assert [i.id for i in office.invoices] == [i.id for i in found if i.month == MONTH]
