"""`sertakan nation report` as an analyst would type it: the headline and the province table
the Indonesian way, the exports in the folder, and bad input as a message with exit code 2."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sertakan.cli.app import app
from sertakan.kernel.periods import Month
from tests.analytics.nation_data import member, payment, write_dataset

runner = CliRunner()


@pytest.fixture(autouse=True)
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERTAKAN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("SERTAKAN_ANALYTICS_DIR", str(tmp_path / "analytics"))
    # Wide enough for the whole province table: Rich would otherwise shorten names.
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """Two Kota Bogor members paying Rp16.800 a month since January 2023; b paid up to
    December (January and February unpaid on 29 February 2024: in arrears)."""
    payments = []
    for index in range(14):
        month = Month(2023, 1).plus(index)
        payments.append(payment("a", month, month.first_day + dt.timedelta(days=2)))
        if month <= Month(2023, 12):
            payments.append(payment("b", month, month.first_day + dt.timedelta(days=2)))
    members = [
        member("a", enrolled_on=dt.date(2023, 1, 2)),
        member("b", enrolled_on=dt.date(2023, 1, 2)),
    ]
    return write_dataset(tmp_path / "data", members, payments)


def report(*arguments: str) -> list[str]:
    return ["nation", "report", "--as-of", "2024-02-29", *arguments]


def test_the_report_prints_indonesia_and_the_provinces_the_indonesian_way(
    data: Path, tmp_path: Path
) -> None:
    result = runner.invoke(app, report("--data", str(data), "--months", "2"))

    assert result.exit_code == 0, result.output
    assert "Cakupan Indonesia per 2024-02-29" in result.stdout
    assert "84.130.000 pekerja informal" in result.stdout
    assert "Rp33.600" in result.stdout  # billed in February: a and b
    assert "Rp16.800" in result.stdout  # collected in February: a
    assert "Jawa Barat" in result.stdout and "Papua Barat Daya" in result.stdout
    assert (tmp_path / "analytics" / "summary.json").is_file()  # where the page reads


def test_the_exports_go_to_the_folder_asked_for(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "exports"
    result = runner.invoke(app, report("--data", str(data), "--months", "1", "--out", str(out)))

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((out / "regencies.csv").read_text())))
    bogor = next(row for row in rows if row["code"] == "32.71")
    assert (bogor["aktif"], bogor["menunggak"], bogor["billed"]) == ("1", "1", "33600")
    assert (out / "trend.parquet").is_file()


def test_the_province_table_can_be_printed_as_csv_for_a_pipe(data: Path) -> None:
    result = runner.invoke(app, report("--data", str(data), "--months", "1", "--format", "csv"))

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["name"] == "Indonesia" and rows[0]["members"] == "2"


def test_a_folder_that_does_not_exist_is_a_message_and_exit_code_2(tmp_path: Path) -> None:
    result = runner.invoke(app, report("--data", str(tmp_path / "nowhere")))

    assert result.exit_code == 2
    assert "no such data folder" in result.output
    assert "Traceback" not in result.output


def test_a_date_before_the_rules_is_a_message_and_exit_code_2(data: Path) -> None:
    result = runner.invoke(app, ["nation", "report", "--as-of", "2022-06-30", "--data", str(data)])

    assert result.exit_code == 2
    assert "bpu/arrears.yaml: not in the parameters yet" in result.output


def test_empty_data_is_a_message_and_exit_code_2(tmp_path: Path) -> None:
    empty = write_dataset(tmp_path / "empty", [], [])

    result = runner.invoke(app, report("--data", str(empty)))

    assert result.exit_code == 2
    assert "no member" in result.output


def test_a_malformed_date_is_a_message_and_exit_code_2(data: Path) -> None:
    result = runner.invoke(app, ["nation", "report", "--as-of", "29-02-2024", "--data", str(data)])

    assert result.exit_code == 2
    assert "expected a date as YYYY-MM-DD" in result.output


def test_an_unknown_engine_is_refused_by_the_command_line(data: Path) -> None:
    result = runner.invoke(app, report("--data", str(data), "--engine", "oracle"))

    assert result.exit_code == 2


def test_the_province_table_can_be_piped_as_parquet(data: Path) -> None:
    import pyarrow.parquet as pq

    result = runner.invoke(app, report("--data", str(data), "--months", "1", "--format", "parquet"))

    assert result.exit_code == 0, result.output
    table = pq.read_table(io.BytesIO(result.stdout_bytes))
    assert table.column("name").to_pylist()[0] == "Indonesia"


def test_the_demo_makes_a_synthetic_nation_and_its_report_once(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    made = runner.invoke(app, ["nation", "demo", "--members", "2000", "--out", str(out)])

    assert made.exit_code == 0, made.output
    assert "as of 2024-12-31" in made.stdout and "2.000 synthetic members" in made.stdout
    assert (out / "summary.json").is_file() and (out / "demo-data" / "manifest.json").is_file()

    # The old command name still answers (an alias: scripts and Makefiles typed it).
    again = runner.invoke(app, ["coverage", "demo", "--if-empty", "--out", str(out)])

    assert again.exit_code == 0, again.output
    assert "already" in again.stdout
