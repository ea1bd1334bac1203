"""A worker enrolled after the month's invoice was issued (issue 16): billed on a supplementary
invoice of their own, by the payer's button or by the daily run alike; the issued invoice never
grows (a charge may be open at the gateway for its amount), and a (member, month) is on one
live invoice only, however often the month is issued again."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from sertakan.billing.model import PayerKind
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.kernel.periods import Month
from sertakan.registry.nik import build_nik
from tests.support.auth import CONSOLE
from tests.support.builders import a_worker, open_small_office
from tests.support.containers import sqlite_container

DECEMBER = Month(2026, 12)


def test_a_newcomer_is_billed_apart_once_and_the_issued_invoice_keeps_its_total(
    tmp_path: Path,
) -> None:
    clock = FixedClock(dt.datetime(2026, 7, 1, 9, 0, tzinfo=WIB))
    with sqlite_container(tmp_path, clock=clock) as container:
        people = open_small_office(container, asep_phone="081377778888")
        clock.moment = dt.datetime(2026, 12, 1, 9, 0, tzinfo=WIB)
        first = container.invoices.issue_for_payer(
            CONSOLE, PayerKind.SPONSOR, people.sponsor_id, DECEMBER
        )
        clock.moment = dt.datetime(2026, 12, 10, 9, 0, tzinfo=WIB)
        rina = container.registry.enrol_member(
            CONSOLE,
            dataclasses.replace(
                a_worker(),
                nik=build_nik("327101", dt.date(1998, 2, 3), "F", 21),
                full_name="Rina Wulandari",
                birth_date=dt.date(1998, 2, 3),
                phone="081311112222",
                sponsor_id=people.sponsor_id,
            ),
        ).member.id

        daily = container.invoices.issue_month(CONSOLE, DECEMBER)
        again = container.invoices.issue_for_payer(
            CONSOLE, PayerKind.SPONSOR, people.sponsor_id, DECEMBER
        )

        [first_id] = first.issued
        # The run bills Rina apart, and Dewi (who pays for herself) her own December.
        assert (daily.invoices, again.invoices, again.already_billed) == (2, 0, 3)
        invoices = container.invoices.for_payer(CONSOLE, PayerKind.SPONSOR, people.sponsor_id)
        [supplement_id] = {i.id for i in invoices} - {first_id}
        assert supplement_id in daily.issued
        assert next(i for i in invoices if i.id == first_id).total == 41_800
        lines = container.invoices.read(CONSOLE, supplement_id).lines
        assert [(line.member_id, line.month) for line in lines] == [(rina, DECEMBER)]
