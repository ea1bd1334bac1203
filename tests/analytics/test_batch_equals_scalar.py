"""The batch engine gives `quote_bpu`'s answer, in integer rupiah, part by part.

On every BPU regulation vector (tests/unit/regulation/vectors/bpu_r1.yaml, bpu_r2_pp50.yaml)
and on members drawn by Hypothesis, on DuckDB and on PySpark (local[2]): the same JKK, JKM,
JHT, total and PP 50/2025 discount, or the same refusal (the first rule the scalar names, and
every rule it names, in order).
"""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sertakan.analytics.contributions import assess_members, contribution_columns
from sertakan.analytics.engines import BatchEngine, DuckDBEngine, SparkEngine, materialized
from sertakan.analytics.region_tables import RegionTables, region_directory
from sertakan.config import Settings
from sertakan.kernel.errors import ParameterMissing, RuleViolation
from sertakan.kernel.periods import Month
from sertakan.regulation.contributions import quote_bpu
from sertakan.regulation.loader import DEFAULT_DIRECTORY, Parameters, load_parameters
from tests.analytics.member_rows import Row, arrow_table, occupation_for

VECTORS = Path(__file__).parents[1] / "unit" / "regulation" / "vectors"
VECTOR_FILES = ("bpu_r1.yaml", "bpu_r2_pp50.yaml")
# The scalar judges a sector; the batch derives it from the occupation, as the registry does.
BATCH_RULE = {"bpu.sector.unknown": "occupation.unknown"}


@dataclass(frozen=True)
class Case:
    """One member of one month, and what the scalar rule says about it."""

    member_id: str
    month: Month
    declared_income: int
    programs: tuple[str, ...]
    sector: str
    publicly_funded: bool
    on: dt.date  # the day the scalar is asked about

    def row(self) -> Row:
        return Row(
            member_id=self.member_id,
            declared_income=self.declared_income,
            programs=",".join(self.programs),
            occupation=occupation_for(self.sector),
            publicly_funded=self.publicly_funded,
            enrolled_on=self.month.first_day,
        )

    def scalar(self, params: Parameters) -> tuple[str, Any]:
        """("billed", (jkk, jkm, jht, total, discount)) or ("refused", [rules])."""
        try:
            quote = quote_bpu(
                params,
                declared_income=self.declared_income,
                on=self.on,
                programs=list(self.programs),
                sector=self.sector,
                publicly_funded=self.publicly_funded,
            )
        except RuleViolation as refused:
            return "refused", [BATCH_RULE.get(v.rule, v.rule) for v in refused.violations]
        parts = {code: quote.parts.get(code, 0) for code in ("JKK", "JKM", "JHT")}
        discount = sum(quote.full_parts[code] - quote.parts[code] for code in quote.parts)
        return "billed", (parts["JKK"], parts["JKM"], parts["JHT"], quote.total, discount)


def _vector_cases() -> list[Case]:
    cases = []
    for name in VECTOR_FILES:
        for row in yaml.safe_load((VECTORS / name).read_text(encoding="utf-8")):
            bpu = row["bpu"]
            on = bpu["on"]
            cases.append(
                Case(
                    member_id=row["id"],
                    month=Month.of(on),
                    declared_income=bpu["declared_income"],
                    programs=tuple(bpu["programs"]),
                    sector=bpu.get("sector", "other"),
                    publicly_funded=bpu.get("publicly_funded", False),
                    on=on,
                )
            )
    return cases


VECTOR_CASES = _vector_cases()


# --- engines -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def duckdb_engine() -> Iterator[DuckDBEngine]:
    engine = DuckDBEngine(threads=2)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def spark_engine(spark_session: Any) -> SparkEngine:
    return SparkEngine(spark_session)


@pytest.fixture(params=["duckdb", "spark"])
def engine(request: pytest.FixtureRequest) -> BatchEngine:
    chosen: BatchEngine = request.getfixturevalue(f"{request.param}_engine")
    return chosen


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for materialised decisions (Hypothesis runs many examples per test call)."""
    return tmp_path_factory.mktemp("scratch")


_REGIONS: dict[int, RegionTables] = {}


def _regions(engine: BatchEngine) -> RegionTables:
    if id(engine) not in _REGIONS:
        _REGIONS[id(engine)] = engine.region_tables(region_directory(Settings().regions_dir))
    return _REGIONS[id(engine)]


def batch_answers(
    engine: BatchEngine, params: Parameters, cases: Sequence[Case], scratch: Path, *, lazy: bool
) -> dict[str, tuple[str, Any]]:
    """What the batch says about each case, by one of the two ways the project asks it.

    lazy: the public `contribution_columns` and `Assessment.rejects` as expressions, all
    months in one union per output (what the national enrolment report does).
    not lazy: month by month as the billing run does, the decisions materialised once and
    both outputs read from them (rejects re-checked from the members they name).
    """
    by_month: dict[Month, list[Case]] = defaultdict(list)
    for case in cases:
        by_month[case.month].append(case)
    members = engine.from_arrow(arrow_table([case.row() for case in cases]))
    regions = _regions(engine)
    billed: list[dict[str, Any]] = []
    refused: list[dict[str, Any]] = []
    lazy_billed: list[ir.Table] = []
    lazy_refused: list[ir.Table] = []
    for number, (month, group) in enumerate(by_month.items()):
        of_month = members.filter(members.member_id.isin([case.member_id for case in group]))
        assessment = assess_members(of_month, month, params, regions=regions)
        if lazy:
            lazy_billed.append(contribution_columns(of_month, month, params, regions=regions))
            lazy_refused.append(assessment.rejects.select("member_id", "reason", "reasons"))
            continue
        with materialized(engine, assessment.decisions, scratch / f"decisions-{number}") as done:
            written = assessment.over(done)
            billed += engine.backend.to_pyarrow(written.invoices).to_pylist()
            refused += engine.backend.to_pyarrow(written.rejects).to_pylist()
    if lazy:
        billed = engine.backend.to_pyarrow(ibis.union(*lazy_billed)).to_pylist()
        refused = engine.backend.to_pyarrow(ibis.union(*lazy_refused)).to_pylist()
    answers: dict[str, tuple[str, Any]] = {}
    for record in billed:
        parts = tuple(record[key] for key in ("jkk", "jkm", "jht", "total", "discount"))
        assert all(type(value) is int for value in parts), record  # integer rupiah
        answers[record["member_id"]] = ("billed", parts)
    for record in refused:
        assert record["member_id"] not in answers, record
        answers[record["member_id"]] = ("refused", record["reasons"].split(","))
        assert record["reasons"].split(",")[0] == record["reason"], record
    return answers


def assert_same_as_scalar(
    engine: BatchEngine,
    params: Parameters,
    cases: Sequence[Case],
    scratch: Path,
    *,
    lazy: bool = False,
) -> None:
    answers = batch_answers(engine, params, cases, scratch, lazy=lazy)
    for case in cases:
        assert answers.get(case.member_id) == case.scalar(params), case


# --- the regulation vectors ----------------------------------------------------------------------


def test_the_vectors_cover_billed_refused_discounted_and_missing_months() -> None:
    assert len(VECTOR_CASES) >= 40
    kinds = {case.member_id.split("-")[0] for case in VECTOR_CASES}
    assert {"v01", "v08", "v10"} <= kinds
    assert any(case.month < Month(2015, 7) for case in VECTOR_CASES)  # not in the parameters


def test_every_bpu_vector_gets_the_scalar_answer_from_the_batch(
    engine: BatchEngine, params: Parameters, tmp_path: Path
) -> None:
    covered = [case for case in VECTOR_CASES if case.month >= Month(2015, 7)]
    assert_same_as_scalar(engine, params, covered, tmp_path)


def test_the_batch_matches_the_amounts_written_in_the_vectors(
    duckdb_engine: DuckDBEngine, params: Parameters, tmp_path: Path
) -> None:
    # Not only equal to quote_bpu: equal to what the lawyers wrote down (parts and total).
    covered = [case for case in VECTOR_CASES if case.month >= Month(2015, 7)]
    answers = batch_answers(duckdb_engine, params, covered, tmp_path, lazy=True)
    checked = 0
    for name in VECTOR_FILES:
        for row in yaml.safe_load((VECTORS / name).read_text(encoding="utf-8")):
            expected = row["expected"]
            if "parts" not in expected:
                continue
            jkk, jkm, jht, total, _ = answers[row["id"]][1]
            written = expected["parts"]
            assert (jkk, jkm, jht) == tuple(written.get(p, 0) for p in ("JKK", "JKM", "JHT"))
            assert total == expected["total"]
            checked += 1
    assert checked >= 20


def test_a_month_before_the_rules_is_a_parameter_missing_error_not_a_crash(
    duckdb_engine: DuckDBEngine, params: Parameters
) -> None:
    missing = [case for case in VECTOR_CASES if case.month < Month(2015, 7)]
    assert missing
    members = duckdb_engine.from_arrow(arrow_table([case.row() for case in missing]))
    with pytest.raises(ParameterMissing, match="not in the parameters yet"):
        contribution_columns(members, missing[0].month, params, regions=_regions(duckdb_engine))


# --- Hypothesis ----------------------------------------------------------------------------------

LEVEL_INCOMES = st.integers(10, 207).map(lambda hundreds: hundreds * 100_000)
ODD_INCOMES = st.one_of(
    st.integers(0, 25_000_000),
    st.sampled_from([0, 900_000, 999_999, 1_050_000, 20_700_001, 20_800_000, 1_000_050]),
)
PROGRAMME_CODES = st.sampled_from(["JKK", "JKM", "JHT", "JP", "JKP", "jkk", " JKM", "JKN"])
PROGRAMMES = st.one_of(
    st.sampled_from([("JKK", "JKM"), ("JKK", "JKM", "JHT"), ("JHT", "JKM", "JKK")]),
    st.lists(PROGRAMME_CODES, max_size=4).map(tuple),
)
# Months from the first rules to past PP 50/2025, the discount windows drawn more often.
MONTHS = st.one_of(
    st.integers(2015 * 12 + 6, 2028 * 12 + 11),
    st.integers(2025 * 12 + 10, 2027 * 12 + 4),
).map(lambda index: Month(index // 12, index % 12 + 1))


@st.composite
def members(draw: st.DrawFn) -> list[Case]:
    # A few months per example: each month is one query per engine (and Spark's take ~1 s).
    months = draw(st.lists(MONTHS, min_size=1, max_size=3, unique=True))
    count = draw(st.integers(1, 40))
    cases = []
    for number in range(count):
        month = draw(st.sampled_from(months))
        cases.append(
            Case(
                member_id=f"H{number:04d}",
                month=month,
                declared_income=draw(st.one_of(LEVEL_INCOMES, LEVEL_INCOMES, ODD_INCOMES)),
                programs=draw(PROGRAMMES),
                sector=draw(st.sampled_from(["transport", "other", "other", "fishing"])),
                publicly_funded=draw(st.booleans()),
                on=month.first_day,
            )
        )
    return cases


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases=members())
def test_random_members_get_the_scalar_answer_on_duckdb(
    duckdb_engine: DuckDBEngine, params: Parameters, scratch: Path, cases: list[Case]
) -> None:
    assert_same_as_scalar(duckdb_engine, params, cases, scratch / uuid.uuid4().hex, lazy=True)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases=members())
def test_random_members_get_the_scalar_answer_on_spark(
    spark_engine: SparkEngine, params: Parameters, scratch: Path, cases: list[Case]
) -> None:
    assert_same_as_scalar(spark_engine, params, cases, scratch / uuid.uuid4().hex, lazy=True)


# --- a law that needs rounding ------------------------------------------------------------------


@pytest.fixture(scope="module")
def rounding_law(tmp_path_factory: pytest.TempPathFactory) -> Parameters:
    """Today's parameters with rates and levels under which amounts end in half rupiah.

    With the real levels (multiples of Rp100,000) and rates (1%, 2%, 50% off) no amount
    needs rounding, so only a changed law shows that the batch rounds like `quote_bpu`.
    """
    folder = tmp_path_factory.mktemp("law") / "parameters"
    shutil.copytree(DEFAULT_DIRECTORY, folder)
    edits = {
        "bpu/jkk_rate.yaml": ('value: "0.01"', 'value: "0.0125"'),
        "bpu/jht_rate.yaml": ('value: "0.02"', 'value: "0.0237"'),
        "bpu/declared_income_levels.yaml": ("step: 100000", "step: 50000"),
    }
    for name, (old, new) in edits.items():
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, name
        path.write_text(text.replace(old, new), encoding="utf-8")
    return load_parameters(folder)


ROUNDING_INCOMES = st.integers(20, 414).map(lambda fifties: fifties * 50_000)


@st.composite
def members_under_the_rounding_law(draw: st.DrawFn) -> list[Case]:
    months = draw(st.lists(MONTHS, min_size=1, max_size=2, unique=True))
    return [
        Case(
            member_id=f"R{number:04d}",
            month=(month := draw(st.sampled_from(months))),
            declared_income=draw(ROUNDING_INCOMES),
            programs=draw(st.sampled_from([("JKK", "JKM"), ("JKK", "JKM", "JHT")])),
            sector=draw(st.sampled_from(["transport", "other"])),
            publicly_funded=draw(st.booleans()),
            on=month.first_day,
        )
        for number in range(draw(st.integers(1, 30)))
    ]


def test_the_rounding_law_really_has_half_rupiah_amounts(rounding_law: Parameters) -> None:
    quote = quote_bpu(
        rounding_law,
        declared_income=1_050_000,
        on=dt.date(2026, 6, 1),
        programs=["JKK", "JKM"],
        sector="other",
    )
    # 1.25% of 1,050,000 = 13,125; charged at 50% = 6,562.5 -> 6,563 (half up).
    assert quote.full_parts["JKK"] == 13_125
    assert quote.parts["JKK"] == 6_563


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases=members_under_the_rounding_law())
def test_under_a_law_that_needs_rounding_the_batch_still_gives_the_scalar_answer(
    duckdb_engine: DuckDBEngine, rounding_law: Parameters, scratch: Path, cases: list[Case]
) -> None:
    assert_same_as_scalar(duckdb_engine, rounding_law, cases, scratch / uuid.uuid4().hex)
