"""A branch office with sponsors, their workers and a month's invoices, built through the
services, for the payment tests (concurrency, crashes, interleavings) and the notices bench.

    invoices = open_office(container, sponsors=2, workers_each=3, self_paying=1)

Every worker and sponsor gets a distinct NIK and phone (`serial` offsets them, so one database
can take several offices); the month is issued with `issue_month`, and the open invoices of
that month come back, sponsors' first.
"""

from __future__ import annotations

import datetime as dt

from sertakan.billing.model import Invoice, PayerKind
from sertakan.bootstrap import Container
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.kernel.periods import Month
from sertakan.registry.model import Branch
from sertakan.registry.nik import build_nik
from sertakan.registry.service import EnrolmentApplication, SponsorApplication
from tests.support.auth import CONSOLE

MONTH = Month(2026, 12)
OPENED = dt.datetime(2026, 12, 1, 8, 0, tzinfo=WIB)  # the month is billed on this morning
# A minute after: a payment is never older than its invoice nor later than its notice.
PAID_AT = OPENED + dt.timedelta(minutes=1)
BRANCH = Branch("BOGOR_KOTA", "Kantor Cabang Bogor Kota", "32.71")
_BORN = dt.date(1990, 8, 17)
_OCCUPATIONS = ("household_helper", "driver", "street_food_vendor", "cleaner")


def office_clock() -> FixedClock:
    return FixedClock(OPENED)


def phone(n: int) -> str:
    """Distinct valid Indonesian mobile numbers: 0812-5xxx-xxxx."""
    return f"08125{n:07d}"


def open_office(
    container: Container,
    *,
    sponsors: int,
    workers_each: int,
    self_paying: int = 0,
    serial: int = 0,
    month: Month = MONTH,
) -> list[Invoice]:
    """Enrol `sponsors` sponsors with `workers_each` workers each and `self_paying` workers
    who pay for themselves, issue `month`, and return its open invoices (sponsors' first)."""
    actor = CONSOLE
    container.registry.add_branch(BRANCH)
    n = serial
    sponsor_ids: list[str] = []
    worker_ids: list[str] = []
    for _ in range(sponsors):
        n += 1
        sponsor = container.registry.register_sponsor(
            actor,
            SponsorApplication(
                kind="person",
                name=f"Ibu Ratna {n}",
                phone=phone(n),
                region_code="32.71.01.1001",
                address="Jl. Salak 2",
                nik=build_nik("327101", dt.date(1970, 1, 5), "F", n),
            ),
        )
        sponsor_ids.append(sponsor.id)
        for _ in range(workers_each):
            n += 1
            worker_ids.append(_enrol(container, n, sponsor.id))
    for _ in range(self_paying):
        n += 1
        worker_ids.append(_enrol(container, n, None))
    container.invoices.issue_month(actor, month)
    found: list[Invoice] = []
    for sponsor_id in sponsor_ids:
        found += container.invoices.for_payer(actor, PayerKind.SPONSOR, sponsor_id)
    for worker_id in worker_ids:
        found += container.invoices.for_payer(actor, PayerKind.MEMBER, worker_id)
    return [invoice for invoice in found if invoice.month == month and invoice.is_open]


def _enrol(container: Container, n: int, sponsor_id: str | None) -> str:
    card = container.registry.enrol_member(
        CONSOLE,
        EnrolmentApplication(
            nik=build_nik("327102", _BORN, "M" if n % 2 else "F", n),
            full_name=f"Pekerja {n}",
            birth_date=_BORN,
            sex="M" if n % 2 else "F",
            phone=phone(n),
            region_code="32.71.01.1001",
            address="Jl. Pajajaran No. 5",
            occupation=_OCCUPATIONS[n % len(_OCCUPATIONS)],
            declared_income=1_000_000 + 500_000 * (n % 5),
            programs=("JKK", "JKM", "JHT") if n % 3 else ("JKK", "JKM"),
            sponsor_id=sponsor_id,
        ),
    )
    return card.member.id
