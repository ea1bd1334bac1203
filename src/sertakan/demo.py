"""Deterministic demo data: the Bogor Kota branch office, its sponsors and their workers.

Everything goes through the registry service, so every demo row passed the same checks as a
real enrolment. The same seed gives the same people, NIKs, KPJs and ids.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sertakan.access.actor import Actor
from sertakan.access.roles import Role
from sertakan.bootstrap import Container
from sertakan.registry.kpj import RandomKpjIssuer
from sertakan.registry.model import Branch, Sponsor
from sertakan.registry.nik import build_nik
from sertakan.registry.ports import UnitOfWork
from sertakan.registry.regions import Village
from sertakan.registry.service import EnrolmentApplication, RegistryService, SponsorApplication

BRANCH = Branch("BOGOR_KOTA", "Kantor Cabang Bogor Kota", "32.71")  # the seed article's branch

# Demo staff. The passwords are public (printed by `make run`): a demo is not a deployment.
STAFF = (
    (Role.ADMIN, "admin", "kantor-cabang-admin-2026", "Admin Sertakan"),
    (Role.OFFICER, "petugas", "loket-bogor-tengah-2026", "Rina (petugas)"),
    (Role.SUPERVISOR, "supervisor", "setujui-dengan-teliti-2026", "Budi (supervisor)"),
    (Role.AUDITOR, "auditor", "periksa-semua-jejak-2026", "Dewi (auditor)"),
    (Role.AGENT, "agen", "perisai-kampung-bogor-2026", "Agus (agen Perisai)"),
)
# Ages are drawn against a fixed day, so the data does not drift with the calendar.
AGE_REFERENCE = dt.date(2026, 1, 1)
HOUSEHOLD_SPONSORS = 36
BUSINESS_SPONSORS = 16
MIN_SELF_PAYING = 80
MIN_MEMBERS = 320

MEN = [
    "Asep",
    "Dadang",
    "Ujang",
    "Cecep",
    "Deden",
    "Jajang",
    "Endang",
    "Agus",
    "Budi",
    "Dedi",
    "Yayan",
    "Rudi",
    "Iwan",
    "Hendra",
    "Wawan",
    "Ade",
    "Dodi",
    "Ahmad",
    "Ridwan",
    "Rahmat",
    "Supriatna",
    "Teguh",
    "Bayu",
    "Fajar",
    "Rizky",
    "Dimas",
    "Ilham",
    "Maulana",
    "Yusuf",
    "Haris",
    "Andi",
    "Komar",
    "Engkos",
    "Acep",
    "Kurnia",
    "Dudung",
    "Ohim",
    "Usep",
    "Mamat",
    "Saepul",
]
WOMEN = [
    "Siti",
    "Neng",
    "Euis",
    "Imas",
    "Ela",
    "Iis",
    "Yati",
    "Cucu",
    "Enok",
    "Tati",
    "Rina",
    "Dewi",
    "Sri",
    "Nur",
    "Yanti",
    "Lilis",
    "Popon",
    "Entin",
    "Nining",
    "Wulan",
    "Fitri",
    "Ayu",
    "Rini",
    "Dian",
    "Lia",
    "Nenden",
    "Ai",
    "Ikah",
    "Titin",
    "Aisyah",
    "Ratna",
    "Yuyun",
    "Hana",
    "Ani",
]
FAMILY = [
    "Suryana",
    "Hidayat",
    "Saputra",
    "Rahmawati",
    "Permana",
    "Kusnadi",
    "Sutisna",
    "Nugraha",
    "Setiawan",
    "Hermawan",
    "Gunawan",
    "Suhendar",
    "Mulyana",
    "Rohman",
    "Sopian",
    "Firmansyah",
    "Maulida",
    "Hasanah",
    "Lestari",
    "Wulandari",
    "Sudrajat",
    "Kurniawan",
    "Ramdani",
    "Hakim",
    "Sobari",
    "Priatna",
    "Susanti",
    "Komalasari",
    "Nurhayati",
    "Kartika",
]
STREETS = (
    "Pajajaran",
    "Suryakencana",
    "Sindangbarang",
    "Cimanggu",
    "Pandu Raya",
    "Semeru",
    "Ahmad Yani",
    "Veteran",
    "Merdeka",
    "Salak",
    "Malabar",
    "Cilendek",
    "Kebon Pedes",
    "Sukasari",
    "Batutulis",
    "Lawang Gintung",
)
BUSINESSES = (
    "Warung Nasi Sunda Bu Ijah",
    "Toko Kelontong Berkah Jaya",
    "Laundry Bersih Wangi",
    "Bengkel Motor Mang Ujang",
    "Catering Dapur Ibu",
    "Siomay dan Batagor Kang Asep",
    "Toko Roti Unyil Cimanggu",
    "Konveksi Sablon Pajajaran",
    "Warung Kopi Tugu Kujang",
    "Toko Bangunan Sumber Rejeki",
    "Salon Cantik Neng Euis",
    "Percetakan Kilat Botani",
    "Rumah Makan Padang Sederhana Bogor",
    "Usaha Tahu Sumedang Pak Dedi",
    "Toko Buah Segar Suryakencana",
    "Penjahit Rapi Sindangbarang",
)
HOUSEHOLD_OCCUPATIONS = ("household_helper", "household_helper", "driver", "cleaner")
BUSINESS_OCCUPATIONS = ("micro_business_staff", "street_food_vendor", "cleaner", "courier")
SELF_OCCUPATIONS = (
    "online_driver",
    "online_driver",
    "street_food_vendor",
    "market_trader",
    "construction_labourer",
    "farmer",
    "courier",
    "driver",
    "other",
)
# Most informal workers declare the minimum (the lowest level is Rp1,000,000).
INCOMES = (
    (1_000_000, 50),
    (1_500_000, 15),
    (2_000_000, 12),
    (2_500_000, 8),
    (3_000_000, 7),
    (4_000_000, 5),
    (5_000_000, 3),
)
PHONE_PREFIXES = ("0811", "0812", "0813", "0821", "0822", "0852", "0857", "0878", "0896", "0881")


@dataclass(frozen=True)
class DemoSummary:
    branch: str
    sponsors: int
    members: int
    sponsored: int


class _People:
    """Draws people with valid, unique NIKs and phones from one seeded generator."""

    def __init__(self, rng: random.Random, container: Container) -> None:
        self.rng = rng
        self.villages = container.regions.villages_in(BRANCH.region_prefix)
        # A NIK keeps the district where it was first issued: most were issued in Bogor,
        # some elsewhere in West and Central Java before the person moved.
        self.home_districts = sorted({v.district.code.replace(".", "") for v in self.villages})
        self.other_districts = [
            code
            for code in container.regions.district_codes_all_editions()
            if code.startswith(("3201", "3203", "3301", "3302"))
        ]
        self.used_niks: set[str] = set()
        self.used_phones: set[str] = set()

    def person(self, min_age: int = 18, max_age: int = 60) -> tuple[str, str, dt.date, str]:
        sex = self.rng.choice("MF")
        first = self.rng.choice(MEN if sex == "M" else WOMEN)
        name = f"{first} {self.rng.choice(FAMILY)}"
        age_days = self.rng.randint(min_age * 366, max_age * 365)
        birth = AGE_REFERENCE - dt.timedelta(days=age_days)
        while True:
            pool = self.other_districts if self.rng.random() < 0.15 else self.home_districts
            district = self.rng.choice(pool or self.home_districts)
            nik = build_nik(district, birth, sex, self.rng.randint(1, 2500))
            if nik not in self.used_niks:
                self.used_niks.add(nik)
                return nik, name, birth, sex

    def phone(self) -> str:
        while True:
            number = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randint(0, 99_999_999):08d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def village(self) -> Village:
        return self.rng.choice(self.villages)

    def address(self) -> str:
        street = self.rng.choice(STREETS)
        return (
            f"Jl. {street} No. {self.rng.randint(1, 250)}, "
            f"RT {self.rng.randint(1, 12):02d}/RW {self.rng.randint(1, 15):02d}"
        )

    def income(self) -> int:
        levels = [level for level, _ in INCOMES]
        weights = [weight for _, weight in INCOMES]
        choice: int = self.rng.choices(levels, weights=weights)[0]
        return choice

    def programs(self) -> tuple[str, ...]:
        return ("JKK", "JKM", "JHT") if self.rng.random() < 0.4 else ("JKK", "JKM")


def load_demo(container: Container, *, seed: int = 2024) -> DemoSummary:
    rng = random.Random(seed)
    registry = RegistryService(
        container.uow,
        container.params,
        container.regions,
        container.clock,
        RandomKpjIssuer(random.Random(seed + 1)),
        container.access,
        ids=_seeded_ids(random.Random(seed + 2)),
    )
    registry.add_branch(BRANCH)
    console = Actor.console("demo")
    for role, username, password, display_name in STAFF:
        container.access.create_staff_account(
            console,
            role=role,
            username=username,
            password=password,
            display_name=display_name,
            branch_code=BRANCH.code if role.is_branch_staff else None,
        )
    people = _People(rng, container)
    sponsored = members = 0

    def enrol(occupation: str, sponsor_id: str | None) -> None:
        nonlocal members
        nik, name, birth, sex = people.person()
        village = people.village()
        registry.enrol_member(
            console,
            EnrolmentApplication(
                nik=nik,
                full_name=name,
                birth_date=birth,
                sex=sex,
                phone=people.phone(),
                region_code=village.code,
                address=people.address(),
                occupation=occupation,
                declared_income=people.income(),
                programs=people.programs(),
                sponsor_id=sponsor_id,
            ),
        )
        members += 1

    sponsors = 0
    for index in range(HOUSEHOLD_SPONSORS + BUSINESS_SPONSORS):
        is_business = index >= HOUSEHOLD_SPONSORS
        nik, name, _birth, _sex = people.person(min_age=25, max_age=70)
        village = people.village()
        # Loaded by the console, which registers without the phone's sign-up code (as it
        # records consent without the worker's): its operator holds the database already.
        # Sponsors signing up on /sponsor/baru or the API prove their phone (issue 12).
        sponsor = registry.register_sponsor(
            console,
            SponsorApplication(
                kind="business" if is_business else "person",
                name=BUSINESSES[index - HOUSEHOLD_SPONSORS] if is_business else name,
                phone=people.phone(),
                region_code=village.code,
                address=people.address(),
                nik=None if is_business else nik,
                nib=f"{rng.randint(10**12, 10**13 - 1)}" if is_business else None,
            ),
        )
        sponsors += 1
        count = rng.randint(4, 10) if is_business else rng.randint(1, 5)
        for _ in range(count):
            pool = BUSINESS_OCCUPATIONS if is_business else HOUSEHOLD_OCCUPATIONS
            enrol(rng.choice(pool), sponsor.id)
            sponsored += 1
    for _ in range(max(MIN_SELF_PAYING, MIN_MEMBERS - members)):
        enrol(rng.choice(SELF_OCCUPATIONS), None)
    return DemoSummary(BRANCH.name, sponsors, members, sponsored)


@dataclass(frozen=True, slots=True)
class Login:
    role: Role
    how: str  # what to type where


def demo_logins(container: Container) -> list[Login]:
    """One way in per role, for `make run` to print. Phone sign-ins print their code on the
    server console (the default message provider)."""
    logins = [
        Login(role, f"http://127.0.0.1:8000/masuk  {username} / {password}")
        for role, username, password, _ in STAFF
    ]
    with container.uow() as uow:
        sponsor = login_sponsor(uow)
        if sponsor is None:
            return logins
        worker = uow.members.get(uow.sponsorships.for_sponsor(sponsor.id)[0].member_id)
    logins.append(Login(Role.SPONSOR, f"http://127.0.0.1:8000/masuk/hp  {sponsor.phone}"))
    if worker is not None:
        logins.append(Login(Role.WORKER, f"http://127.0.0.1:8000/masuk/hp  {worker.phone}"))
    return logins


def login_sponsor(uow: UnitOfWork) -> Sponsor | None:
    """The sponsor whose phone `demo logins` prints: the first by name with a worker (the demo
    leaves their invoice unpaid, for a new user to pay)."""
    return next((s for s in uow.sponsors.list(200) if uow.sponsorships.for_sponsor(s.id)), None)


def _seeded_ids(rng: random.Random) -> Callable[[], str]:
    return lambda: uuid.UUID(int=rng.getrandbits(128), version=4).hex
