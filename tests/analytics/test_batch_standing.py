"""The batch standing (Ibis, on DuckDB and on PySpark) equals the scalar rule
`regulation.standing.standing_on` for every member of random payment histories: R3
(docs/rules.md), the same parameters compiled twice."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sertakan.analytics.batch_standing import BATCH_STATUSES, PaidMonths, standing_table
from sertakan.analytics.nation_report import STATUS_COLUMNS
from sertakan.analytics.nation_sources import read_dataset
from sertakan.kernel.errors import ParameterMissing
from sertakan.kernel.periods import Month
from sertakan.regulation.loader import Parameters, load_parameters
from sertakan.regulation.standing import MembershipStatus, standing_on
from tests.analytics.nation_data import member, payment, write_dataset

PARAMS = load_parameters()


@dataclass(frozen=True)
class History:
    """One member: enrolment, and per paid month the days its payments settled."""

    member_id: str
    enrolled_on: dt.date
    settlements: dict[Month, tuple[dt.date, ...]]

    def paid_by(self, on: dt.date) -> list[Month]:
        return [month for month, days in self.settlements.items() if min(days) <= on]


@st.composite
def histories(draw: st.DrawFn, on: dt.date, member_id: str) -> History:
    # Paid months as runs and gaps: gaps of 1 to 3 months are arrears, longer ones lapses.
    offsets: list[int] = []
    cursor = 0
    for paid_run, gap in draw(
        st.lists(st.tuples(st.integers(1, 6), st.integers(0, 6)), max_size=6)
    ):
        offsets.extend(range(cursor, cursor + paid_run))
        cursor += paid_run + gap
    # The history ends near the date judged, where the statuses differ: its last paid month
    # lies from 8 months before the date's month to 3 months after (paid ahead).
    last = Month.of(on).plus(draw(st.integers(-8, 3)))
    first = last.plus(-(offsets[-1] if offsets else 0))
    # Enrolled in the month of the first payment, or a little before or after it (months
    # paid before the enrolment month are ignored); sometimes after the date (not a member).
    enrolled_month = first.plus(draw(st.integers(-3, 2)))
    enrolled_on = enrolled_month.first_day + dt.timedelta(days=draw(st.integers(0, 27)))
    settlements: dict[Month, tuple[dt.date, ...]] = {}
    for offset in offsets:
        month = first.plus(offset)
        # Settled from 40 days before the month starts to 150 days after (late arrears);
        # sometimes twice (a duplicate notice), sometimes after the date judged (not seen).
        days = draw(st.lists(st.integers(-40, 150), min_size=1, max_size=2))
        settlements[month] = tuple(month.first_day + dt.timedelta(days=d) for d in days)
    return History(member_id, enrolled_on, settlements)


@st.composite
def samples(draw: st.DrawFn, max_members: int) -> tuple[dt.date, list[History]]:
    on = draw(st.dates(dt.date(2022, 7, 1), dt.date(2026, 12, 31)))
    count = draw(st.integers(1, max_members))
    return on, [draw(histories(on, f"m{index:03d}")) for index in range(count)]


def batch_standing(backend: Any, on: dt.date, people: list[History]) -> dict[str, tuple[str, int]]:
    with tempfile.TemporaryDirectory() as folder:
        write_dataset(
            Path(folder),
            [member(p.member_id, enrolled_on=p.enrolled_on) for p in people],
            [
                payment(p.member_id, month, day)
                for p in people
                for month, days in p.settlements.items()
                for day in days
            ],
        )
        data = read_dataset(backend, Path(folder))
        table = standing_table(
            data.members, PaidMonths.of(data.members, data.payments), on=on, params=PARAMS
        )
        rows = backend.to_pyarrow(table).to_pylist()
    return {row["member_id"]: (row["status"], row["arrears_months"]) for row in rows}


def scalar_standing(on: dt.date, people: list[History]) -> dict[str, tuple[str, int]]:
    found = {}
    for person in people:
        if person.enrolled_on > on:
            continue  # not a member yet on the date: not in the report
        standing = standing_on(
            PARAMS, enrolled_on=person.enrolled_on, paid_months=person.paid_by(on), on=on
        )
        found[person.member_id] = (standing.status.value, len(standing.arrears))
    return found


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(samples(max_members=12))
def test_duckdb_gives_every_member_the_scalar_standing(
    sample: tuple[dt.date, list[History]],
) -> None:
    import ibis

    on, people = sample
    backend = ibis.duckdb.connect()
    try:
        assert batch_standing(backend, on, people) == scalar_standing(on, people)
    finally:
        backend.disconnect()


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sample=samples(max_members=40))
def test_spark_gives_every_member_the_scalar_standing(
    spark_backend: Any, sample: tuple[dt.date, list[History]]
) -> None:
    on, people = sample
    assert batch_standing(spark_backend, on, people) == scalar_standing(on, people)


def test_each_status_is_reached_with_the_scalar_answer(duckdb_backend: Any) -> None:
    on = dt.date(2024, 2, 29)
    enrolled = dt.date(2023, 1, 5)
    paid_all = {Month(2023, 1).plus(i): (dt.date(2023, 1, 5),) for i in range(14)}
    people = [
        History("never", enrolled, {}),
        History("every", enrolled, paid_all),
        History("hole", enrolled, {m: d for m, d in paid_all.items() if m != Month(2024, 1)}),
        History("lapsed", enrolled, {Month(2023, 1): (dt.date(2023, 1, 5),)}),
        # Paid to November, then April paid ahead: December to February are still owed.
        History(
            "ahead over a hole",
            enrolled,
            {
                **{m: d for m, d in paid_all.items() if m <= Month(2023, 11)},
                Month(2024, 4): (dt.date(2024, 2, 1),),
            },
        ),
    ]
    found = batch_standing(duckdb_backend, on, people)

    assert found == {
        "never": (MembershipStatus.MENUNGGU.value, 0),
        "every": (MembershipStatus.AKTIF.value, 0),
        "hole": (MembershipStatus.MENUNGGAK.value, 1),
        "lapsed": (MembershipStatus.BERAKHIR.value, 0),
        "ahead over a hole": (MembershipStatus.MENUNGGAK.value, 3),
    }
    assert found == scalar_standing(on, people)


def test_a_date_before_the_arrears_rule_is_refused_before_any_query(
    duckdb_backend: Any, params: Parameters
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        write_dataset(Path(folder), [member("a", enrolled_on=dt.date(2021, 1, 1))], [])
        data = read_dataset(duckdb_backend, Path(folder))
        with pytest.raises(ParameterMissing, match=r"bpu/arrears\.yaml"):
            standing_table(
                data.members,
                PaidMonths.of(data.members, data.payments),
                on=dt.date(2022, 6, 30),
                params=params,
            )


def test_the_batch_speaks_the_one_status_vocabulary_of_the_scalar_rule() -> None:
    # The batch's statuses are members of `MembershipStatus` (the enum the API and pages use),
    # and the national report's status columns are exactly those values. The batch leaves out
    # only `nonaktif` (it needs JHT claims, which the batch input does not hold).
    assert all(isinstance(s, MembershipStatus) for s in BATCH_STATUSES)
    assert set(MembershipStatus) - set(BATCH_STATUSES) == {MembershipStatus.NONAKTIF}
    assert tuple(s.value for s in BATCH_STATUSES) == STATUS_COLUMNS
    # Every status the scalar rule can give (without JHT claims) is one the batch can give.
    reached = {
        standing_on(PARAMS, enrolled_on=dt.date(2024, 1, 5), paid_months=paid, on=on).status
        for paid, on in [
            ((), dt.date(2024, 3, 1)),
            ((Month(2024, 1), Month(2024, 2)), dt.date(2024, 2, 20)),
            ((Month(2024, 1),), dt.date(2024, 2, 20)),
            ((Month(2024, 1),), dt.date(2024, 9, 20)),
        ]
    }
    assert reached == set(BATCH_STATUSES)
