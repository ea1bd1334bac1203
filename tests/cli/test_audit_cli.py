"""`sertakan audit export` and `sertakan access matrix` at the console."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sertakan.access.permissions import matrix_markdown
from sertakan.cli.app import app
from sertakan.registry.nik import build_nik

runner = CliRunner()


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("SERTAKAN_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("SERTAKAN_TODAY", "2026-11-25")
    monkeypatch.setenv("SERTAKAN_SECRET_KEY", "k" * 32)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return path


def enrol() -> None:
    nik = build_nik("327101", dt.date(1990, 8, 17), "F", 12)
    result = runner.invoke(
        app,
        [
            "member", "enrol", "--nik", nik, "--name", "Siti Rahmawati",
            "--birth-date", "1990-08-17", "--sex", "F", "--phone", "0812-3456-7890",
            "--region", "32.71.01.1001", "--occupation", "household_helper",
            "--income", "1000000",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_the_export_writes_every_event_of_the_range_as_csv_with_the_nik_masked(
    tmp_path: Path,
) -> None:
    enrol()
    out = tmp_path / "audit.csv"

    result = runner.invoke(
        app, ["audit", "export", "--from", "2026-11-25", "--to", "2026-11-25", "--out", str(out)]
    )

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    actions = [row["action"] for row in rows]
    assert "member.enrol" in actions and "account.create" in actions
    enrolment = next(row for row in rows if row["action"] == "member.enrol")
    assert enrolment["actor_role"] == "system"
    assert "3271********0012" in enrolment["after"]
    assert build_nik("327101", dt.date(1990, 8, 17), "F", 12) not in out.read_text()


def test_the_export_writes_parquet_and_a_day_without_events_gives_an_empty_file(
    tmp_path: Path,
) -> None:
    enrol()
    full, empty = tmp_path / "a.parquet", tmp_path / "b.parquet"

    assert runner.invoke(
        app,
        ["audit", "export", "--from", "2026-11-01", "--to", "2026-11-30",
         "--out", str(full), "--format", "parquet"],
    ).exit_code == 0  # fmt: skip
    assert runner.invoke(
        app,
        ["audit", "export", "--from", "2020-01-01", "--to", "2020-01-02",
         "--out", str(empty), "--format", "parquet"],
    ).exit_code == 0  # fmt: skip

    table = pq.read_table(full)
    assert "member.enrol" in table.column("action").to_pylist()
    assert pq.read_table(empty).num_rows == 0
    assert pq.read_table(empty).schema.names == table.schema.names


def test_a_backwards_range_or_a_bad_date_is_a_clear_error_with_exit_code_2(
    tmp_path: Path,
) -> None:
    out = str(tmp_path / "x.csv")
    backwards = runner.invoke(
        app, ["audit", "export", "--from", "2026-11-25", "--to", "2026-11-01", "--out", out]
    )
    bad = runner.invoke(
        app, ["audit", "export", "--from", "25-11-2026", "--to", "2026-11-25", "--out", out]
    )

    assert backwards.exit_code == 2 and "Traceback" not in backwards.output
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_the_printed_matrix_is_the_one_in_the_code() -> None:
    result = runner.invoke(app, ["access", "matrix"])

    assert result.exit_code == 0
    assert result.output == matrix_markdown()
