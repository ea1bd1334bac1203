"""`sertakan events pending` and `publish` at the console (SQLite): the unpublished events
per kind, then published once; a kind nobody subscribes to is published all the same."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sertakan.cli.event_commands import events_app
from sertakan.kernel.clock import WIB
from sertakan.kernel.events import Event
from sertakan.store.engine import make_engine
from sertakan.store.migrate import upgrade
from sertakan.store.unit_of_work import SqlUnitOfWork

runner = CliRunner()
AT = dt.datetime(2026, 11, 25, 8, 0, tzinfo=WIB)


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SERTAKAN_DATABASE_URL", url)
    monkeypatch.setenv("SERTAKAN_TODAY", "2026-11-25")
    monkeypatch.setenv("SERTAKAN_SECRET_KEY", "k" * 32)
    monkeypatch.setenv("SERTAKAN_DATA_DIR", str(tmp_path))
    engine = make_engine(url)
    upgrade(engine)
    with SqlUnitOfWork(engine) as uow:
        uow.events.append(
            [
                Event("billing.payment_settled", f"billing.payment_settled:p{n}", AT, {})
                for n in (1, 2)
            ]
        )
        uow.commit()
    engine.dispose()
    yield url


def test_pending_then_publish_then_nothing_waits() -> None:
    before = runner.invoke(events_app, ["pending"])
    assert before.exit_code == 0, before.output
    row = next(line for line in before.output.splitlines() if "billing.payment_settled" in line)
    assert [cell.strip() for cell in row.split("│")[2:4]] == ["2", "0"]

    first = runner.invoke(events_app, ["publish"])
    second = runner.invoke(events_app, ["publish"])

    assert first.exit_code == 0, first.output
    assert "Published 2 events; failed 0." in first.output
    assert "Published 0 events; failed 0." in second.output
    assert "No event waits to be published." in runner.invoke(events_app, ["pending"]).output
