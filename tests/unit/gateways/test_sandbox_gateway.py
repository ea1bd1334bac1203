"""The sandbox gateway: charges it opens, what it signs, what it sends once paid, and its
daily settlement file."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import stat
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sertakan.billing.channels import CHANNELS, is_virtual_account
from sertakan.billing.notices import parse_notice
from sertakan.billing.ports import PaymentGateway, PaymentRequest
from sertakan.billing.signatures import sign
from sertakan.config import Settings
from sertakan.gateways.notice_sender import NoticeSender, RetryPolicy
from sertakan.gateways.qris import crc16_ccitt, read_fields
from sertakan.gateways.sandbox import (
    SETTLEMENT_HEADER,
    VA_PREFIXES,
    SandboxGateway,
    gateway_secret,
    make_sandbox_gateway,
)
from sertakan.gateways.sandbox_charges import (
    ChargeBook,
    ChargeExpired,
    ChargeMismatch,
    ChargeNotFound,
    ChargeStatus,
)
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.kernel.errors import RuleViolation
from tests.support.sandbox import NoticeInbox

SECRET = b"rahasia-bersama-gateway-uji-0123456789"
BASE = "http://sertakan.test"
NOW = dt.datetime(2026, 12, 14, 8, 0, tzinfo=WIB)
EXPIRES = dt.datetime(2026, 12, 20, 23, 59, tzinfo=WIB)


@pytest.fixture
def inbox() -> NoticeInbox:
    return NoticeInbox()


@pytest.fixture
def gateway(tmp_path: Path, inbox: NoticeInbox) -> Iterator[SandboxGateway]:
    sender = NoticeSender(
        BASE + "/api/v1/payments/notifications",
        retry=RetryPolicy(attempts=3, first_backoff=0.001),
        transport=inbox.transport,
    )
    gateway = SandboxGateway(
        ChargeBook(tmp_path / "bank.sqlite"), SECRET, BASE, sender, FixedClock(NOW)
    )
    yield gateway
    gateway.close()


def request(
    invoice: str = "INV-202612-4F2A9C01", channel: str = "va_bri", amount: int = 81_800
) -> PaymentRequest:
    return PaymentRequest(invoice, amount, channel, "Ibu Ratna", EXPIRES)


def test_the_sandbox_is_a_payment_gateway(gateway: SandboxGateway) -> None:
    port: PaymentGateway = gateway

    assert port.name == "sandbox"


def test_a_charge_has_a_sandbox_reference_and_the_page_to_pay_it(gateway: SandboxGateway) -> None:
    made = gateway.create_payment(request())

    assert re.fullmatch(r"SBX-[0-9A-F]{16}", made.reference)
    assert made.pay_url == f"{BASE}/sandbox/bayar/{made.reference}"
    assert (made.gateway, made.invoice_number, made.amount, made.channel) == (
        "sandbox",
        "INV-202612-4F2A9C01",
        81_800,
        "va_bri",
    )
    assert made.expires_at == EXPIRES


def test_asking_twice_for_the_same_invoice_and_channel_gives_the_same_charge(
    gateway: SandboxGateway,
) -> None:
    first = gateway.create_payment(request())
    second = gateway.create_payment(request())

    assert second == first


def test_another_channel_or_invoice_gets_its_own_charge(gateway: SandboxGateway) -> None:
    first = gateway.create_payment(request())

    other_channel = gateway.create_payment(request(channel="va_bni"))
    other_invoice = gateway.create_payment(request(invoice="INV-202612-00000002"))

    assert len({first.reference, other_channel.reference, other_invoice.reference}) == 3


def test_a_paid_charge_is_not_handed_out_again(gateway: SandboxGateway) -> None:
    first = gateway.create_payment(request())
    gateway.pay(first.reference, NOW)

    again = gateway.create_payment(request())

    assert again.reference != first.reference


def test_an_expired_charge_is_replaced_by_a_new_one(gateway: SandboxGateway) -> None:
    first = gateway.create_payment(request())
    after_expiry = EXPIRES + dt.timedelta(hours=1)
    later = SandboxGateway(gateway.book, SECRET, BASE, gateway.sender, FixedClock(after_expiry))

    again = later.create_payment(
        PaymentRequest(
            first.invoice_number, 81_800, "va_bri", "Ibu Ratna", after_expiry + dt.timedelta(days=7)
        )
    )

    assert again.reference != first.reference
    old = gateway.find(first.reference)
    assert old is not None and old.status is ChargeStatus.EXPIRED


def test_the_same_invoice_with_another_amount_is_refused(gateway: SandboxGateway) -> None:
    gateway.create_payment(request())

    with pytest.raises(ChargeMismatch):
        gateway.create_payment(request(amount=90_000))


@pytest.mark.parametrize("channel", [c for c in CHANNELS if is_virtual_account(c)])
def test_a_virtual_account_is_the_banks_prefix_and_twelve_digits(
    gateway: SandboxGateway, channel: str
) -> None:
    made = gateway.create_payment(request(channel=channel))

    assert made.va_number is not None
    assert re.fullmatch(re.escape(VA_PREFIXES[channel]) + r"\d{12}", made.va_number)
    assert made.qris_payload is None


def test_a_bri_virtual_account_starts_with_88908() -> None:
    assert VA_PREFIXES["va_bri"] == "88908"


def test_a_qris_charge_carries_a_payload_for_its_amount_with_a_valid_crc(
    gateway: SandboxGateway,
) -> None:
    made = gateway.create_payment(request(channel="qris"))

    assert made.qris_payload is not None and made.va_number is None
    payload = made.qris_payload
    assert payload.startswith("000201010212")
    assert read_fields(payload)["54"] == "81800"
    assert payload[-4:] == f"{crc16_ccitt(payload[:-4].encode()):04X}"


def test_an_e_wallet_charge_has_neither_account_nor_qr(gateway: SandboxGateway) -> None:
    made = gateway.create_payment(request(channel="ewallet_dana"))

    assert (made.va_number, made.qris_payload) == (None, None)


def test_a_bad_request_names_every_wrong_field(gateway: SandboxGateway) -> None:
    bad = PaymentRequest("", 0, "va_xyz", "Ibu Ratna", NOW - dt.timedelta(minutes=1))

    with pytest.raises(RuleViolation) as caught:
        gateway.create_payment(bad)

    assert {v.field for v in caught.value.violations} == {
        "invoice_number",
        "amount",
        "channel",
        "expires_at",
    }


def test_paying_marks_the_charge_paid_and_sends_one_signed_notice(
    gateway: SandboxGateway, inbox: NoticeInbox
) -> None:
    made = gateway.create_payment(request())
    paid_at = dt.datetime(2026, 12, 15, 9, 15, 30, 123_456, tzinfo=WIB)

    charge = gateway.pay(made.reference, paid_at)

    assert gateway.flush(5)
    assert charge.status is ChargeStatus.PAID
    assert charge.paid_at == paid_at.replace(microsecond=0)
    (sent,) = inbox.requests
    assert gateway.verify(sent.content, sent.headers["X-Callback-Signature"])
    assert json.loads(sent.content) == {
        "transaction_id": made.reference,
        "invoice_number": "INV-202612-4F2A9C01",
        "amount": 81_800,
        "currency": "IDR",
        "channel": "va_bri",
        "status": "paid",
        "paid_at": "2026-12-15T09:15:30+07:00",
    }
    notice = parse_notice(sent.content)
    assert (notice.transaction_id, notice.amount, notice.paid_at) == (
        made.reference,
        81_800,
        paid_at.replace(microsecond=0),
    )


def test_paying_a_paid_charge_changes_nothing_and_sends_nothing(
    gateway: SandboxGateway, inbox: NoticeInbox
) -> None:
    made = gateway.create_payment(request())
    first = gateway.pay(made.reference, NOW)

    again = gateway.pay(made.reference, NOW + dt.timedelta(hours=2))

    assert gateway.flush(5)
    assert again == first
    assert len(inbox.requests) == 1


def test_a_charge_is_paid_in_the_time_the_caller_gives_converted_to_wib(
    gateway: SandboxGateway,
) -> None:
    made = gateway.create_payment(request())

    charge = gateway.pay(made.reference, dt.datetime(2026, 12, 15, 2, 0, tzinfo=dt.UTC))

    assert charge.paid_at is not None and charge.paid_at.isoformat() == "2026-12-15T09:00:00+07:00"


def test_an_unknown_charge_cannot_be_paid(gateway: SandboxGateway) -> None:
    with pytest.raises(ChargeNotFound):
        gateway.pay("SBX-0000000000000000", NOW)


def test_a_charge_past_its_deadline_expires_instead_of_being_paid(
    gateway: SandboxGateway, inbox: NoticeInbox
) -> None:
    made = gateway.create_payment(request())

    with pytest.raises(ChargeExpired):
        gateway.pay(made.reference, EXPIRES)

    assert gateway.flush(5)
    assert inbox.requests == []
    charge = gateway.find(made.reference)
    assert charge is not None and charge.status is ChargeStatus.EXPIRED


def test_a_resent_notice_is_byte_for_byte_the_first(
    gateway: SandboxGateway, inbox: NoticeInbox
) -> None:
    made = gateway.create_payment(request())
    gateway.pay(made.reference, NOW)

    gateway.resend_notice(made.reference)

    assert gateway.flush(5)
    assert inbox.bodies[0] == inbox.bodies[1]
    assert (
        inbox.requests[0].headers["X-Callback-Signature"]
        == (inbox.requests[1].headers["X-Callback-Signature"])
    )


def test_only_a_paid_charge_has_a_notice_to_resend(gateway: SandboxGateway) -> None:
    made = gateway.create_payment(request())

    with pytest.raises(ChargeNotFound):
        gateway.resend_notice(made.reference)


def test_the_signature_verifies_and_any_change_to_the_body_breaks_it(
    gateway: SandboxGateway,
) -> None:
    made = gateway.create_payment(request())
    notice = gateway.notice_for(gateway.pay(made.reference, NOW))
    body = notice.body

    assert notice.signature.startswith("sha256=")
    assert gateway.verify(body, notice.signature)
    assert not gateway.verify(body.replace(b"81800", b"81900"), notice.signature)
    # The same data re-serialised with other spacing is other bytes: not verified.
    assert not gateway.verify(json.dumps(json.loads(body)).encode(), notice.signature)
    assert not gateway.verify(body, sign(b"another-secret", body))
    assert not gateway.verify(body, None)
    assert not gateway.verify(body, "")


def pay_at(gateway: SandboxGateway, invoice: str, at: dt.datetime, amount: int = 81_800) -> str:
    made = gateway.create_payment(request(invoice=invoice, amount=amount))
    gateway.pay(made.reference, at)
    return made.reference


def test_the_settlement_file_holds_exactly_the_charges_paid_that_wib_day(
    gateway: SandboxGateway, tmp_path: Path
) -> None:
    pay_at(gateway, "INV-A", dt.datetime(2026, 12, 14, 23, 59, 59, tzinfo=WIB))
    first = pay_at(gateway, "INV-B", dt.datetime(2026, 12, 15, 0, 0, 0, tzinfo=WIB))
    # 16:59:59 UTC is 23:59:59 WIB: still the 15th in Jakarta.
    last = pay_at(gateway, "INV-C", dt.datetime(2026, 12, 15, 16, 59, 59, tzinfo=dt.UTC), 36_800)
    pay_at(gateway, "INV-D", dt.datetime(2026, 12, 15, 17, 0, 0, tzinfo=dt.UTC))  # the 16th
    gateway.create_payment(request(invoice="INV-E"))  # never paid
    out = tmp_path / "settlement.csv"

    rows = gateway.write_settlement_csv(dt.date(2026, 12, 15), out)

    assert [row.transaction_id for row in rows] == [first, last]
    with out.open(newline="", encoding="utf-8") as file:
        lines = list(csv.reader(file))
    assert tuple(lines[0]) == SETTLEMENT_HEADER
    assert lines[0] == [
        "transaction_id",
        "invoice_number",
        "channel",
        "amount",
        "paid_at",
        "settled_on",
    ]
    assert lines[1:] == [
        [first, "INV-B", "va_bri", "81800", "2026-12-15T00:00:00+07:00", "2026-12-16"],
        [last, "INV-C", "va_bri", "36800", "2026-12-15T23:59:59+07:00", "2026-12-16"],
    ]


def test_a_day_without_payments_has_a_file_with_only_the_header(
    gateway: SandboxGateway, tmp_path: Path
) -> None:
    out = tmp_path / "empty.csv"

    assert gateway.write_settlement_csv(dt.date(2026, 12, 15), out) == []
    assert out.read_text(encoding="utf-8") == ",".join(SETTLEMENT_HEADER) + "\n"


def test_the_gateway_secret_comes_from_the_settings_when_set(tmp_path: Path) -> None:
    settings = Settings(gateway_secret="dari-pengaturan-0123456789")

    assert gateway_secret(settings, tmp_path / "gateway.key") == b"dari-pengaturan-0123456789"
    assert not (tmp_path / "gateway.key").exists()


def test_an_unset_gateway_secret_is_made_once_and_kept_private(tmp_path: Path) -> None:
    settings = Settings(gateway_secret=None)
    key_file = tmp_path / "var" / "gateway.key"

    first = gateway_secret(settings, key_file)
    second = gateway_secret(settings, key_file)

    assert first == second
    assert len(first) >= 48
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [p.name for p in key_file.parent.iterdir()] == ["gateway.key"]


def test_the_factory_posts_to_the_public_url_and_opens_nothing_yet(tmp_path: Path) -> None:
    settings = Settings(
        gateway_secret="s" * 32,
        public_url="https://sertakan.example/",
        sandbox_db=tmp_path / "bank" / "sandbox.sqlite",
        sandbox_duplicates=2,
    )

    gateway = make_sandbox_gateway(settings)

    assert gateway.sender.notify_url == "https://sertakan.example/api/v1/payments/notifications"
    assert gateway.sender.duplicates == 2
    assert not (tmp_path / "bank").exists()
    made = gateway.create_payment(request())
    assert made.pay_url.startswith("https://sertakan.example/sandbox/bayar/SBX-")
    assert (tmp_path / "bank" / "sandbox.sqlite").exists()
    gateway.close()


def test_payers_racing_for_the_same_invoice_all_get_one_charge(gateway: SandboxGateway) -> None:
    start = threading.Barrier(8)

    def ask() -> str:
        start.wait()
        return gateway.create_payment(request()).reference

    with ThreadPoolExecutor(8) as pool:
        references = list(pool.map(lambda _: ask(), range(8)))

    assert len(set(references)) == 1


def test_two_clicks_racing_to_pay_send_one_notice(
    gateway: SandboxGateway, inbox: NoticeInbox
) -> None:
    made = gateway.create_payment(request())
    start = threading.Barrier(6)

    def click() -> None:
        start.wait()
        gateway.pay(made.reference, NOW)

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda _: click(), range(6)))

    assert gateway.flush(5)
    assert len(inbox.requests) == 1
