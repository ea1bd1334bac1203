"""The office of the API tests, on the container of tests/api/conftest.py (its clock pinned to
2026-11-25 09:00 WIB): in Kota Bogor, Ibu Ratna sponsors Siti and Asep, Dewi pays for herself,
Pak Hadi sponsors Budi (`open_two_sponsor_office`); November 2026 is issued.

    office = open_office(container)
    send(anonymous, notice_body(office.dewi_invoice.number, ..., PAID_AT))
"""

from __future__ import annotations

import datetime as dt

from sertakan.bootstrap import Container
from sertakan.kernel.clock import WIB
from sertakan.kernel.periods import Month
from tests.support.auth import CONSOLE
from tests.support.builders import TwoSponsorOffice, open_two_sponsor_office

NOVEMBER = Month(2026, 11)
# The pinned clock: the invoices are issued then, and a payment cannot be older than its
# invoice nor later than when its notice arrives (`applying.misfit`).
PAID_AT = dt.datetime(2026, 11, 25, 9, 0, tzinfo=WIB)
SPONSOR_PHONE = "+6281298765432"
OTHER_SPONSOR_PHONE = "+6281311112222"
SITI_PHONE = "+6281234567890"
DEWI_PHONE = "+6285712345678"

Office = TwoSponsorOffice


def open_office(container: Container, *, issue: bool = True) -> Office:
    """Enrol the office through the services (as the console) and issue November 2026."""
    office = open_two_sponsor_office(container)
    if issue:
        container.invoices.issue_month(CONSOLE, NOVEMBER)
    return office
