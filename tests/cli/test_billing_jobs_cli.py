"""`sertakan billing issue` and `sertakan jobs daily` at the console, each run twice."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from sertakan.cli.app import app
from sertakan.registry.nik import build_nik
from sertakan.store.tables import outbox_messages

runner = CliRunner()


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("SERTAKAN_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("SERTAKAN_TODAY", "2026-12-12")  # three days before the 15th
    monkeypatch.setenv("SERTAKAN_SECRET_KEY", "k" * 32)
    monkeypatch.setenv("SERTAKAN_GATEWAY_SECRET", "g" * 32)
    monkeypatch.setenv("SERTAKAN_SANDBOX_DB", str(tmp_path / "sandbox.sqlite"))
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    nik = build_nik("327101", dt.date(1990, 8, 17), "F", 12)
    enrolled = runner.invoke(
        app,
        [
            "member", "enrol", "--nik", nik, "--name", "Siti Rahmawati",
            "--birth-date", "1990-08-17", "--sex", "F", "--phone", "0812-3456-7890",
            "--region", "32.71.01.1001", "--occupation", "household_helper",
            "--income", "1000000", "--programs", "JKK,JKM,JHT",
        ],
    )  # fmt: skip
    assert enrolled.exit_code == 0, enrolled.output
    return path


def _count(output: str, label: str) -> int:
    found = re.search(rf"{re.escape(label)}[^│\n]*│\s*([\d.,]+)", output)
    assert found is not None, f"{label!r} not in:\n{output}"
    return int(found.group(1).replace(",", ""))


def test_issuing_a_month_twice_issues_its_invoices_once() -> None:
    first = runner.invoke(app, ["billing", "issue", "--month", "2026-12"])
    again = runner.invoke(app, ["billing", "issue", "--month", "2026-12"])

    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    assert _count(first.stdout, "New invoices") == 1
    assert "Rp28.400" in first.stdout  # Siti, with the PP 50/2025 discount
    assert _count(again.stdout, "New invoices") == 0
    assert _count(again.stdout, "Already billed") == 1


def test_a_bad_month_is_a_clear_error() -> None:
    result = runner.invoke(app, ["billing", "issue", "--month", "Desember"])

    assert result.exit_code == 2
    assert "YYYY-MM" in result.stderr


def test_the_daily_job_bills_and_reminds_once_and_a_second_run_does_nothing(
    database: Path,
) -> None:
    first = runner.invoke(app, ["jobs", "daily"])  # --on defaults to the clock's today
    again = runner.invoke(app, ["jobs", "daily", "--on", "2026-12-12"])

    assert first.exit_code == 0, first.output
    assert "Daily job for 2026-12-12" in first.stdout
    assert _count(first.stdout, "New invoices") == 1
    assert _count(first.stdout, "Due soon") == 1
    assert again.exit_code == 0, again.output
    assert _count(again.stdout, "New invoices") == 0
    assert _count(again.stdout, "Due soon") == 0
    assert "Reminders queued: 0" in again.stdout
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        templates = conn.scalars(select(outbox_messages.c.template)).all()
    engine.dispose()
    assert templates.count("billing.invoice_due_soon") == 1  # for `notifications deliver`
