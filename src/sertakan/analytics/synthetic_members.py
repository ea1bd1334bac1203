"""Synthetic BPU members, one chunk at a time, in columns (NumPy and Arrow, no Python loops).

A chunk is a pure function of (seed, chunk index, first member number, row count) and the
`NationPlan`: same inputs, same rows. What the rows look like, and why:

* region: a village of the current edition, the regency drawn by its population
  (population.csv), the village uniformly within the regency;
* NIK: valid for the member (Dukcapil): the district of the village (8% migrants carry
  another district, 0.3% a district code only an older edition lists), the birth date with
  +40 on the day for women, a serial unique per district and birth date within the nation
  (up to 50 chunks, i.e. 50 million members);
* age 15 to 64 at enrolment (policy P6, `bpu/eligibility.yaml`);
* declared income on the allowed levels, skewed to the minimum as it is in reality (rule R1);
* programmes "JKK,JKM" for most, "JKK,JKM,JHT" for about a third (rule R1);
* publicly funded (APBN/APBD) or sponsored for some, self-paying for the rest;
* enrolment dates across the history window, a quarter before it, more in recent months;
* `dirty_share` of the rows broken on purpose (income below the minimum or off the levels,
  unknown region, invalid NIK, programmes that do not exist) so a billing run's refusals are
  exercised. `dirty` marks them; they get no payment history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from sertakan.analytics.member_rows import MEMBER_ARROW_SCHEMA
from sertakan.kernel.periods import Month
from sertakan.registry.nik import WOMEN_DAY_OFFSET
from sertakan.registry.regions import RegionDirectory
from sertakan.regulation.loader import Parameters

Ints = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]

MEMBER_SCHEMA = MEMBER_ARROW_SCHEMA  # the member-row contract (analytics.member_rows)

# Occupation mix of informal workers (SERTAKAN's typical workers; not a statistic).
OCCUPATION_SHARES: dict[str, float] = {
    "household_helper": 0.11,
    "driver": 0.07,
    "online_driver": 0.12,
    "courier": 0.05,
    "street_food_vendor": 0.12,
    "market_trader": 0.14,
    "cleaner": 0.05,
    "construction_labourer": 0.08,
    "farmer": 0.12,
    "fisher": 0.05,
    "micro_business_staff": 0.06,
    "other": 0.03,
}
TWO_PROGRAMMES = "JKK,JKM"
THREE_PROGRAMMES = "JKK,JKM,JHT"

_FEMALE_SHARE = 0.45
_BEFORE_WINDOW_SHARE = 0.25
_BEFORE_WINDOW_DAYS = 3 * 365
_MIGRANT_SHARE = 0.08
_OLD_DISTRICT_SHARE = 0.003
_MINIMUM_INCOME_SHARE = 0.55
_JHT_SHARE = 0.32
_PUBLICLY_FUNDED_SHARE = 0.10
_SPONSORED_SHARE = 0.22
_MEMBERS_PER_SPONSOR = 4
# Age at enrolment in days: at least 15 years (15 x 366), below 65 years (65 x 365 + 15 leap
# days would reach 65): policy P6, bpu/eligibility.yaml.
_YOUNGEST_DAYS = 15 * 366 + 1
_OLDEST_DAYS = 65 * 365 - 30
_SERIALS_PER_CHUNK = 200  # chunk c uses serials 200c+1 .. 200c+200 (c modulo 50)
_SERIAL_BLOCKS = 9999 // _SERIALS_PER_CHUNK

DIRTY_KINDS = (
    "income_below_minimum",
    "income_off_level",
    "region_unknown",
    "nik_wrong_length",
    "nik_unknown_district",
    "nik_impossible_date",
    "nik_other_sex",
    "programme_unknown",
    "programme_combination",
)
_UNKNOWN_DISTRICT = 999999  # no edition of the region codes lists 99.99.99
_UNKNOWN_PROGRAMMES = ("JKK,JKN", "JKK,JKM,JPK")
_REFUSED_COMBINATIONS = ("JHT", "JKK,JKM,JKP", "JKK")


@dataclass(frozen=True, eq=False)
class NationPlan:
    """What every chunk draws from: regions, income levels, the window. Built once."""

    seed: int
    members: int
    dirty_share: float
    window: tuple[Month, ...]  # history months, oldest first
    chunk_rows: int
    villages: pa.Array  # dotted village codes, sorted
    village_district: Ints  # six-digit NIK district code of each village
    regency_start: Ints  # first village of each regency in `villages`
    regency_count: Ints
    regency_share: npt.NDArray[np.float64]  # population share of each regency
    old_districts: Ints  # district codes only older editions list (valid on an old NIK)
    income_levels: Ints

    @classmethod
    def build(
        cls,
        directory: RegionDirectory,
        params: Parameters,
        *,
        seed: int,
        members: int,
        dirty_share: float,
        window: tuple[Month, ...],
        chunk_rows: int,
    ) -> NationPlan:
        codes = directory.village_codes  # sorted, so a regency's villages are contiguous
        regencies = sorted({code[:5] for code in codes})
        start = np.searchsorted(np.array(codes), np.array([r + "." for r in regencies]))
        count = np.diff(np.append(start, len(codes)))
        population = np.array([directory.population(r) or 0 for r in regencies], np.float64)
        current = set(directory.district_codes_current())
        old = sorted(set(directory.district_codes_all_editions()) - current)
        levels = params.bpu.declared_income_levels.value_on(window[0].first_day).value
        return cls(
            seed=seed,
            members=members,
            dirty_share=dirty_share,
            window=window,
            chunk_rows=chunk_rows,
            villages=pa.array(codes, pa.string()),
            village_district=np.array([int(c[:8].replace(".", "")) for c in codes], np.int64),
            regency_start=start.astype(np.int64),
            regency_count=count.astype(np.int64),
            regency_share=population / population.sum(),
            old_districts=np.array([int(c) for c in old], np.int64),
            income_levels=np.array(levels.levels(), np.int64),
        )

    @property
    def chunks(self) -> int:
        return -(-self.members // self.chunk_rows)

    def chunk_span(self, chunk: int) -> tuple[int, int]:
        """(first member number, rows) of a chunk."""
        first = chunk * self.chunk_rows
        return first, min(self.chunk_rows, self.members - first)


@dataclass(frozen=True, eq=False)
class MemberChunk:
    """A chunk's members (`table`) and what the payment history needs about them."""

    index: int
    table: pa.Table
    enrolled_day: Ints  # days since 1970-01-01
    income_level: Ints  # index into NationPlan.income_levels
    has_jht: Flags
    is_transport: Flags
    publicly_funded: Flags
    sponsored: Flags
    dirty: Flags


def chunk_rng(seed: int, chunk: int, stream: int) -> np.random.Generator:
    """The random stream `stream` of a chunk: independent of every other chunk's."""
    return np.random.default_rng([seed, chunk, stream])


def generate_members(plan: NationPlan, chunk: int, transport: frozenset[str]) -> MemberChunk:
    first, rows = plan.chunk_span(chunk)
    rng = chunk_rng(plan.seed, chunk, 0)
    sequence = np.arange(first, first + rows, dtype=np.int64)

    regency = rng.choice(len(plan.regency_share), size=rows, p=plan.regency_share)
    village = _village_in(plan, regency, rng.random(rows))
    female = rng.random(rows) < _FEMALE_SHARE
    enrolled = _enrolment_days(plan, rng, rows)
    age_days = _YOUNGEST_DAYS + np.floor(
        rng.beta(2.0, 3.0, rows) * (_OLDEST_DAYS - _YOUNGEST_DAYS)
    ).astype(np.int64)
    birth = enrolled - age_days

    district = plan.village_district[village]
    migrant = rng.random(rows) < _MIGRANT_SHARE
    elsewhere = _village_in(
        plan, rng.choice(len(plan.regency_share), size=rows, p=plan.regency_share), rng.random(rows)
    )
    district = np.where(migrant, plan.village_district[elsewhere], district)
    if len(plan.old_districts):
        old = rng.random(rows) < _OLD_DISTRICT_SHARE
        picked = plan.old_districts[rng.integers(0, len(plan.old_districts), rows)]
        district = np.where(old, picked, district)

    occupations = list(OCCUPATION_SHARES)
    shares = np.array(list(OCCUPATION_SHARES.values()))
    occupation = rng.choice(len(occupations), size=rows, p=shares / shares.sum())
    is_transport = np.isin(occupation, [i for i, c in enumerate(occupations) if c in transport])

    top = len(plan.income_levels) - 1
    above_minimum = 1 + np.floor(rng.lognormal(np.log(8.0), 0.9, rows)).astype(np.int64)
    level = np.where(
        rng.random(rows) < _MINIMUM_INCOME_SHARE, 0, np.minimum(above_minimum, top)
    ).astype(np.int64)
    has_jht = rng.random(rows) < _JHT_SHARE
    publicly_funded = rng.random(rows) < _PUBLICLY_FUNDED_SHARE
    sponsored = ~publicly_funded & (rng.random(rows) < _SPONSORED_SHARE)
    sponsor = rng.integers(0, max(1, plan.members // _MEMBERS_PER_SPONSOR), rows)

    columns = _Columns(
        sex=np.where(female, 1, 0).astype(np.int64),
        birth=birth,
        district=district,
        region=village,
        income=plan.income_levels[level],
        programs=has_jht.astype(np.int64),
        nik_sex=np.where(female, 1, 0).astype(np.int64),
        nik_day_field=np.full(rows, -1, np.int64),
        nik_digits_dropped=np.zeros(rows, np.bool_),
    )
    serial = _serials(chunk, district, birth)
    dirty = _spoil(plan, chunk, rows, columns)
    region_codes = _region_codes(plan, columns.region)
    table = pa.table(
        {
            "member_id": _prefixed(sequence, 10, "M"),
            "nik": _niks(columns, serial),
            "sex": pa.DictionaryArray.from_arrays(
                pa.array(columns.sex, pa.int8()), pa.array(["M", "F"])
            ).cast(pa.string()),
            "birth_date": _dates(birth),
            "region_code": region_codes,
            "occupation": pa.DictionaryArray.from_arrays(
                pa.array(occupation, pa.int16()), pa.array(occupations)
            ).cast(pa.string()),
            "declared_income": pa.array(columns.income, pa.int64()),
            "programs": _programs(columns.programs),
            "publicly_funded": pa.array(publicly_funded, pa.bool_()),
            "sponsor_id": _prefixed(sponsor, 9, "S", mask=~sponsored),
            "enrolled_on": _dates(enrolled),
        },
        schema=MEMBER_SCHEMA,
    )
    return MemberChunk(
        index=chunk,
        table=table,
        enrolled_day=enrolled,
        income_level=level,
        has_jht=has_jht,
        is_transport=is_transport,
        publicly_funded=publicly_funded,
        sponsored=sponsored,
        dirty=dirty,
    )


@dataclass(eq=False)
class _Columns:
    """The member's values before they become text: the dirty rows overwrite some of them."""

    sex: Ints  # 0 M, 1 F (what the sex column says)
    nik_sex: Ints  # the sex the NIK encodes (+40 on the day for women)
    birth: Ints  # days since 1970-01-01
    district: Ints  # six-digit NIK district
    region: Ints  # index into villages, or -1: a code no edition lists
    income: Ints
    programs: Ints  # 0 JKK,JKM; 1 JKK,JKM,JHT; 2.. the refused spellings below
    nik_day_field: Ints  # -1, or the NIK's day field written as is (an impossible date)
    nik_digits_dropped: Flags  # NIK written with 15 digits


def _village_in(plan: NationPlan, regency: Ints, draw: npt.NDArray[np.float64]) -> Ints:
    offset = np.floor(draw * plan.regency_count[regency]).astype(np.int64)
    return plan.regency_start[regency] + offset


def _enrolment_days(plan: NationPlan, rng: np.random.Generator, rows: int) -> Ints:
    firsts = np.array([_day_number(m.first_day) for m in plan.window], np.int64)
    lengths = np.array([m.last_day.day for m in plan.window], np.int64)
    # SERTAKAN grows: a month at the end of the window enrols twice as many as the first.
    weights = np.linspace(1.0, 2.0, len(plan.window))
    month = rng.choice(len(plan.window), size=rows, p=weights / weights.sum())
    within = firsts[month] + np.floor(rng.random(rows) * lengths[month]).astype(np.int64)
    before = firsts[0] - rng.integers(1, _BEFORE_WINDOW_DAYS + 1, rows)
    result: Ints = np.where(rng.random(rows) < _BEFORE_WINDOW_SHARE, before, within)
    return result


def _serials(chunk: int, district: Ints, birth: Ints) -> Ints:
    """1..9999, unique per (district, birth date) across chunks: rank within the chunk's group
    plus the chunk's block of 200 (Dukcapil: the serial tells holders apart)."""
    key = district * 100_000 + (birth + 50_000)
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    is_start = np.ones(len(key), np.bool_)
    is_start[1:] = ordered[1:] != ordered[:-1]
    starts = np.maximum.accumulate(np.where(is_start, np.arange(len(key)), 0))
    rank = np.empty(len(key), np.int64)
    rank[order] = np.arange(len(key)) - starts
    block = chunk % _SERIAL_BLOCKS
    result: Ints = 1 + block * _SERIALS_PER_CHUNK + rank % _SERIALS_PER_CHUNK
    return result


def _spoil(plan: NationPlan, chunk: int, rows: int, columns: _Columns) -> Flags:
    """Break `dirty_share` of the rows, one way each (DIRTY_KINDS); return which."""
    rng = chunk_rng(plan.seed, chunk, 1)
    dirty = rng.random(rows) < plan.dirty_share
    where = np.flatnonzero(dirty)
    kind = rng.integers(0, len(DIRTY_KINDS), len(where))
    step = int(plan.income_levels[1] - plan.income_levels[0]) if len(plan.income_levels) > 1 else 1
    for number, name in enumerate(DIRTY_KINDS):
        rows_of_kind = where[kind == number]
        if name == "income_below_minimum":
            below = rng.integers(1, 6, len(rows_of_kind)) * step
            columns.income[rows_of_kind] = plan.income_levels[0] - below
        elif name == "income_off_level":
            columns.income[rows_of_kind] += step // 2
        elif name == "region_unknown":
            columns.region[rows_of_kind] = -1
        elif name == "nik_wrong_length":
            columns.nik_digits_dropped[rows_of_kind] = True
        elif name == "nik_unknown_district":
            columns.district[rows_of_kind] = _UNKNOWN_DISTRICT
        elif name == "nik_impossible_date":
            # 32..40 is a day of no month for men, and below a woman's 41.
            columns.nik_day_field[rows_of_kind] = rng.integers(32, 41, len(rows_of_kind))
        elif name == "nik_other_sex":
            columns.sex[rows_of_kind] = 1 - columns.nik_sex[rows_of_kind]
        elif name == "programme_unknown":
            columns.programs[rows_of_kind] = 2 + rng.integers(0, 2, len(rows_of_kind))
        else:  # programme_combination
            columns.programs[rows_of_kind] = 4 + rng.integers(0, 3, len(rows_of_kind))
    return dirty


def _niks(columns: _Columns, serial: Ints) -> pa.Array:
    birth = columns.birth.astype("datetime64[D]")
    year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    month_start = birth.astype("datetime64[M]")
    month = month_start.astype(np.int64) % 12 + 1
    day = (birth - month_start.astype("datetime64[D]")).astype(np.int64) + 1
    # Dukcapil: the day of birth is written +40 for women.
    day_field = day + np.where(columns.nik_sex == 1, WOMEN_DAY_OFFSET, 0)
    day_field = np.where(columns.nik_day_field >= 0, columns.nik_day_field, day_field)
    number = (
        columns.district * 10**10 + (day_field * 10_000 + month * 100 + year % 100) * 10**4 + serial
    )
    number = np.where(columns.nik_digits_dropped, number // 10, number)
    # A province code is at least 11, so the number always has all its digits (no lost zero).
    return pc.cast(pa.array(number, pa.int64()), pa.string())


def _region_codes(plan: NationPlan, village: Ints) -> pa.Array:
    known = plan.villages.take(pa.array(np.maximum(village, 0)))
    # An unknown region: a real district with village number 0000, which no edition issues.
    unknown = pc.binary_join_element_wise(pc.utf8_slice_codeunits(known, 0, 8), ".0000", "")
    return pc.if_else(pa.array(village < 0), unknown, known)


def _programs(choice: Ints) -> pa.Array:
    spellings = [
        TWO_PROGRAMMES,
        THREE_PROGRAMMES,
        *_UNKNOWN_PROGRAMMES,
        *_REFUSED_COMBINATIONS,
    ]
    return pa.DictionaryArray.from_arrays(pa.array(choice, pa.int8()), pa.array(spellings)).cast(
        pa.string()
    )


def _prefixed(numbers: Ints, digits: int, letter: str, mask: Flags | None = None) -> pa.Array:
    """`letter` + the number zero-padded to `digits` digits ("M0000000042"), vectorised."""
    padded = pc.cast(pa.array(numbers + 10**digits, pa.int64()), pa.string())  # "1000...42"
    text = pc.utf8_replace_slice(padded, 0, 1, letter)
    if mask is None:
        return text
    return pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), text)


def _dates(days: Ints) -> pa.Array:
    return pa.array(days.astype(np.int32), pa.int32()).cast(pa.date32())


def _day_number(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days
