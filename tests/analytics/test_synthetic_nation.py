"""`sertakan synth population`: the synthetic nation keeps its data contract and looks real."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from sertakan.analytics.member_rows import MEMBER_ARROW_SCHEMA
from sertakan.analytics.region_tables import region_directory
from sertakan.analytics.synthetic_nation import NationOptions, generate_nation, manifest_matches
from sertakan.config import Settings
from sertakan.kernel.errors import RuleViolation
from sertakan.kernel.periods import Month
from sertakan.registry.nik import check_nik_matches, parse_nik
from sertakan.registry.occupations import all_occupations
from sertakan.regulation.contributions import quote_bpu
from sertakan.regulation.loader import Parameters, load_parameters

MEMBERS = 20_000
PART_ROWS = 7_000  # three parts: 7,000 + 7,000 + 6,000
OPTIONS = NationOptions(members=MEMBERS, seed=11, dirty_share=0.005, chunk_rows=PART_ROWS)


def _generate(out: Path, options: NationOptions = OPTIONS) -> dict[str, Any]:
    return generate_nation(
        out, options, directory=region_directory(Settings().regions_dir), params=load_parameters()
    )


@pytest.fixture(scope="module")
def nation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("nation")
    _generate(out)
    return out


def _digests(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _sql(query: str, nation: Path) -> list[tuple[Any, ...]]:
    with duckdb.connect() as con:
        con.execute(f"CREATE VIEW members AS SELECT * FROM '{nation}/members/*.parquet'")
        con.execute(f"CREATE VIEW payments AS SELECT * FROM '{nation}/payments/*.parquet'")
        return con.execute(query).fetchall()


def test_the_same_seed_writes_the_same_bytes_and_another_seed_does_not(
    nation: Path, tmp_path: Path
) -> None:
    again, other = tmp_path / "again", tmp_path / "other"
    _generate(again)
    _generate(
        other, NationOptions(members=MEMBERS, seed=12, dirty_share=0.005, chunk_rows=PART_ROWS)
    )

    assert _digests(again) == _digests(nation)
    differing = {
        name for name, digest in _digests(other).items() if _digests(nation)[name] != digest
    }
    assert "members/part-00000.parquet" in differing


def test_two_worker_processes_write_the_same_bytes_as_one(nation: Path, tmp_path: Path) -> None:
    parallel = tmp_path / "parallel"
    generate_nation(
        parallel,
        OPTIONS,
        directory=region_directory(Settings().regions_dir),
        params=load_parameters(),
        jobs=2,
    )
    assert _digests(parallel) == _digests(nation)


def test_members_and_payments_come_in_parts_of_the_same_members_with_the_contract_columns(
    nation: Path,
) -> None:
    member_parts = sorted((nation / "members").glob("part-*.parquet"))
    payment_parts = sorted((nation / "payments").glob("part-*.parquet"))
    assert [p.name for p in member_parts] == [p.name for p in payment_parts]
    assert [pq.ParquetFile(p).metadata.num_rows for p in member_parts] == [7_000, 7_000, 6_000]

    schema = pq.read_schema(member_parts[0])
    assert [(f.name, f.type) for f in schema] == [(f.name, f.type) for f in MEMBER_ARROW_SCHEMA]
    payments = pq.read_schema(payment_parts[0])
    assert [(f.name, str(f.type)) for f in payments] == [
        ("member_id", "string"),
        ("month", "date32[day]"),
        ("paid_on", "date32[day]"),
        ("amount", "int64"),
    ]
    for members, paid in zip(member_parts, payment_parts, strict=True):
        ids = set(pq.read_table(members, columns=["member_id"]).column(0).to_pylist())
        payers = set(pq.read_table(paid, columns=["member_id"]).column(0).to_pylist())
        assert payers and payers <= ids

    first_ids = pq.read_table(member_parts[0], columns=["member_id"]).column(0).to_pylist()
    assert first_ids[:2] == ["M0000000000", "M0000000001"]


def test_the_manifest_names_seed_window_version_and_row_counts(nation: Path) -> None:
    manifest = json.loads((nation / "manifest.json").read_text())
    assert manifest["seed"] == 11
    assert manifest["members"] == MEMBERS
    assert manifest["history"] == {"first_month": "2023-01", "last_month": "2024-12", "months": 24}
    assert manifest["generator_version"] >= 1
    (payments,) = _sql("SELECT count(*) FROM payments", nation)[0]
    assert manifest["row_counts"]["payments"] == payments
    assert manifest["row_counts"]["members"] == MEMBERS
    assert manifest_matches(manifest, OPTIONS)
    assert not manifest_matches(manifest, NationOptions(members=MEMBERS + 1, seed=11))


def test_clean_members_have_registry_valid_niks_villages_ages_and_income_levels(
    nation: Path, params: Parameters
) -> None:
    directory = region_directory(Settings().regions_dir)
    levels = params.bpu.declared_income_levels.value_on(Month(2024, 12).first_day).value
    occupations = {item.code for item in all_occupations()}
    rows = pq.read_table(nation / "members" / "part-00000.parquet").to_pylist()
    broken = 0
    for row in rows[:3_000]:
        try:
            parts = parse_nik(row["nik"], directory, today=row["enrolled_on"])
            check_nik_matches(parts, birth_date=row["birth_date"], sex=row["sex"])
            assert directory.village(row["region_code"]) is not None
            assert levels.is_level(row["declared_income"])
            assert row["programs"] in {"JKK,JKM", "JKK,JKM,JHT"}
        except (RuleViolation, AssertionError):
            broken += 1
            continue
        age = (row["enrolled_on"] - row["birth_date"]).days / 365.25
        assert 15 <= age < 65
        assert row["occupation"] in occupations
        assert row["sex"] in {"M", "F"}
    # dirty_share 0.5%: a handful of the 3,000 rows are broken on purpose, never many.
    assert 1 <= broken <= 40


def test_incomes_sit_mostly_at_the_minimum_and_people_live_where_the_population_is(
    nation: Path,
) -> None:
    (at_minimum, total) = _sql(
        "SELECT count(*) FILTER (declared_income = 1000000), count(*) FROM members", nation
    )[0]
    assert 0.45 < at_minimum / total < 0.65
    by_province = Counter(
        dict(_sql("SELECT left(region_code, 2), count(*) FROM members GROUP BY 1", nation))
    )
    # Jawa Barat (32), Jawa Timur (35) and Jawa Tengah (33) are the most populous provinces.
    assert {code for code, _ in by_province.most_common(3)} == {"32", "33", "35"}
    (niks, members) = _sql("SELECT count(DISTINCT nik), count(*) FROM members", nation)[0]
    assert niks == members


def test_the_payment_history_has_monthly_payers_lapses_arrears_prepayments_and_returns(
    nation: Path,
) -> None:
    (on_time, late, prepaid, total) = _sql(
        """SELECT count(*) FILTER (paid_on BETWEEN month AND month + INTERVAL 14 DAY),
                  count(*) FILTER (paid_on > last_day(month)),
                  count(*) FILTER (paid_on < month),
                  count(*)
           FROM payments""",
        nation,
    )[0]
    assert on_time / total > 0.6  # most pay by the 15th
    assert late > 0 and prepaid > 0
    (lapsed_then_back,) = _sql(
        """SELECT count(DISTINCT member_id) FROM (
               SELECT member_id, month,
                      date_diff('month', lag(month) OVER (PARTITION BY member_id ORDER BY month),
                                month) AS gap
               FROM payments)
           WHERE gap > 4""",  # more than 3 unpaid months, then paid again: a reactivation
        nation,
    )[0]
    assert lapsed_then_back > 0
    (twice,) = _sql(
        """SELECT count(*) FROM (
               SELECT member_id, month FROM payments GROUP BY ALL HAVING count(*) > 1)""",
        nation,
    )[0]
    assert twice == 0


def test_payment_amounts_are_what_quote_bpu_asks_for_that_month(
    nation: Path, params: Parameters
) -> None:
    transport = {item.code for item in all_occupations() if item.sector.value == "transport"}
    rows = _sql(
        """SELECT p.month, p.amount, m.declared_income, m.programs, m.occupation,
                  m.publicly_funded
           FROM payments p JOIN members m USING (member_id)
           USING SAMPLE 500 ROWS""",
        nation,
    )
    assert len(rows) == 500
    for month, amount, income, programs, occupation, publicly_funded in rows:
        quote = quote_bpu(
            params,
            declared_income=income,
            on=month,
            programs=programs.split(","),
            sector="transport" if occupation in transport else "other",
            publicly_funded=publicly_funded,
        )
        assert amount == quote.total


def test_a_bad_member_count_is_refused_with_a_clear_rule(tmp_path: Path) -> None:
    with pytest.raises(RuleViolation, match="at least one member"):
        _generate(tmp_path, NationOptions(members=0))
