"""The national enrolment report on a handful of members whose every figure is worked out by hand:
standing counts by region, billed (accrual, from `contribution_columns`) and collected (cash),
the roll-up to provinces and Indonesia, the trend months, and bad input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from sertakan.analytics.engines import DuckDBEngine, SparkEngine
from sertakan.analytics.nation_report import (
    NationReport,
    build_report,
    report_months,
)
from sertakan.analytics.nation_sources import NationInputError
from sertakan.config import Settings
from sertakan.kernel.errors import ParameterMissing
from sertakan.kernel.periods import Month
from sertakan.registry.regions import RegionDirectory
from sertakan.regulation.loader import Parameters
from tests.analytics.nation_data import (
    BANDA_ACEH_VILLAGE,
    member,
    payment,
    write_dataset,
)

AS_OF = dt.date(2024, 2, 29)
TWO_PROGRAMMES = 16_800  # JKK 10.000 + JKM 6.800 at Rp1.000.000 (R1, docs/rules.md)
THREE_PROGRAMMES = 36_800


def monthly(member_id: str, first: Month, last: Month, day: int = 3) -> list[dict[str, Any]]:
    """Payments for every month from `first` to `last`, each settled on `day` of its month."""
    rows, month = [], first
    while month <= last:
        rows.append(payment(member_id, month, month.first_day.replace(day=day)))
        month = month.next()
    return rows


def town_folder(folder: Path) -> Path:
    """Five members on 29 February 2024 (and one enrolled later):

    a  Kota Bogor, pays every month on the 3rd (also March, settled 1 March)   -> aktif
    b  Banda Aceh, three programmes, paid June 2023 only                       -> berakhir
    c  Kota Bogor, enrolled 20 February 2024, never paid                       -> menunggu
    d  Kota Bogor, paid to October 2023; November paid late on 10 February     -> menunggak (3)
    e  Kota Bogor, income not an allowed level (refused by billing), never paid -> menunggu
    g  Kota Bogor, enrolled 5 March 2024                                        -> not yet
    """
    members = [
        member("a", enrolled_on=dt.date(2023, 1, 5)),
        member(
            "b",
            enrolled_on=dt.date(2023, 6, 5),
            region_code=BANDA_ACEH_VILLAGE,
            programs="JKK,JKM,JHT",
        ),
        member("c", enrolled_on=dt.date(2024, 2, 20)),
        member("d", enrolled_on=dt.date(2023, 1, 5)),
        member("e", enrolled_on=dt.date(2023, 12, 1), declared_income=999),
        member("g", enrolled_on=dt.date(2024, 3, 5)),
    ]
    payments = [
        *monthly("a", Month(2023, 1), Month(2024, 2)),
        payment("a", Month(2024, 3), dt.date(2024, 3, 1)),  # after the as-of date: unseen
        payment("b", Month(2023, 6), dt.date(2023, 6, 6), THREE_PROGRAMMES),
        *monthly("d", Month(2023, 1), Month(2023, 10)),
        payment("d", Month(2023, 11), dt.date(2024, 2, 10)),  # arrears, paid late
    ]
    return write_dataset(folder, members, payments)


@pytest.fixture(scope="module")
def directory() -> RegionDirectory:
    return RegionDirectory.from_directory(Settings().regions_dir)


@pytest.fixture(scope="module")
def town_report(
    tmp_path_factory: pytest.TempPathFactory, params: Parameters, directory: RegionDirectory
) -> Iterator[NationReport]:
    folder = town_folder(tmp_path_factory.mktemp("town"))
    engine = DuckDBEngine()
    try:
        yield build_report(
            engine, folder, as_of=AS_OF, params=params, directory=directory, months=3
        )
    finally:
        engine.close()


def counts(row: Any) -> tuple[int, ...]:
    return (row.members, row.aktif, row.menunggak, row.berakhir, row.menunggu)


def test_each_member_is_counted_once_in_the_standing_of_the_as_of_date(
    town_report: NationReport,
) -> None:
    nation = town_report.national()

    assert counts(nation) == (5, 1, 1, 1, 2)


def test_billed_is_the_month_contribution_of_members_whose_membership_has_not_ended(
    town_report: NationReport,
) -> None:
    # a, c (awaiting the first payment) and d (in arrears); not b (ended), not e (refused).
    assert town_report.national().billed == 3 * TWO_PROGRAMMES


def test_collected_is_the_cash_settled_in_the_month_whatever_month_it_paid_for(
    town_report: NationReport,
) -> None:
    # a's February contribution and d's November arrears; a's March payment came after.
    assert town_report.national().collected == 2 * TWO_PROGRAMMES


def test_regions_add_up_to_their_province_and_the_provinces_to_indonesia(
    town_report: NationReport,
) -> None:
    bogor = next(r for r in town_report.regencies("32") if r.code == "32.71")
    west_java = town_report.province("32")
    aceh = town_report.province("11")
    assert west_java is not None and aceh is not None

    assert counts(bogor) == counts(west_java) == (4, 1, 1, 0, 2)
    assert counts(aceh) == (1, 0, 0, 1, 0)
    assert aceh.billed == 0 and aceh.collected == 0
    assert sum(p.members for p in town_report.provinces()) == town_report.national().members
    assert sum(p.billed for p in town_report.provinces()) == town_report.national().billed


def test_coverage_is_active_members_over_the_population(
    town_report: NationReport, directory: RegionDirectory
) -> None:
    bogor = next(r for r in town_report.regencies("32") if r.code == "32.71")

    assert bogor.population == directory.population("32.71")
    assert bogor.coverage_share == pytest.approx(1 / directory.population("32.71"))  # type: ignore[operator]
    assert town_report.informal_share == pytest.approx(1 / 84_130_000)


def test_every_province_and_regency_has_a_row_even_without_members(
    town_report: NationReport, directory: RegionDirectory
) -> None:
    assert len(town_report.provinces()) == len(directory.children("")) == 38
    assert len(town_report.regencies()) == 514
    papua = town_report.province("91")
    assert papua is not None and counts(papua) == (0, 0, 0, 0, 0)


def test_the_trend_judges_each_month_on_its_last_day(town_report: NationReport) -> None:
    trend = {row.month: row for row in town_report.trend()}

    assert list(trend) == [dt.date(2023, 12, 1), dt.date(2024, 1, 1), dt.date(2024, 2, 1)]
    january = trend[dt.date(2024, 1, 1)]
    # On 31 January d had paid to October: November to January unpaid, 3 months, in arrears.
    assert counts(january) == (4, 1, 1, 1, 1)
    assert january.billed == 2 * TWO_PROGRAMMES  # a and d; e is refused, c not enrolled yet
    assert january.collected == TWO_PROGRAMMES  # a's January contribution


def test_the_trend_leaves_out_months_before_the_arrears_rule(params: Parameters) -> None:
    months = report_months(params, dt.date(2023, 3, 31))

    assert months[0] == Month(2022, 7)  # bpu/arrears.yaml is in force from 1 July 2022
    assert months[-1] == Month(2023, 3)
    assert len(months) == 9


def test_an_as_of_date_before_the_rules_is_refused(params: Parameters) -> None:
    with pytest.raises(ParameterMissing, match="not in the parameters yet"):
        report_months(params, dt.date(2022, 6, 30))


def test_spark_gives_the_same_report_as_duckdb(
    spark_session: Any,
    tmp_path: Path,
    params: Parameters,
    directory: RegionDirectory,
) -> None:
    folder = town_folder(tmp_path / "town")
    reports = []
    for engine in (DuckDBEngine(), SparkEngine(spark_session)):
        try:
            reports.append(
                build_report(
                    engine, folder, as_of=AS_OF, params=params, directory=directory, months=2
                )
            )
        finally:
            engine.close()
    duckdb_report, spark_report = reports

    assert spark_report.rows.equals(duckdb_report.rows)
    assert counts(spark_report.national()) == (5, 1, 1, 1, 2)


# --- bad input ----------------------------------------------------------------------------


def build(folder: Path, params: Parameters, directory: RegionDirectory) -> NationReport:
    engine = DuckDBEngine()
    try:
        return build_report(
            engine, folder, as_of=AS_OF, params=params, directory=directory, months=1
        )
    finally:
        engine.close()


def test_a_missing_folder_is_named(
    tmp_path: Path, params: Parameters, directory: RegionDirectory
) -> None:
    with pytest.raises(NationInputError, match="no such data folder"):
        build(tmp_path / "nowhere", params, directory)


def test_a_folder_without_payment_files_is_named(
    tmp_path: Path, params: Parameters, directory: RegionDirectory
) -> None:
    write_dataset(tmp_path, [member("a", enrolled_on=dt.date(2023, 1, 5))], [])
    for part in (tmp_path / "payments").iterdir():
        part.unlink()

    with pytest.raises(NationInputError, match="no payments data"):
        build(tmp_path, params, directory)


def test_a_missing_column_is_named(
    tmp_path: Path, params: Parameters, directory: RegionDirectory
) -> None:
    write_dataset(tmp_path, [member("a", enrolled_on=dt.date(2023, 1, 5))], [])
    import pyarrow.parquet as pq

    for part in (tmp_path / "members").iterdir():
        pq.write_table(pq.read_table(part).drop_columns(["enrolled_on"]), part)

    with pytest.raises(NationInputError, match="enrolled_on is missing"):
        build(tmp_path, params, directory)


def test_data_without_any_member_enrolled_by_the_date_is_refused(
    tmp_path: Path, params: Parameters, directory: RegionDirectory
) -> None:
    write_dataset(tmp_path, [member("late", enrolled_on=dt.date(2024, 6, 1))], [])

    with pytest.raises(NationInputError, match=r"no member .* was enrolled on or before"):
        build(tmp_path, params, directory)


def test_an_empty_members_table_is_refused(
    tmp_path: Path, params: Parameters, directory: RegionDirectory
) -> None:
    write_dataset(tmp_path, [], [])

    with pytest.raises(NationInputError, match="no member"):
        build(tmp_path, params, directory)


def test_report_rows_hold_money_as_whole_rupiah(town_report: NationReport) -> None:
    schema = town_report.rows.schema

    assert schema.field("billed").type == pa.int64()
    assert schema.field("collected").type == pa.int64()
