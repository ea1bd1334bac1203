"""The world of a test in one line, built through the public services (the registry, the
invoices, the payments), never through repositories:

    a_worker(full_name="Rina")               # Siti's application with what the story changes
    a_sponsor(phone="081311112222")          # Ibu Ratna's
    an_office(container, sponsors=2, workers_each=3, self_paying=1, paid_months=2)
    a_member_with_paid_months(container, 3)
    open_small_office(container)             # Ibu Ratna pays for Siti and Asep; Dewi herself
    open_two_sponsor_office(container)       # and Pak Hadi pays for Budi

`an_office` numbers its people (`Pekerja 7`, `Ibu Ratna 6`): each gets a distinct NIK and
phone, and `serial` offsets them so one database can take several offices. The small office
is the named story of the billing tests, in Kota Bogor.

One home for what six test modules each built their own way (issue 13, point 6).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, func, select

from sertakan.access.roles import Role
from sertakan.billing.model import Invoice, NoticeOutcome, PayerKind
from sertakan.bootstrap import Container
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.kernel.periods import Month
from sertakan.registry.model import Branch
from sertakan.registry.nik import build_nik
from sertakan.registry.service import EnrolmentApplication, SponsorApplication
from tests.support.auth import CONSOLE, make_staff
from tests.support.notices import notice_body, signed

MONTH = Month(2026, 12)
OPENED = dt.datetime(2026, 12, 1, 8, 0, tzinfo=WIB)  # the month is billed on this morning
# A minute after: a payment is never older than its invoice nor later than its notice.
PAID_AT = OPENED + dt.timedelta(minutes=1)
BRANCH = Branch("BOGOR_KOTA", "Kantor Cabang Bogor Kota", "32.71")
BATU_TULIS = "32.71.01.1001"
_BORN = dt.date(1990, 8, 17)
_OCCUPATIONS = ("household_helper", "driver", "street_food_vendor", "cleaner")


def office_clock() -> FixedClock:
    return FixedClock(OPENED)


def phone(n: int) -> str:
    """Distinct valid Indonesian mobile numbers: 0812-5xxx-xxxx."""
    return f"08125{n:07d}"


# -- people ------------------------------------------------------------------------------------


def a_worker(**changes: Any) -> EnrolmentApplication:
    """Siti Rahmawati, a household helper of Batu Tulis (Kota Bogor) with all three
    programmes, paying for herself unless `sponsor_id` is given."""
    siti = EnrolmentApplication(
        nik=build_nik("327101", _BORN, "F", 12),
        full_name="Siti Rahmawati",
        birth_date=_BORN,
        sex="F",
        phone="081234567890",
        region_code=BATU_TULIS,
        address="Jl. Pajajaran No. 5",
        occupation="household_helper",
        declared_income=1_000_000,
        programs=("JKK", "JKM", "JHT"),
    )
    return dataclasses.replace(siti, **changes)


def a_sponsor(**changes: Any) -> SponsorApplication:
    """Ibu Ratna, a household of Batu Tulis, registered with her NIK."""
    ratna = SponsorApplication(
        kind="person",
        name="Ibu Ratna",
        phone="081298765432",
        region_code=BATU_TULIS,
        address="Jl. Salak 2",
        nik=build_nik("327101", dt.date(1970, 1, 5), "F", 3),
    )
    return dataclasses.replace(ratna, **changes)


def a_numbered_worker(n: int, sponsor_id: str | None = None) -> EnrolmentApplication:
    """Pekerja `n`: sex, occupation, income and programmes vary with `n`."""
    sex = "M" if n % 2 else "F"
    return a_worker(
        nik=build_nik("327102", _BORN, sex, n),
        full_name=f"Pekerja {n}",
        sex=sex,
        phone=phone(n),
        occupation=_OCCUPATIONS[n % len(_OCCUPATIONS)],
        declared_income=1_000_000 + 500_000 * (n % 5),
        programs=("JKK", "JKM", "JHT") if n % 3 else ("JKK", "JKM"),
        sponsor_id=sponsor_id,
    )


def a_numbered_sponsor(n: int) -> SponsorApplication:
    return a_sponsor(
        name=f"Ibu Ratna {n}",
        phone=phone(n),
        nik=build_nik("327101", dt.date(1970, 1, 5), "F", n),
    )


def open_branch(container: Container, *staff: Role) -> None:
    """The Bogor Kota branch (idempotent) and an account for each of `staff`, named after
    the role (`make_staff`)."""
    container.registry.add_branch(BRANCH)
    for role in staff:
        make_staff(container, role)


def enrol(container: Container, application: EnrolmentApplication) -> str:
    """Enrol as the console; the member's id."""
    return container.registry.enrol_member(CONSOLE, application).member.id


def register(container: Container, application: SponsorApplication) -> str:
    """Register as the console; the sponsor's id."""
    return container.registry.register_sponsor(CONSOLE, application).id


# -- an office of numbered people ----------------------------------------------------------------


@dataclass(frozen=True)
class Office:
    """What `an_office` built: ids of its sponsors and workers (each sponsor's workers in
    order, then the self-paying), the open invoices of the month (sponsors' first), and the
    invoices it paid for the months before."""

    container: Container
    sponsors: list[str]
    workers: list[str]
    invoices: list[Invoice]
    paid: list[Invoice] = field(default_factory=list)


def an_office(
    container: Container,
    *,
    sponsors: int,
    workers_each: int,
    self_paying: int = 0,
    paid_months: int = 0,
    serial: int = 0,
    month: Month = MONTH,
) -> Office:
    """Enrol `sponsors` sponsors with `workers_each` workers each and `self_paying` workers who
    pay for themselves, then issue `month`, left open.

    With `paid_months`, the people enrol that many months earlier and each of those months is
    issued and paid in full on its first day (one signed notice per invoice, as the gateway
    sends it): the container's clock, a FixedClock, is moved back for it and put back."""
    clock = container.clock
    now = clock.now()
    if paid_months:
        assert isinstance(clock, FixedClock), "paid months need the container's FixedClock"
        clock.moment = _first_day(month.plus(-paid_months), now)
    container.registry.add_branch(BRANCH)  # idempotent: a second office shares it
    n = serial
    sponsor_ids: list[str] = []
    payers: list[tuple[PayerKind, str]] = []
    worker_ids: list[str] = []
    for _ in range(sponsors):
        n += 1
        sponsor_id = register(container, a_numbered_sponsor(n))
        sponsor_ids.append(sponsor_id)
        payers.append((PayerKind.SPONSOR, sponsor_id))
        for _ in range(workers_each):
            n += 1
            worker_ids.append(enrol(container, a_numbered_worker(n, sponsor_id)))
    for _ in range(self_paying):
        n += 1
        member_id = enrol(container, a_numbered_worker(n))
        worker_ids.append(member_id)
        payers.append((PayerKind.MEMBER, member_id))
    paid: list[Invoice] = []
    for back in range(paid_months, 0, -1):
        earlier = month.plus(-back)
        assert isinstance(clock, FixedClock)
        clock.moment = _first_day(earlier, now)
        container.invoices.issue_month(CONSOLE, earlier)
        paid += _pay_all(container, _of_month(container, payers, earlier), serial)
    if isinstance(clock, FixedClock):
        clock.moment = now
    container.invoices.issue_month(CONSOLE, month)
    return Office(container, sponsor_ids, worker_ids, _of_month(container, payers, month), paid)


def _first_day(month: Month, at: dt.datetime) -> dt.datetime:
    """The month's first day at the time of day of `at`."""
    return dt.datetime.combine(month.first_day, at.timetz())


def a_member_with_paid_months(
    container: Container, paid_months: int, *, serial: int = 0, month: Month = MONTH
) -> Office:
    """One worker paying for herself whose `paid_months` months before `month` are paid, and
    `month` open: `office.workers[0]`, `office.paid`, `office.invoices`."""
    return an_office(
        container,
        sponsors=0,
        workers_each=0,
        self_paying=1,
        paid_months=paid_months,
        serial=serial,
        month=month,
    )


def _of_month(
    container: Container, payers: list[tuple[PayerKind, str]], month: Month
) -> list[Invoice]:
    found: list[Invoice] = []
    for kind, payer_id in payers:
        found += container.invoices.for_payer(CONSOLE, kind, payer_id)
    return [invoice for invoice in found if invoice.month == month and invoice.is_open]


def _pay_all(container: Container, invoices: list[Invoice], serial: int) -> list[Invoice]:
    """Each invoice paid in full by the gateway's signed notice, as the API receives it."""
    for invoice in invoices:
        transaction = f"SBX-BUILT-{serial}-{invoice.number}"
        body = notice_body(invoice.number, invoice.total, transaction, container.clock.now())
        result = container.payments.receive(body, signed(body))
        assert result.outcome is NoticeOutcome.APPLIED, result
    return invoices


# -- the small office of the billing tests --------------------------------------------------------


@dataclass
class SmallOffice:
    """Ibu Ratna sponsors Siti and Asep; Dewi pays for herself. A test's own office extends
    it with what its story needs (a reminder service, signed-in browsers)."""

    container: Container
    sponsor_id: str
    siti: str
    asep: str
    dewi: str

    @property
    def clock(self) -> FixedClock:
        """The container's clock, which the tests move (`clock.moment = ...`)."""
        clock = self.container.clock
        assert isinstance(clock, FixedClock), "the office's container needs a FixedClock"
        return clock

    def invoice(self, kind: PayerKind, payer_id: str) -> Invoice:
        """The payer's one invoice (the test issued one month)."""
        [found] = self.container.invoices.for_payer(CONSOLE, kind, payer_id)
        return found

    @property
    def sponsor_invoice(self) -> Invoice:
        return self.invoice(PayerKind.SPONSOR, self.sponsor_id)

    @property
    def dewi_invoice(self) -> Invoice:
        return self.invoice(PayerKind.MEMBER, self.dewi)

    def count(self, table: Table) -> int:
        with self.container.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def asep(sponsor_id: str, phone: str) -> EnrolmentApplication:
    """Asep Suryana, a driver sponsored by `sponsor_id`, JKK and JKM only."""
    return a_worker(
        nik=build_nik("327102", dt.date(1985, 3, 1), "M", 7),
        full_name="Asep Suryana",
        birth_date=dt.date(1985, 3, 1),
        sex="M",
        phone=phone,
        occupation="driver",
        declared_income=2_000_000,
        programs=("JKK", "JKM"),
        sponsor_id=sponsor_id,
    )


def dewi(region_code: str = BATU_TULIS) -> EnrolmentApplication:
    """Dewi Lestari, who pays for herself."""
    return a_worker(
        nik=build_nik("327103", dt.date(1995, 5, 2), "F", 9),
        full_name="Dewi Lestari",
        birth_date=dt.date(1995, 5, 2),
        phone="085712345678",
        region_code=region_code,
    )


def open_small_office(
    container: Container,
    *,
    staff: tuple[Role, ...] = (),
    asep_phone: str | None = None,
    dewi_region: str = BATU_TULIS,
) -> SmallOffice:
    """Add the Bogor Kota branch (unless the container has it), its `staff` accounts, then
    Ibu Ratna, Siti, Asep and Dewi. Nothing is billed; the clock is the container's.

    Asep shares Siti's phone unless given his own; Dewi lives in Batu Tulis unless told
    otherwise (`32.71.01.1002` is Bondongan)."""
    open_branch(container, *staff)
    sponsor_id = register(container, a_sponsor())
    siti = enrol(container, a_worker(sponsor_id=sponsor_id))
    asep_id = enrol(container, asep(sponsor_id, asep_phone or a_worker().phone))
    dewi_id = enrol(container, dewi(dewi_region))
    return SmallOffice(container, sponsor_id, siti, asep_id, dewi_id)


@dataclass
class TwoSponsorOffice(SmallOffice):
    """The small office and Pak Hadi, who sponsors Budi."""

    other_sponsor_id: str
    budi: str


def open_two_sponsor_office(
    container: Container, *, asep_phone: str = "081277778888"
) -> TwoSponsorOffice:
    """`open_small_office` (Asep with a phone of his own) and Pak Hadi sponsoring Budi."""
    small = open_small_office(container, asep_phone=asep_phone)
    hadi = register(
        container,
        a_sponsor(
            name="Pak Hadi",
            phone="081311112222",
            nik=build_nik("327101", dt.date(1970, 1, 5), "F", 4),
        ),
    )
    budi = enrol(
        container,
        a_worker(
            nik=build_nik("327104", dt.date(1988, 2, 3), "M", 5),
            full_name="Budi Santoso",
            birth_date=dt.date(1988, 2, 3),
            sex="M",
            phone="081355556666",
            sponsor_id=hadi,
        ),
    )
    return TwoSponsorOffice(**vars(small), other_sponsor_id=hadi, budi=budi)


WORKER_PHONE = "+6281234567890"


def sponsored_worker(container: Container) -> str:
    """Siti (phone WORKER_PHONE, JKK and JKM) sponsored by Ibu Ratna; her member id."""
    sponsor = container.registry.register_sponsor(
        CONSOLE,
        a_sponsor(address=""),
    )
    card = container.registry.enrol_member(
        CONSOLE,
        a_worker(
            phone=WORKER_PHONE,
            programs=("JKK", "JKM"),
            sponsor_id=sponsor.id,
            address="",
        ),
    )
    return card.member.id
