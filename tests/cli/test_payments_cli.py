"""`sertakan payments reconcile | report | apply` at the console."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from sertakan.bootstrap import Container, bootstrap
from sertakan.cli.app import app
from sertakan.kernel.clock import FixedClock
from sertakan.kernel.periods import Month
from sertakan.registry.nik import build_nik
from sertakan.store.migrate import upgrade
from sertakan.store.tables import invoices, settlements
from tests.support.auth import CONSOLE
from tests.support.builders import a_worker
from tests.support.containers import GATEWAY_SECRET
from tests.support.notices import notice_body, signed

runner = CliRunner()
HEADER = "transaction_id,invoice_number,channel,amount,paid_at,settled_on"
PAID = "2026-12-15T09:00:00+07:00"  # billed then, and paid at once


@pytest.fixture
def container(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Container]:
    """Two self-paying workers billed for December (Rp28.400 each); the first one's payment
    was notified (SBX-A), the second one's never was."""
    monkeypatch.setenv("SERTAKAN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("SERTAKAN_TODAY", "2026-12-16")
    monkeypatch.setenv("SERTAKAN_SECRET_KEY", "k" * 32)
    monkeypatch.setenv("SERTAKAN_GATEWAY_SECRET", GATEWAY_SECRET)
    monkeypatch.setenv("SERTAKAN_SANDBOX_DB", str(tmp_path / "sandbox.sqlite"))
    # The settings the commands read, from the environment; the invoices issued and the first
    # one paid on the 15th (a payment is never older than its invoice).
    container = bootstrap(clock=FixedClock(dt.datetime.fromisoformat(PAID)))
    upgrade(container.engine)
    for seq in (1, 2):
        container.registry.enrol_member(
            CONSOLE,
            a_worker(
                nik=build_nik("327101", dt.date(1990, 8, 17), "F", seq),
                full_name=f"Pekerja {seq}",
                phone=f"08123456780{seq}",
                address="",
            ),
        )
    container.invoices.issue_month(CONSOLE, Month(2026, 12))
    first = number(container, 0)
    body = notice_body(first, 28_400, "SBX-A", dt.datetime.fromisoformat(PAID))
    container.payments.receive(body, signed(body))
    yield container
    container.engine.dispose()


def number(container: Container, index: int) -> str:
    with container.engine.connect() as conn:
        found = conn.scalars(select(invoices.c.number).order_by(invoices.c.number)).all()
    return str(found[index])


def settlement_file(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "settlement.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def count(output: str, status: str) -> int:
    found = re.search(rf"{status}\s*│[^│]*│\s*(\d+)", output)
    assert found is not None, f"{status!r} not in:\n{output}"
    return int(found.group(1))


def test_reconcile_prints_the_counts_and_flagged_rows_and_applies_the_unnotified_payment(
    container: Container, tmp_path: Path
) -> None:
    second = number(container, 1)
    path = settlement_file(
        tmp_path,
        f"SBX-A,{number(container, 0)},va_bri,28400,{PAID},2026-12-16",
        f"SBX-B,{second},va_bri,28400,{PAID},2026-12-16",
    )
    out = tmp_path / "report.csv"

    result = runner.invoke(
        app,
        [
            "payments",
            "reconcile",
            "--date",
            "2026-12-15",
            "--file",
            str(path),
            "--csv-out",
            str(out),
        ],
    )

    assert result.exit_code == 0, result.output
    assert (count(result.stdout, "matched"), count(result.stdout, "not_notified")) == (1, 1)
    assert count(result.stdout, "amount_mismatch") == 0
    [flagged] = [line for line in result.stdout.splitlines() if "SBX-B" in line]
    assert f"line 3  SBX-B  {second}  file Rp28.400  notice -  applied: this_run" in flagged
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["transaction_id"], r["status"]) for r in rows] == [
        ("SBX-B", "not_notified"),
        ("SBX-A", "matched"),
    ]
    with container.engine.connect() as conn:
        settled = conn.scalars(select(settlements.c.invoice_id)).all()
        second_id = conn.scalar(select(invoices.c.id).where(invoices.c.number == second))
    assert second_id in settled

    report = runner.invoke(app, ["payments", "report", "--date", "2026-12-15"])
    none_yet = runner.invoke(app, ["payments", "report", "--date", "2026-12-14"])

    assert report.exit_code == 0, report.output
    assert count(report.stdout, "not_notified") == 1
    assert none_yet.exit_code == 1
    assert "No reconciliation of 2026-12-14" in none_yet.stderr


def test_a_malformed_line_is_printed_with_its_line_and_column_and_the_rest_reconciled(
    container: Container, tmp_path: Path
) -> None:
    path = settlement_file(
        tmp_path,
        f"SBX-A,{number(container, 0)},va_bri,28400,{PAID},2026-12-16",
        f"SBX-B,{number(container, 1)},va_bri,Rp28.400,{PAID},2026-12-16",
    )

    result = runner.invoke(
        app, ["payments", "reconcile", "--date", "2026-12-15", "--file", str(path)]
    )

    assert result.exit_code == 0, result.output
    assert "line 3, amount: amount must be a positive whole number" in result.stderr
    assert "baris 3, kolom amount: Jumlah harus" in result.stderr
    assert "Traceback" not in result.output
    assert (count(result.stdout, "matched"), count(result.stdout, "unreadable")) == (1, 1)


def test_a_file_that_cannot_be_read_stores_nothing_and_exits_2(
    container: Container, tmp_path: Path
) -> None:
    path = tmp_path / "not-a-settlement.csv"
    path.write_text("invoice,amount\nINV-1,28400\n", encoding="utf-8")

    result = runner.invoke(
        app, ["payments", "reconcile", "--date", "2026-12-15", "--file", str(path)]
    )
    missing = runner.invoke(
        app, ["payments", "reconcile", "--date", "2026-12-15", "--file", str(tmp_path / "no.csv")]
    )

    assert result.exit_code == 2
    assert "line 1 must be the header" in result.stderr
    assert "Baris 1 harus berisi judul kolom" in result.stderr
    assert "Nothing was reconciled" in result.stderr
    assert missing.exit_code == 2
    assert "cannot read" in missing.stderr
    assert runner.invoke(app, ["payments", "report", "--date", "2026-12-15"]).exit_code == 1


def test_apply_says_when_nothing_is_pending(container: Container) -> None:
    result = runner.invoke(app, ["payments", "apply"])

    assert result.exit_code == 0, result.output
    assert "No pending notices" in result.stdout
