"""Member rows for the batch tests, in the member contract's columns (Arrow).

A row is valid for the registry unless the test says otherwise: a real village, a NIK built by
the registry for that district, birth date and sex. The sector of a row is chosen through its
occupation, as the registry derives it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from sertakan.analytics.member_rows import MEMBER_ARROW_SCHEMA
from sertakan.registry.nik import build_nik

VILLAGE = "32.71.01.1001"  # Paledang, Bogor Tengah, Kota Bogor
DISTRICT = "327101"
OCCUPATION_OF_SECTOR = {"transport": "online_driver", "other": "household_helper"}


@dataclass
class Row:
    member_id: str
    declared_income: int = 1_000_000
    programs: str = "JKK,JKM"
    occupation: str = "household_helper"
    publicly_funded: bool = False
    sex: str = "F"
    birth_date: dt.date = dt.date(1990, 8, 17)
    region_code: str = VILLAGE
    enrolled_on: dt.date = dt.date(2015, 7, 1)
    sponsor_id: str | None = None
    nik: str | None = None
    serial: int = 1
    extra: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        nik = self.nik
        if nik is None:
            nik = build_nik(DISTRICT, self.birth_date, self.sex, self.serial)
        return {
            "member_id": self.member_id,
            "nik": nik,
            "sex": self.sex,
            "birth_date": self.birth_date,
            "region_code": self.region_code,
            "occupation": self.occupation,
            "declared_income": self.declared_income,
            "programs": self.programs,
            "publicly_funded": self.publicly_funded,
            "sponsor_id": self.sponsor_id,
            "enrolled_on": self.enrolled_on,
        }


def occupation_for(sector: str) -> str:
    """The occupation that puts a member in `sector`; an unknown sector stays unknown."""
    return OCCUPATION_OF_SECTOR.get(sector, sector)


def arrow_table(rows: Sequence[Row]) -> pa.Table:
    schema = pa.schema([f.with_nullable(True) for f in MEMBER_ARROW_SCHEMA])
    return pa.Table.from_pylist([row.record() for row in rows], schema=schema)
