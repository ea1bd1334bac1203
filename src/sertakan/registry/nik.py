"""The NIK (Nomor Induk Kependudukan): parse, check against what was typed, build, mask.

Structure (Dukcapil): 16 digits ``PP KK CC DDMMYY SSSS`` — province, regency/city and
district where the NIK was first registered; day of birth (+40 for women), month, two-digit
year; a serial from 0001.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sertakan.kernel.errors import RuleViolation, Violation
from sertakan.registry.regions import RegionDirectory

NIK_LENGTH = 16
WOMEN_DAY_OFFSET = 40  # Dukcapil: women's day of birth is written +40
REFERENCE = "Dukcapil (NIK structure)"

Sex = Literal["M", "F"]


@dataclass(frozen=True, slots=True)
class NikParts:
    """What a NIK says about its holder."""

    district: str  # six digits, e.g. "327101" = 32.71.01; the code of the day it was issued
    birth_date: dt.date  # century chosen so the date is not after the day it was parsed
    sex: Sex
    serial: str  # four digits, "0001".."9999"


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit alone accepts "²" or Arabic-Indic digits, which are not NIK digits.
    return text.isascii() and text.isdigit()


def _violation(rule: str, message: str, message_id: str, field: str = "nik") -> Violation:
    return Violation(field, rule, message, message_id, REFERENCE)


def parse_nik(nik: str, directory: RegionDirectory, *, today: dt.date) -> NikParts:
    """Decode a NIK, or raise `RuleViolation` naming every rule it breaks.

    Spaces are ignored ("3271 0117 0890 0001"). The century of the two-digit year is the
    latest one that does not put the birth after `today` (YY=05 in 2026 -> 2005, YY=30 -> 1930).
    """
    text = "".join(nik.split())
    if len(text) != NIK_LENGTH or not _is_ascii_digits(text):
        raise RuleViolation(
            [_violation("nik.format", "NIK must be exactly 16 digits", "NIK harus 16 digit angka")]
        )
    district, day_field, month, yy, serial = (
        text[:6],
        int(text[6:8]),
        int(text[8:10]),
        int(text[10:12]),
        text[12:],
    )
    violations: list[Violation] = []
    if not directory.is_known_nik_district(district):
        violations.append(
            _violation(
                "nik.district",
                f"the district code {district} of this NIK is not in any edition of the "
                "region codes",
                f"Kode kecamatan {district} pada NIK tidak dikenal",
            )
        )
    birth_date, sex = _decode_birth(day_field, month, yy, today)
    if birth_date is None or sex is None:
        violations.append(
            _violation(
                "nik.birth_date",
                "the date of birth in this NIK (digits 7-12) is not a real date",
                "Tanggal lahir pada NIK (digit 7-12) tidak valid",
            )
        )
    if serial == "0000":
        violations.append(
            _violation(
                "nik.serial",
                "the serial number of a NIK (last 4 digits) starts at 0001",
                "Nomor urut NIK (4 digit terakhir) tidak boleh 0000",
            )
        )
    if violations:
        raise RuleViolation(violations)
    assert birth_date is not None and sex is not None  # no violation means both decoded
    return NikParts(district=district, birth_date=birth_date, sex=sex, serial=serial)


def _decode_birth(
    day_field: int, month: int, yy: int, today: dt.date
) -> tuple[dt.date | None, Sex | None]:
    # Men write the day as 01-31, women as 41-71 (Dukcapil); anything else is no date.
    sex: Sex
    if 1 <= day_field <= 31:
        sex, day = "M", day_field
    elif 1 + WOMEN_DAY_OFFSET <= day_field <= 31 + WOMEN_DAY_OFFSET:
        sex, day = "F", day_field - WOMEN_DAY_OFFSET
    else:
        return None, None
    year = today.year - today.year % 100 + yy
    for candidate in (year, year - 100):
        try:
            born = dt.date(candidate, month, day)
        except ValueError:  # 30 February, month 13, 29 February of a common year
            continue
        if born <= today:
            return born, sex
    return None, None


def check_nik_matches(parts: NikParts, *, birth_date: dt.date, sex: str) -> None:
    """Raise `RuleViolation` when the typed birth date or sex disagree with the NIK.

    Only day, month and the two-digit year are compared: the NIK does not carry the century.
    """
    if sex not in ("M", "F"):
        raise ValueError(f"sex must be 'M' or 'F', got {sex!r}")
    violations: list[Violation] = []
    encoded = parts.birth_date
    if (encoded.day, encoded.month, encoded.year % 100) != (
        birth_date.day,
        birth_date.month,
        birth_date.year % 100,
    ):
        violations.append(
            _violation(
                "nik.birth_date_mismatch",
                f"the date of birth does not match the NIK, which says {encoded:%d-%m-%Y}",
                f"Tanggal lahir tidak sesuai dengan NIK (menurut NIK: {encoded:%d-%m-%Y})",
                field="birth_date",
            )
        )
    if sex != parts.sex:
        female = parts.sex == "F"
        violations.append(
            _violation(
                "nik.sex_mismatch",
                f"the sex does not match the NIK, which says {'female' if female else 'male'}"
                " (women's day of birth is written +40)",
                "Jenis kelamin tidak sesuai dengan NIK (menurut NIK: "
                f"{'perempuan' if female else 'laki-laki'}; tanggal lahir perempuan ditulis +40)",
                field="sex",
            )
        )
    if violations:
        raise RuleViolation(violations)


def build_nik(district: str, birth_date: dt.date, sex: str, serial: int) -> str:
    """The NIK for these parts (tests and demo data). Refuses parts no NIK can carry."""
    if len(district) != 6 or not _is_ascii_digits(district):
        raise ValueError(f"district must be six digits, got {district!r}")
    if sex not in ("M", "F"):
        raise ValueError(f"sex must be 'M' or 'F', got {sex!r}")
    if not 1 <= serial <= 9999:
        raise ValueError(f"serial must be 1..9999, got {serial}")
    day = birth_date.day + (WOMEN_DAY_OFFSET if sex == "F" else 0)
    return f"{district}{day:02d}{birth_date:%m}{birth_date.year % 100:02d}{serial:04d}"


def mask_nik(nik: str) -> str:
    """The NIK with all but its first 4 and last 4 digits hidden: ``3271********0001``.

    Safe on any input: text too short to keep anything hidden is fully starred.
    """
    text = "".join(nik.split())
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]
