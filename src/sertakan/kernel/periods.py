"""Contribution months: BPU contributions are owed per calendar month (PP 44/2015, rule R3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, order=True, slots=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, got {self.month}")

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse `YYYY-MM`."""
        try:
            year, month = text.split("-")
            return cls(int(year), int(month))
        except ValueError as exc:
            raise ValueError(f"expected a month as YYYY-MM, got {text!r}") from exc

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return self.next().first_day - dt.timedelta(days=1)

    def next(self) -> Month:
        return self.plus(1)

    def plus(self, months: int) -> Month:
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def name_id(self) -> str:
        """The month as Indonesians write it: ``Desember 2026``."""
        return f"{MONTH_NAMES_ID[self.month - 1]} {self.year}"

    @property
    def short_name_id(self) -> str:
        """Abbreviated, for an SMS: ``Des 2026``."""
        return f"{MONTH_NAMES_ID_SHORT[self.month - 1]} {self.year}"


# Indonesian month names, for the texts written in Bahasa Indonesia outside the web pages
# (which spell dates with Babel): legal references, coverage reasons, SMS.
MONTH_NAMES_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
MONTH_NAMES_ID_SHORT = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Mei",
    "Jun",
    "Jul",
    "Agu",
    "Sep",
    "Okt",
    "Nov",
    "Des",
)


def date_id(day: dt.date) -> str:
    """``31 Desember 2026``."""
    return f"{day.day} {MONTH_NAMES_ID[day.month - 1]} {day.year}"


def short_date_id(day: dt.date) -> str:
    """``31 Des 2026``."""
    return f"{day.day} {MONTH_NAMES_ID_SHORT[day.month - 1]} {day.year}"


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Completed years of age on `day`."""
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)
