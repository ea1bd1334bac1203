"""The sandbox gateway's pretend bank page: what the payer sees, paying once, and refusing to
send the payer anywhere but back to Sertakan."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi.routing import APIRoute

from sertakan.access.permissions import Permission
from sertakan.app import create_app
from sertakan.billing.ports import PaymentInstruction, PaymentRequest
from sertakan.bootstrap import Container
from sertakan.gateways.notice_sender import NoticeSender, RetryPolicy
from sertakan.gateways.sandbox import SandboxGateway
from sertakan.gateways.sandbox_charges import ChargeBook, ChargeStatus
from sertakan.http.auth import Requires
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.web import sandbox_bank
from tests.support.auth import FormClient
from tests.support.sandbox import NoticeInbox

SECRET = b"rahasia-bersama-gateway-uji-0123456789"
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=WIB)  # the app's pinned clock (api/conftest.py)
EXPIRES = dt.datetime(2026, 11, 30, 23, 59, tzinfo=WIB)
SIMULATION = "SIMULASI — bukan pembayaran sungguhan"


class WithGateway:
    """The app's container with a gateway of the test's choosing."""

    def __init__(self, container: Container, gateway: object) -> None:
        self._container = container
        self.gateway = gateway

    def __getattr__(self, name: str) -> Any:
        return getattr(self._container, name)


@pytest.fixture
def inbox() -> NoticeInbox:
    return NoticeInbox()


@pytest.fixture
def gateway(tmp_path: Path, inbox: NoticeInbox) -> Iterator[SandboxGateway]:
    sender = NoticeSender(
        "http://testserver/api/v1/payments/notifications",
        retry=RetryPolicy(attempts=2, first_backoff=0.001),
        transport=inbox.transport,
    )
    gateway = SandboxGateway(
        ChargeBook(tmp_path / "sandbox.sqlite"),
        SECRET,
        "http://testserver",
        sender,
        FixedClock(NOW),
    )
    yield gateway
    gateway.close()


@pytest.fixture
def payer(container: Container, gateway: SandboxGateway) -> Iterator[FormClient]:
    app = create_app(cast(Container, WithGateway(container, gateway)))
    with FormClient(app, raise_server_exceptions=False) as client:
        yield client


def charge(gateway: SandboxGateway, channel: str = "va_bri") -> PaymentInstruction:
    return gateway.create_payment(
        PaymentRequest("INV-202611-4F2A9C01", 81_800, channel, "Ibu Ratna", EXPIRES)
    )


def links(response: Any) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'href="([^"]*)"', response.text)]


def is_on_this_site(href: str) -> bool:
    return href.startswith("#") or (href.startswith("/") and not href.startswith("//"))


def page_of(made: PaymentInstruction) -> str:
    return f"/sandbox/bayar/{made.reference}"


def test_the_page_shows_the_amount_the_virtual_account_and_that_it_is_a_simulation(
    payer: FormClient, gateway: SandboxGateway
) -> None:
    made = charge(gateway)

    response = payer.get(page_of(made))

    assert response.status_code == 200
    assert SIMULATION in response.text
    assert "Rp81.800" in response.text
    assert "Virtual Account BRI" in response.text
    assert made.va_number is not None and made.va_number in response.text
    assert "INV-202611-4F2A9C01" in response.text
    assert "Bayar sekarang (simulasi)" in response.text
    assert 'name="csrf_token"' in response.text


def test_a_qris_charge_shows_its_qris_payload(payer: FormClient, gateway: SandboxGateway) -> None:
    made = charge(gateway, "qris")

    response = payer.get(page_of(made))

    # Shown in chunks the line may break between (<wbr>), copied as one string.
    assert made.qris_payload is not None
    assert made.qris_payload in response.text.replace("<wbr>", "")
    assert "QRIS" in response.text


def test_paying_shows_success_and_sends_one_notice(
    payer: FormClient, gateway: SandboxGateway, inbox: NoticeInbox
) -> None:
    made = charge(gateway)

    response = payer.post(page_of(made), follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == page_of(made)
    shown = payer.get(response.headers["location"])
    assert "Pembayaran berhasil" in shown.text
    assert "Bayar sekarang (simulasi)" not in shown.text
    assert gateway.flush(5)
    assert len(inbox.requests) == 1
    paid = gateway.find(made.reference)
    assert paid is not None and paid.status is ChargeStatus.PAID
    assert paid.paid_at == NOW


def test_paying_twice_sends_no_second_notice(
    payer: FormClient, gateway: SandboxGateway, inbox: NoticeInbox
) -> None:
    made = charge(gateway)
    payer.post(page_of(made))

    again = payer.post(page_of(made))

    assert again.status_code == 200
    assert "Pembayaran berhasil" in again.text
    assert gateway.flush(5)
    assert len(inbox.requests) == 1


def test_a_form_without_its_csrf_token_pays_nothing(
    payer: FormClient, gateway: SandboxGateway, inbox: NoticeInbox
) -> None:
    made = charge(gateway)

    response = payer.raw_post(page_of(made), data={})

    assert response.status_code == 403
    assert gateway.flush(5)
    assert inbox.requests == []
    pending = gateway.find(made.reference)
    assert pending is not None and pending.status is ChargeStatus.PENDING


def test_an_unknown_reference_is_an_indonesian_404(payer: FormClient) -> None:
    shown = payer.get("/sandbox/bayar/SBX-0000000000000000")
    paid = payer.post("/sandbox/bayar/SBX-0000000000000000")

    assert shown.status_code == 404
    assert "Tagihan pembayaran tidak ditemukan" in shown.text
    assert paid.status_code == 404
    assert "Tagihan pembayaran tidak ditemukan" in paid.text


def test_after_paying_the_page_links_back_to_the_path_it_was_given(
    payer: FormClient, gateway: SandboxGateway
) -> None:
    made = charge(gateway)
    back = "/tagihan/INV-202611-4F2A9C01?dibayar=1"
    form = payer.get(page_of(made), params={"return_url": back})
    assert 'name="return_url"' in form.text

    response = payer.post(page_of(made), data={"return_url": back})

    assert response.status_code == 200
    assert response.url.path == page_of(made)
    assert 'href="/tagihan/INV-202611-4F2A9C01?dibayar=1"' in response.text


@pytest.mark.parametrize(
    "elsewhere",
    [
        "https://evil.example/tagihan",
        "//evil.example/tagihan",
        "/\\evil.example/tagihan",
        "javascript:alert(1)",
        "evil.example",
        "/tagihan\r\nLocation: https://evil.example",
    ],
)
def test_a_return_url_off_this_site_is_refused(
    payer: FormClient, gateway: SandboxGateway, inbox: NoticeInbox, elsewhere: str
) -> None:
    made = charge(gateway)

    shown = payer.get(page_of(made), params={"return_url": elsewhere})
    paid = payer.post(page_of(made), data={"return_url": elsewhere}, follow_redirects=False)

    # A CR or LF never reaches the page: the edge refuses control characters (422).
    refused, message = (
        (422, "Isian berisi karakter kontrol")
        if "\r" in elsewhere
        else (400, "Alamat kembali tidak sah")
    )
    assert shown.status_code == refused
    assert paid.status_code == refused
    for page in (shown, paid):
        # Every link stays on this site (the language switch keeps the query, encoded).
        assert all(is_on_this_site(href) for href in links(page)), links(page)
        assert 'name="return_url"' not in page.text
    assert "location" not in paid.headers
    assert message in shown.text
    assert gateway.flush(5)
    assert inbox.requests == []


def test_an_expired_charge_cannot_be_paid(
    payer: FormClient, gateway: SandboxGateway, inbox: NoticeInbox
) -> None:
    earlier = SandboxGateway(
        gateway.book,
        SECRET,
        "http://testserver",
        gateway.sender,
        FixedClock(NOW - dt.timedelta(days=3)),
    )
    made = earlier.create_payment(
        PaymentRequest(
            "INV-202611-00000009", 36_800, "va_bni", "Pak Budi", NOW - dt.timedelta(days=1)
        )
    )

    shown = payer.get(page_of(made))
    paid = payer.post(page_of(made))

    assert "kedaluwarsa" in shown.text
    assert "Bayar sekarang (simulasi)" not in shown.text
    assert paid.status_code == 409
    assert "kedaluwarsa" in paid.text
    assert gateway.flush(5)
    assert inbox.requests == []


def test_the_bank_pages_exist_only_when_the_gateway_is_the_sandbox(container: Container) -> None:
    real_gateway = object()
    app = create_app(cast(Container, WithGateway(container, real_gateway)))

    with FormClient(app, raise_server_exceptions=False) as client:
        response = client.get("/sandbox/bayar/SBX-0000000000000000")

    assert response.status_code == 404
    assert "Tagihan pembayaran tidak ditemukan" not in response.text


def test_every_bank_page_route_is_public() -> None:
    routes = [r for r in sandbox_bank.router.routes if isinstance(r, APIRoute)]

    assert {(tuple(sorted(r.methods or ())), r.path) for r in routes} == {
        (("GET",), "/sandbox/bayar/{reference}"),
        (("POST",), "/sandbox/bayar/{reference}"),
    }
    for route in routes:
        rules = [d.call for d in route.dependant.dependencies if isinstance(d.call, Requires)]
        assert [rule.permission for rule in rules] == [Permission.PUBLIC]
