"""The `sertakan` command line, as a branch officer would type it."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sertakan.cli.app import app
from sertakan.cli.common import show_app_logs
from sertakan.notifications.model import Message
from sertakan.notifications.providers import ConsoleProvider
from sertakan.registry.nik import build_nik

runner = CliRunner()


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("SERTAKAN_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("SERTAKAN_TODAY", "2026-11-25")
    return path


def test_the_bpu_quote_as_json_matches_the_api(database: Path) -> None:
    result = runner.invoke(
        app,
        [
            "contribution",
            "bpu",
            "--income",
            "2500000",
            "--on",
            "2025-06-01",
            "--programs",
            "JKK,JKM,JHT",
            "--json",
        ],
    )

    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["parts"] == {"JKK": 25_000, "JKM": 6_800, "JHT": 50_000}
    assert body["total"] == 81_800


def test_the_bpu_quote_table_shows_rupiah_the_indonesian_way() -> None:
    result = runner.invoke(app, ["contribution", "bpu", "--income", "1000000"])

    assert result.exit_code == 0, result.output
    assert "Rp8.400" in result.stdout  # today, with the PP 50/2025 discount
    assert "PP 44/2015" in result.stdout  # each part names its law
    assert "PP 50/2025" in result.stdout
    assert "Rp16.800" not in result.stdout.split("Total")[1].splitlines()[0]


def test_a_bad_income_is_a_clear_error_with_exit_code_2() -> None:
    result = runner.invoke(app, ["contribution", "bpu", "--income", "1050000"])

    assert result.exit_code == 2
    assert "declared_income" in result.stderr
    assert "bpu.declared_income.level" in result.stderr
    assert "Traceback" not in result.output


def test_a_quote_past_the_prepayment_horizon_is_refused_with_exit_code_2() -> None:
    result = runner.invoke(
        app, ["contribution", "bpu", "--income", "1000000", "--on", "9999-12-31"]
    )

    assert result.exit_code == 2
    assert "bpu.prepayment.max_months_ahead" in result.stderr
    assert "2027-11-30" in result.stderr
    assert "Traceback" not in result.output


def test_the_pu_quote_prints_employer_and_worker_totals() -> None:
    result = runner.invoke(
        app,
        [
            "contribution",
            "pu",
            "--wage",
            "10000000",
            "--risk-class",
            "medium",
            "--on",
            "2024-06-01",
            "--json",
        ],
    )

    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert (body["employer_total"], body["worker_total"]) == (689_000, 300_000)


def _enrol_args(nik: str, name: str, *extra: str) -> list[str]:
    return [
        "member", "enrol", "--nik", nik, "--name", name, "--birth-date", "1990-08-17",
        "--sex", "F", "--phone", "081234567890", "--region", "32.71.01.1001",
        "--occupation", "household_helper", "--income", "1000000", *extra,
    ]  # fmt: skip


def test_an_officer_migrates_enrols_and_shows_a_member() -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    nik = build_nik("327101", dt.date(1990, 8, 17), "F", 12)

    enrolled = runner.invoke(
        app, _enrol_args(nik, "Siti Rahmawati", "--programs", "JKK,JKM,JHT", "--json")
    )
    assert enrolled.exit_code == 0, enrolled.output
    kpj = json.loads(enrolled.stdout)["kpj"]

    shown = runner.invoke(app, ["member", "show", kpj])
    assert shown.exit_code == 0, shown.output
    assert "Siti Rahmawati" in shown.stdout
    assert "Rp28.400" in shown.stdout
    assert "Menunggu pembayaran pertama" in shown.stdout

    again = runner.invoke(app, _enrol_args(nik, "Siti"))
    assert again.exit_code == 2
    assert kpj[-4:] in again.stderr
    assert kpj not in again.stderr


def test_showing_an_unknown_member_is_a_clear_error() -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["member", "show", "00000000000"])

    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_demo_load_fills_the_bogor_branch_once_and_keeps_it(database: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0

    first = runner.invoke(app, ["demo", "load", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "Bogor Kota" in first.stdout
    again = runner.invoke(app, ["demo", "load", "--if-empty"])
    assert again.exit_code == 0
    assert "already loaded" in again.stdout


def test_a_missing_region_folder_is_explained_not_a_stack_trace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SERTAKAN_REGIONS_DIR", "/nonexistent/regions")

    # (A quote needs no regions, nor the database: `contribution bpu` works without them.)
    result = runner.invoke(app, ["member", "find", "rahma"])

    assert result.exit_code == 2
    assert "SERTAKAN_REGIONS_DIR" in result.stderr
    assert "Traceback" not in result.output


def test_the_server_log_shows_the_console_sms_so_a_demo_user_can_read_their_code() -> None:
    stream = io.StringIO()
    handler = show_app_logs(stream)
    try:
        ConsoleProvider().deliver(
            Message(
                "m1",
                "sms",
                "+6281234567890",
                "code.sign_in",
                "Kode masuk Sertakan: 123456.",
                dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC),
            )
        )
    finally:
        logging.getLogger("sertakan").removeHandler(handler)

    assert "SMS ke +62812*****890: Kode masuk Sertakan: 123456." in stream.getvalue()
