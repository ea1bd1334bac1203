"""A national enrolment report on disk (the exports and what the page reads), the cited informal
workforce file, and the chart geometry."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sertakan.analytics.nation_charts import BarItem, Tick, bar_chart, line_chart, nice_step
from sertakan.analytics.nation_files import (
    ReportUnreadable,
    read_report,
)
from sertakan.analytics.nation_reference import (
    INFORMAL_WORKFORCE_FILE,
    load_informal_workforce,
)
from sertakan.analytics.nation_report import REPORT_SCHEMA
from sertakan.config import Settings
from sertakan.kernel.errors import ConfigurationError
from tests.analytics.nation_data import write_sample_report


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_report(tmp_path_factory.mktemp("report"))


def test_the_report_writes_province_regency_and_trend_files_as_csv_and_parquet(
    report_dir: Path,
) -> None:
    names = sorted(path.name for path in report_dir.iterdir())

    assert names == [
        "provinces.csv",
        "provinces.parquet",
        "regencies.csv",
        "regencies.parquet",
        "summary.json",
        "trend.csv",
        "trend.parquet",
    ]


def test_the_province_file_starts_with_indonesia_then_every_province(report_dir: Path) -> None:
    rows = list(csv.DictReader(io.StringIO((report_dir / "provinces.csv").read_text())))

    assert rows[0]["level"] == "nasional" and rows[0]["name"] == "Indonesia"
    assert [row["code"] for row in rows[1:3]] == ["11", "12"]
    assert {row["level"] for row in rows[1:]} == {"provinsi"}
    assert len(rows) == 1 + 38 + 1  # and the pool of codes no directory knows
    assert rows[-1]["code"] == "?"


def test_csv_money_is_whole_rupiah_without_formatting(report_dir: Path) -> None:
    rows = list(csv.DictReader(io.StringIO((report_dir / "provinces.csv").read_text())))

    assert rows[0]["billed"].isdigit()
    assert int(rows[0]["billed"]) == sum(int(row["billed"]) for row in rows[1:])


def test_parquet_files_keep_the_report_schema(report_dir: Path) -> None:
    for name in ("provinces", "regencies", "trend"):
        schema = pq.read_schema(report_dir / f"{name}.parquet")
        assert schema.remove_metadata().equals(REPORT_SCHEMA), name


def test_a_written_report_reads_back_the_same(report_dir: Path) -> None:
    report = read_report(report_dir)

    assert report is not None
    assert report.as_of.isoformat() == "2024-02-29"
    assert str(report.months[0]) == "2023-03"
    assert report.informal.value == 84_130_000
    assert report.rows.num_rows == 12 * (1 + 38 + 514 + 2)


def test_a_folder_without_a_report_has_none(tmp_path: Path) -> None:
    assert read_report(tmp_path) is None
    assert read_report(tmp_path / "missing") is None


def test_a_broken_summary_is_unreadable_not_a_crash(tmp_path: Path, report_dir: Path) -> None:
    for path in report_dir.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "summary.json").write_text("{not json")

    with pytest.raises(ReportUnreadable, match="cannot read the report"):
        read_report(tmp_path)


def test_a_report_of_another_version_is_unreadable(tmp_path: Path, report_dir: Path) -> None:
    for path in report_dir.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    summary = json.loads((tmp_path / "summary.json").read_text())
    (tmp_path / "summary.json").write_text(json.dumps({**summary, "version": 99}))

    with pytest.raises(ReportUnreadable, match="not a version 1 national enrolment report"):
        read_report(tmp_path)


def test_the_report_folder_comes_from_the_environment_or_var_analytics(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SERTAKAN_ANALYTICS_DIR", raising=False)
    monkeypatch.delenv("SERTAKAN_DATA_DIR", raising=False)
    assert Settings().analytics_dir == Path("var") / "analytics"

    monkeypatch.setenv("SERTAKAN_DATA_DIR", str(tmp_path / "state"))
    assert Settings().analytics_dir == tmp_path / "state" / "analytics"

    monkeypatch.setenv("SERTAKAN_ANALYTICS_DIR", str(tmp_path))
    assert Settings().analytics_dir == tmp_path


# --- the informal workforce (BPS Sakernas) ----------------------------------------------------


def test_the_informal_workforce_is_the_cited_bps_figure() -> None:
    informal = load_informal_workforce()

    assert informal.value == 84_130_000
    assert str(informal.as_of) == "2024-02"
    assert informal.scope == "national"
    assert informal.source == ("S-kontan-bps", "S-idx-bps")
    assert "Sakernas" in informal.reference


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("value: 84130000", "value: 0"),
        ("scope: national", "scope: province"),
        ("source: [S-kontan-bps, S-idx-bps]", "source: []"),
        ("status: confirmed", "status: confirmed\nextra: 1"),
    ],
)
def test_a_broken_informal_workforce_file_is_refused_naming_the_problem(
    tmp_path: Path, change: str, problem: str
) -> None:
    text = INFORMAL_WORKFORCE_FILE.read_text()
    assert change in text
    broken = tmp_path / "informal_workforce.yaml"
    broken.write_text(text.replace(change, problem))

    with pytest.raises(ConfigurationError, match=str(broken)):
        load_informal_workforce(broken)


# --- chart geometry ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("largest", "step"),
    [(0, 1), (1, 1), (4, 1), (7, 2), (37, 10), (1_520_920_400, 500_000_000), (400, 100)],
)
def test_axis_steps_are_round_and_four_of_them_reach_the_largest_value(
    largest: int, step: int
) -> None:
    assert nice_step(largest) == step
    assert 4 * step >= largest


def test_the_largest_bar_spans_the_track_and_others_are_in_proportion() -> None:
    chart = bar_chart(
        [BarItem("Bali", 0.02, "2%"), BarItem("Aceh", 0.01, "1%"), BarItem("Papua", 0.0, "0%")],
        width=400.0,
    )

    assert [row.bar_width for row in chart.rows] == [400.0, 200.0, 0.0]
    assert chart.rows[0].bar_y < chart.rows[1].bar_y < chart.rows[2].bar_y


def test_a_long_region_name_is_shortened_in_the_wide_layout_and_kept_in_the_tooltip() -> None:
    name = "Kabupaten Kepulauan Siau Tagulandang Biaro"
    chart = bar_chart([BarItem(name, 1.0, "1%")], width=640.0, label_width=150.0)

    assert chart.rows[0].label.endswith("…") and len(chart.rows[0].label) < len(name)
    assert chart.rows[0].title == name


def test_the_line_chart_starts_at_zero_and_its_top_tick_covers_the_largest_value() -> None:
    chart = line_chart(
        [Tick(0, "Jan"), Tick(0, "Feb"), Tick(0, "Mar")],
        [("billed", "Ditagih", [100, 250, 370], ["a", "b", "c"])],
        tick_text=str,
    )

    assert [tick.text for tick in chart.y_ticks] == ["0", "100", "200", "300", "400"]
    (series,) = chart.series
    assert series.points[0].x == chart.left and series.points[-1].x == chart.right
    assert (
        chart.top <= min(p.y for p in series.points)
        and max(p.y for p in series.points) <= chart.bottom
    )
