"""Request bodies for the people the API tests enrol: a worker and a household sponsor.

One home for them (three test modules each had their own copy); a test passes only what its
story changes: `worker(full_name="...")`, `household(phone=...)`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sertakan.registry.nik import build_nik

_BIRTH = dt.date(1990, 8, 17)


def worker(**changes: Any) -> dict[str, Any]:
    """Siti, a household helper of Bogor Tengah, with all three programmes."""
    body: dict[str, Any] = {
        "nik": build_nik("327101", dt.date(1990, 8, 17), "F", 12),
        "full_name": "Siti Rahmawati",
        "birth_date": "1990-08-17",
        "sex": "F",
        "phone": "0812-3456-7890",
        "region_code": "32.71.01.1001",
        "occupation": "household_helper",
        "declared_income": 1_000_000,
        "programs": ["JKK", "JKM", "JHT"],
    }
    return body | changes


def household(**changes: Any) -> dict[str, Any]:
    """Ibu Ratna, a household that sponsors a worker (registered with her NIK)."""
    body: dict[str, Any] = {
        "kind": "person",
        "name": "Ibu Ratna Kartika",
        "phone": "081298765432",
        "region_code": "32.71.01.1001",
        "address": "Jl. Salak 2",
        "nik": build_nik("327101", dt.date(1970, 1, 5), "F", 3),
    }
    return body | changes


def enrolment_form(serial: int = 12, **changes: Any) -> dict[str, Any]:
    """A valid enrolment form, as the browser posts it (region chosen down to the village)."""
    form: dict[str, Any] = {
        "nik": build_nik("327101", _BIRTH, "F", serial),
        "full_name": "Siti Rahmawati",
        "birth_date": _BIRTH.isoformat(),
        "sex": "F",
        "phone": "0812-3456-7890",
        "provinsi": "32",
        "kabupaten": "32.71",
        "kecamatan": "32.71.01",
        "region_code": "32.71.01.1001",
        "address": "Jl. Pajajaran No. 5",
        "occupation": "household_helper",
        "declared_income": "1000000",
        "programs": ["JKK", "JKM"],
    }
    form.update(changes)
    return form
