"""The small branch office of the billing tests, built through the services: in Kota Bogor,
Ibu Ratna pays for Siti (household helper) and Asep (a driver); Dewi pays for herself.

    people = open_small_office(container)
    people.sponsor_id, people.siti, people.asep, people.dewi

Nothing is billed; the clock is whatever the container was given.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sertakan.access.roles import Role
from sertakan.bootstrap import Container
from sertakan.registry.nik import build_nik
from sertakan.registry.service import EnrolmentApplication, SponsorApplication
from tests.support.auth import CONSOLE, make_staff
from tests.support.payment_office import BRANCH

SITI = EnrolmentApplication(
    nik=build_nik("327101", dt.date(1990, 8, 17), "F", 12),
    full_name="Siti Rahmawati",
    birth_date=dt.date(1990, 8, 17),
    sex="F",
    phone="081234567890",
    region_code="32.71.01.1001",  # Batu Tulis
    address="Jl. Pajajaran No. 5",
    occupation="household_helper",
    declared_income=1_000_000,
    programs=("JKK", "JKM", "JHT"),
)
RATNA = SponsorApplication(
    kind="person",
    name="Ibu Ratna",
    phone="081298765432",
    region_code="32.71.01.1001",
    address="Jl. Salak 2",
    nik=build_nik("327101", dt.date(1970, 1, 5), "F", 3),
)


@dataclass(frozen=True)
class SmallOffice:
    """The ids of the office's people."""

    sponsor_id: str
    siti: str
    asep: str
    dewi: str  # pays for herself


def open_small_office(
    container: Container,
    *,
    staff: tuple[Role, ...] = (),
    asep_phone: str = SITI.phone,
    dewi_region: str = SITI.region_code,
) -> SmallOffice:
    """Add the Bogor Kota branch, its `staff` accounts, then Ibu Ratna, Siti, Asep and Dewi.

    Asep shares Siti's phone unless given his own; Dewi lives in Batu Tulis unless told
    otherwise (`32.71.01.1002` is Bondongan)."""
    container.registry.add_branch(BRANCH)
    for role in staff:
        make_staff(container, role)
    sponsor = container.registry.register_sponsor(CONSOLE, RATNA)
    siti = container.registry.enrol_member(
        CONSOLE, dataclasses.replace(SITI, sponsor_id=sponsor.id)
    )
    asep = container.registry.enrol_member(
        CONSOLE,
        dataclasses.replace(
            SITI,
            nik=build_nik("327102", dt.date(1985, 3, 1), "M", 7),
            full_name="Asep Suryana",
            birth_date=dt.date(1985, 3, 1),
            sex="M",
            phone=asep_phone,
            occupation="driver",
            declared_income=2_000_000,
            programs=("JKK", "JKM"),
            sponsor_id=sponsor.id,
        ),
    )
    dewi = container.registry.enrol_member(
        CONSOLE,
        dataclasses.replace(
            SITI,
            nik=build_nik("327103", dt.date(1995, 5, 2), "F", 9),
            full_name="Dewi Lestari",
            birth_date=dt.date(1995, 5, 2),
            phone="085712345678",
            region_code=dewi_region,
        ),
    )
    return SmallOffice(sponsor.id, siti.member.id, asep.member.id, dewi.member.id)
