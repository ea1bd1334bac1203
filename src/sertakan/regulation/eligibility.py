"""Who may enrol: the BPU registration age (`bpu/eligibility.yaml`, policy P6). Pure functions."""

from __future__ import annotations

import datetime as dt

from sertakan.kernel.errors import RuleViolation
from sertakan.kernel.periods import age_on
from sertakan.regulation.loader import Parameters


def check_bpu_enrolment_age(params: Parameters, birth_date: dt.date, on: dt.date) -> None:
    """Refuse an enrolment on `on` unless the person's age is within bpu/eligibility.yaml.

    The limit exists (Perdir 22/PERDIR.02/072022) but its value was not seen: the bounds are
    project policy P6 of docs/rules.md (15 inclusive to 65 exclusive), marked uncertain.
    """
    limits = params.bpu.eligibility.value_on(on)
    low, high = limits.value.min_age, limits.value.max_age_exclusive
    age = age_on(birth_date, on)
    if low <= age < high:
        return
    raise RuleViolation.single(
        "birth_date",
        "bpu.eligibility.age",
        f"Age at enrolment must be from {low} to under {high}; on {on.isoformat()} "
        f"the person is {age}",
        f"Usia saat mendaftar harus {low} sampai di bawah {high} tahun",
        limits.reference,
    )
