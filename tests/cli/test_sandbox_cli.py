"""`sertakan sandbox`: paying a charge from the console and writing the settlement file."""

from __future__ import annotations

import csv
import datetime as dt
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from sertakan.billing.ports import PaymentRequest
from sertakan.billing.signatures import SIGNATURE_HEADER
from sertakan.cli.sandbox_commands import sandbox_app
from sertakan.config import Settings
from sertakan.gateways.sandbox import SandboxGateway, make_sandbox_gateway
from sertakan.gateways.sandbox_charges import ChargeStatus
from sertakan.kernel.clock import WIB, FixedClock

runner = CliRunner()
TODAY = dt.datetime(2026, 12, 16, 9, 0, tzinfo=WIB)
EXPIRES = dt.datetime(2026, 12, 31, 23, 59, tzinfo=WIB)


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERTAKAN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("SERTAKAN_TODAY", TODAY.date().isoformat())
    monkeypatch.setenv("SERTAKAN_SECRET_KEY", "k" * 32)
    monkeypatch.setenv("SERTAKAN_GATEWAY_SECRET", "g" * 32)
    monkeypatch.setenv("SERTAKAN_SANDBOX_DB", str(tmp_path / "sandbox.sqlite"))
    monkeypatch.setenv("SERTAKAN_PUBLIC_URL", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def gateway() -> Iterator[SandboxGateway]:
    gateway = make_sandbox_gateway(Settings(), clock=FixedClock(TODAY - dt.timedelta(days=5)))
    yield gateway
    gateway.close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class Inbox(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, bytes, str]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Inbox.received.append((self.path, body, self.headers[SIGNATURE_HEADER]))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def app_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, bytes, str]]]:
    Inbox.received = []
    server = HTTPServer(("127.0.0.1", 0), Inbox)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("SERTAKAN_PUBLIC_URL", f"http://127.0.0.1:{server.server_address[1]}")
    yield Inbox.received
    server.shutdown()
    server.server_close()


def open_charge(gateway: SandboxGateway, invoice: str = "INV-202612-00000001") -> str:
    return gateway.create_payment(
        PaymentRequest(invoice, 81_800, "va_bri", "Ibu Ratna", EXPIRES)
    ).reference


def test_paying_from_the_console_notifies_the_running_app(
    gateway: SandboxGateway, app_server: list[tuple[str, bytes, str]]
) -> None:
    reference = open_charge(gateway)

    result = runner.invoke(sandbox_app, ["pay", reference, "--wait", "10"])

    assert result.exit_code == 0, result.output
    assert "Notice delivered" in result.output
    ((path, body, signature),) = app_server
    assert path == "/api/v1/payments/notifications"
    assert gateway.verify(body, signature)
    charge = gateway.find(reference)
    assert charge is not None and charge.status is ChargeStatus.PAID
    assert charge.paid_at == TODAY  # the pinned clock of SERTAKAN_TODAY


def test_a_notice_the_app_never_received_is_an_error_but_the_charge_stays_paid(
    gateway: SandboxGateway,
) -> None:
    reference = open_charge(gateway)

    result = runner.invoke(sandbox_app, ["pay", reference, "--attempts", "1", "--wait", "10"])

    assert result.exit_code == 1
    assert "not delivered" in result.output
    assert "sandbox resend" in result.output
    charge = gateway.find(reference)
    assert charge is not None and charge.status is ChargeStatus.PAID


def test_paying_a_paid_charge_again_sends_nothing(
    gateway: SandboxGateway, app_server: list[tuple[str, bytes, str]]
) -> None:
    reference = open_charge(gateway)
    gateway.pay(reference, TODAY)

    result = runner.invoke(sandbox_app, ["pay", reference, "--wait", "10"])

    assert result.exit_code == 0, result.output
    assert "already paid" in result.output
    assert app_server == []


def test_an_unknown_charge_is_a_clear_error_with_exit_code_2() -> None:
    result = runner.invoke(sandbox_app, ["pay", "SBX-0000000000000000"])

    assert result.exit_code == 2
    assert "no sandbox charge" in result.output


def test_the_settlement_command_writes_the_charges_paid_that_day(
    gateway: SandboxGateway, tmp_path: Path
) -> None:
    paid = open_charge(gateway, "INV-1")
    gateway.pay(paid, dt.datetime(2026, 12, 15, 10, 0, tzinfo=WIB))
    gateway.pay(open_charge(gateway, "INV-2"), dt.datetime(2026, 12, 14, 10, 0, tzinfo=WIB))
    out = tmp_path / "settlement.csv"

    result = runner.invoke(sandbox_app, ["settlement", "--date", "2026-12-15", "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert "1 payments of 2026-12-15, Rp81.800" in result.output
    with out.open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(r["transaction_id"], r["invoice_number"], r["amount"]) for r in rows] == [
        (paid, "INV-1", "81800")
    ]


def test_the_settlement_file_is_yesterdays_by_default(
    gateway: SandboxGateway, tmp_path: Path
) -> None:
    reference = open_charge(gateway)
    gateway.pay(reference, TODAY - dt.timedelta(days=1))

    result = runner.invoke(sandbox_app, ["settlement"])

    assert result.exit_code == 0, result.output
    text = (tmp_path / "settlement-2026-12-15.csv").read_text()
    assert reference in text


def test_a_settlement_date_that_is_not_a_date_is_refused() -> None:
    result = runner.invoke(sandbox_app, ["settlement", "--date", "15-12-2026"])

    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output
