"""`sertakan notifications deliver` and `pending` at the console (SQLite, console provider)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sertakan.cli import notification_commands
from sertakan.cli.notification_commands import notifications_app
from sertakan.kernel.clock import WIB
from sertakan.notifications.model import Message
from sertakan.store.engine import make_engine
from sertakan.store.migrate import upgrade
from sertakan.store.unit_of_work import SqlUnitOfWork

runner = CliRunner()
# SERTAKAN_TODAY pins the clock at 09:00 WIB that day; these were written before.
EARLIER = dt.datetime(2026, 11, 25, 8, 0, tzinfo=WIB)


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SERTAKAN_DATABASE_URL", url)
    monkeypatch.setenv("SERTAKAN_TODAY", "2026-11-25")
    monkeypatch.setenv("SERTAKAN_SECRET_KEY", "k" * 32)
    engine = make_engine(url)
    upgrade(engine)
    with SqlUnitOfWork(engine) as uow:
        for n, template in enumerate(["billing.invoice_due_soon"] * 2 + ["billing.receipt"]):
            uow.outbox.add(
                Message(
                    f"msg{n}",
                    "sms",
                    "+6281234567890",
                    template,
                    f"Tagihan BPJAMSOSTEK INV-202612-0000000{n} Rp81.800.",
                    EARLIER + dt.timedelta(minutes=n),
                )
            )
        uow.commit()
    engine.dispose()
    yield url


def test_deliver_sends_the_due_messages_once_and_says_how_many(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="sertakan.sms"):
        first = runner.invoke(notifications_app, ["deliver"])
    second = runner.invoke(notifications_app, ["deliver"])

    assert first.exit_code == 0, first.output
    assert "Sent 3, failed 0 (to retry), gave up 0." in first.output
    assert "Sent 0, failed 0 (to retry), gave up 0." in second.output
    sms = [r.getMessage() for r in caplog.records if r.name == "sertakan.sms"]
    assert len(sms) == 3
    assert sms[0] == "SMS ke +62812*****890: Tagihan BPJAMSOSTEK INV-202612-00000000 Rp81.800."


def test_deliver_with_a_limit_leaves_the_rest_for_the_next_run() -> None:
    result = runner.invoke(notifications_app, ["deliver", "--limit", "2"])

    assert "Sent 2," in result.output
    assert "Sent 1," in runner.invoke(notifications_app, ["deliver"]).output


def test_pending_counts_per_template_then_reports_an_empty_outbox() -> None:
    before = runner.invoke(notifications_app, ["pending"])

    assert before.exit_code == 0, before.output
    due_soon = next(line for line in before.output.splitlines() if "invoice_due_soon" in line)
    assert [cell.strip() for cell in due_soon.split("│")[2:6]] == ["2", "2", "0", "0"]
    assert "billing.receipt" in before.output

    runner.invoke(notifications_app, ["deliver"])
    assert "Nothing waits in the outbox." in runner.invoke(notifications_app, ["pending"]).output


def test_deliver_loop_runs_until_interrupted(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(seconds: float) -> None:
        assert seconds == 0.5
        raise KeyboardInterrupt

    # Only the command's own pause: other threads (a Spark gateway) keep the real sleep.
    monkeypatch.setattr(notification_commands, "sleep", interrupt)

    result = runner.invoke(notifications_app, ["deliver", "--loop", "--interval", "0.5"])

    assert result.exit_code == 0, result.output
    assert "Delivering every 0.5 s; Ctrl-C stops." in result.output
    assert "Sent 3, failed 0 (to retry), gave up 0." in result.output
    assert result.output.rstrip().endswith("Stopped.")
