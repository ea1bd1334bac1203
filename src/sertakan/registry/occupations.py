"""The occupations a member can declare, and the PP 50/2025 sector each belongs to.

The sector decides which months of the PP 50/2025 JKK+JKM discount apply (rule R2):
the transport sector (ojol, ojek pangkalan, drivers, couriers) has Jan 2026 - Mar 2027, every
other informal worker Apr 2026 - Dec 2026.
"""

from __future__ import annotations

from dataclasses import dataclass

from sertakan.kernel.errors import RuleViolation
from sertakan.regulation.codes import Sector


@dataclass(frozen=True, slots=True)
class Occupation:
    code: str  # stable, stored on the member
    label_en: str
    label_id: str  # Bahasa Indonesia, shown first
    sector: Sector


# Display order: the SERTAKAN movement's typical workers first, "other" last.
_OCCUPATIONS: tuple[Occupation, ...] = (
    Occupation("household_helper", "Household helper", "Asisten rumah tangga", Sector.OTHER),
    Occupation(
        "driver",
        "Driver (incl. ojek pangkalan)",
        "Sopir/pengemudi (termasuk ojek pangkalan)",
        Sector.TRANSPORT,
    ),
    Occupation(
        "online_driver",
        "Online ride-hailing driver (ojol)",
        "Pengemudi ojek online (ojol)",
        Sector.TRANSPORT,
    ),
    Occupation("courier", "Courier", "Kurir", Sector.TRANSPORT),
    Occupation(
        "street_food_vendor", "Street-food vendor", "Pedagang makanan keliling", Sector.OTHER
    ),
    Occupation("market_trader", "Market trader", "Pedagang pasar", Sector.OTHER),
    Occupation("cleaner", "Cleaner", "Petugas kebersihan", Sector.OTHER),
    Occupation(
        "construction_labourer",
        "Daily construction labourer",
        "Buruh bangunan harian",
        Sector.OTHER,
    ),
    Occupation("farmer", "Farmer", "Petani", Sector.OTHER),
    Occupation("fisher", "Fisher", "Nelayan", Sector.OTHER),
    Occupation(
        "micro_business_staff",
        "Micro-business (UMKM) staff",
        "Pekerja usaha mikro (UMKM)",
        Sector.OTHER,
    ),
    Occupation("other", "Other", "Lainnya", Sector.OTHER),
)
_BY_CODE = {item.code: item for item in _OCCUPATIONS}


def all_occupations() -> tuple[Occupation, ...]:
    """Every occupation, in the order a form lists them."""
    return _OCCUPATIONS


def occupation(code: str) -> Occupation:
    """The occupation with this code, or `RuleViolation` on field "occupation"."""
    found = _BY_CODE.get(code)
    if found is None:
        raise RuleViolation.single(
            "occupation",
            "occupation.unknown",
            f"unknown occupation {code!r}",
            "Pekerjaan tidak dikenal; pilih dari daftar",
        )
    return found
