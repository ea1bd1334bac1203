"""The sandbox payment gateway: a fake Indonesian gateway a payer can "pay" in the browser.

It behaves like Xendit, Midtrans or DOKU from our side: `create_payment` opens a charge (a
virtual-account number, a QRIS payload, or a page for e-wallets and retail counters) and
returns the payer's page, `/sandbox/bayar/{reference}`; paying there (or `sertakan sandbox
pay`) marks the charge paid once and sends the app a signed notice (`billing.notices`) through
a `NoticeSender`, with retries and, when asked, duplicates; `write_settlement_csv` writes the
daily settlement file `sertakan payments reconcile` reads. Its charges live in its own SQLite
file (`sandbox_charges`). Nothing here is real money.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

from sertakan.billing import signatures
from sertakan.billing.channels import CHANNELS, is_virtual_account
from sertakan.billing.ports import PaymentInstruction, PaymentRequest
from sertakan.config import Settings
from sertakan.gateways.notice_sender import NoticeSender, RetryPolicy, SignedNotice
from sertakan.gateways.qris import qris_payload
from sertakan.gateways.sandbox_charges import (
    Charge,
    ChargeBook,
    ChargeExpired,
    ChargeMismatch,
    ChargeNotFound,
    ChargeStatus,
    iso,
)
from sertakan.kernel.clock import WIB, Clock, SystemClock
from sertakan.kernel.errors import ConfigurationError, RuleViolation, Violation

GATEWAY_NAME = "sandbox"
REFERENCE_PREFIX = "SBX-"
NOTIFY_PATH = "/api/v1/payments/notifications"
PAY_PATH = "/sandbox/bayar/"
# Made-up company prefixes, one per bank, followed by 12 digits (real gateways use each bank's
# assigned prefix the same way). No real bank account has these numbers.
VA_PREFIXES = {"va_bri": "88908", "va_bni": "8808", "va_mandiri": "89608", "va_bca": "39358"}
VA_DIGITS = 12
MAX_INVOICE_NUMBER = 64  # billing.notices.MAX_ID_LENGTH: what the app accepts back
MAX_PAYER_NAME = 200
# The gateway pays out the day after the payment (T+1), as Indonesian gateways do for VA/QRIS.
SETTLEMENT_LAG = dt.timedelta(days=1)
SETTLEMENT_HEADER = (
    "transaction_id",
    "invoice_number",
    "channel",
    "amount",
    "paid_at",
    "settled_on",
)


@dataclass(frozen=True, slots=True)
class SettlementRow:
    transaction_id: str
    invoice_number: str
    channel: str
    amount: int
    paid_at: dt.datetime
    settled_on: dt.date

    def as_csv(self) -> tuple[str, str, str, str, str, str]:
        return (
            self.transaction_id,
            self.invoice_number,
            self.channel,
            str(self.amount),
            iso(self.paid_at),
            self.settled_on.isoformat(),
        )


class SandboxGateway:
    """`billing.ports.PaymentGateway` played by a pretend bank, with its own books."""

    def __init__(
        self,
        book: ChargeBook,
        secret: bytes,
        public_base: str,
        sender: NoticeSender,
        clock: Clock | None = None,
    ) -> None:
        if not secret:
            raise ConfigurationError("the gateway secret is empty")
        self.book = book
        self.sender = sender
        self.clock: Clock = clock or SystemClock()
        self._secret = secret
        self._public_base = public_base.rstrip("/")

    @property
    def name(self) -> str:
        return GATEWAY_NAME

    def create_payment(self, request: PaymentRequest) -> PaymentInstruction:
        """Open a charge, or return the pending one this invoice already has on this channel."""
        now = self.clock.now()
        _check(request, now)
        with self.book.transaction() as connection:
            found = self.book.pending_for(connection, request.invoice_number, request.channel)
            if found is not None and found.is_payable_at(now):
                if found.amount != request.amount:
                    raise ChargeMismatch()
                return self.instruction(found)
            if found is not None:
                self.book.mark(connection, found.reference, ChargeStatus.EXPIRED)
            charge = _new_charge(request, now)
            self.book.add(connection, charge)
        return self.instruction(charge)

    def verify(self, raw_body: bytes, signature: str | None) -> bool:
        return signatures.verify(self._secret, raw_body, signature)

    def find(self, reference: str) -> Charge | None:
        with self.book.transaction() as connection:
            return self.book.get(connection, reference)

    def pay(self, reference: str, at: dt.datetime | None = None, *, send: bool = True) -> Charge:
        """Mark the charge paid at `at` (now when None) and send the app its notice. Paying a
        paid charge changes nothing and sends nothing; an expired one raises ChargeExpired.
        `send=False` leaves the notice to the caller (`notice_for`): the demo loader hands it
        over in-process while no server is listening."""
        moment = (at or self.clock.now()).astimezone(WIB).replace(microsecond=0)
        with self.book.transaction() as connection:
            charge = self.book.get(connection, reference)
            if charge is None:
                raise ChargeNotFound(reference)
            if charge.status is ChargeStatus.PAID:
                return charge
            is_payable = charge.is_payable_at(moment)
            # The transaction took SQLite's write lock before reading, so the charge is still
            # as read: a second click waits here and then finds it paid.
            if is_payable:
                self.book.mark(connection, reference, ChargeStatus.PAID, moment)
            else:
                self.book.mark(connection, reference, ChargeStatus.EXPIRED)
        if not is_payable:  # raised after the block, so that the expiry is kept
            raise ChargeExpired()
        paid = replace(charge, status=ChargeStatus.PAID, paid_at=moment)
        if send:
            self.sender.send(self.notice_for(paid))
        return paid

    def resend_notice(self, reference: str) -> Charge:
        """Send a paid charge's notice again (what a gateway dashboard's "resend" does)."""
        charge = self.find(reference)
        if charge is None or charge.status is not ChargeStatus.PAID:
            raise ChargeNotFound(reference)
        self.sender.send(self.notice_for(charge))
        return charge

    def notice_for(self, charge: Charge) -> SignedNotice:
        """The notice body of `billing.notices`, exactly, and its signature."""
        assert charge.paid_at is not None, "only a paid charge has a notice"
        body = json.dumps(
            {
                "transaction_id": charge.reference,
                "invoice_number": charge.invoice_number,
                "amount": charge.amount,
                "currency": "IDR",
                "channel": charge.channel,
                "status": "paid",
                "paid_at": iso(charge.paid_at),
            },
            separators=(",", ":"),
        ).encode()
        return SignedNotice(charge.reference, body, signatures.sign(self._secret, body))

    def instruction(self, charge: Charge) -> PaymentInstruction:
        return PaymentInstruction(
            gateway=GATEWAY_NAME,
            reference=charge.reference,
            invoice_number=charge.invoice_number,
            channel=charge.channel,
            amount=charge.amount,
            pay_url=f"{self._public_base}{PAY_PATH}{charge.reference}",
            expires_at=charge.expires_at,
            va_number=charge.va_number,
            qris_payload=charge.qris_payload,
        )

    def settlement_rows(self, day: dt.date) -> list[SettlementRow]:
        """Every charge paid on `day` (a WIB calendar day), in the order they were paid."""
        start = dt.datetime.combine(day, dt.time(0), tzinfo=WIB)
        paid = self.book.paid_between(start, start + dt.timedelta(days=1))
        return [
            SettlementRow(
                c.reference, c.invoice_number, c.channel, c.amount, c.paid_at, day + SETTLEMENT_LAG
            )
            for c in paid
            if c.paid_at is not None
        ]

    def write_settlement_csv(self, day: dt.date, path: Path) -> list[SettlementRow]:
        """The day's settlement file at `path` (written whole, then moved into place)."""
        rows = self.settlement_rows(day)
        partial = path.with_name(f".{path.name}.partial")
        with partial.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(SETTLEMENT_HEADER)
            writer.writerows(row.as_csv() for row in rows)
        partial.replace(path)
        return rows

    def flush(self, timeout: float | None = None) -> bool:
        """Wait for the notices sent so far to be delivered or given up."""
        return self.sender.flush(timeout)

    def close(self) -> None:
        self.sender.close()
        self.book.close()


def make_sandbox_gateway(
    settings: Settings,
    *,
    clock: Clock | None = None,
    retry: RetryPolicy | None = None,
    client: httpx.Client | None = None,
    transport: httpx.BaseTransport | None = None,
) -> SandboxGateway:
    """The sandbox as the settings describe it: books in `sandbox_db`, notices to
    `public_url` + NOTIFY_PATH with `sandbox_duplicates` extra copies. Nothing is opened yet."""
    public_base = settings.public_url.rstrip("/")
    sender = NoticeSender(
        public_base + NOTIFY_PATH,
        retry=retry,
        duplicates=settings.sandbox_duplicates,
        client=client,
        transport=transport,
    )
    return SandboxGateway(
        ChargeBook(settings.sandbox_db), gateway_secret(settings), public_base, sender, clock
    )


def gateway_secret(settings: Settings, key_file: Path | None = None) -> bytes:
    """The HMAC secret shared with the gateway: from the settings, or made once and kept in
    gateway.key in the data directory (created whole with mode 0600, so two processes starting
    together agree)."""
    if settings.gateway_secret:
        return settings.gateway_secret.encode()
    path = key_file or Path(settings.data_dir) / "gateway.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)  # fails if another process made it first: theirs is kept
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    secret = path.read_text().strip()
    if not secret:
        raise ConfigurationError(f"{path} is empty: delete it or set SERTAKAN_GATEWAY_SECRET")
    return secret.encode()


def _new_charge(request: PaymentRequest, now: dt.datetime) -> Charge:
    reference = REFERENCE_PREFIX + secrets.token_hex(8).upper()
    va_number = qris = None
    if is_virtual_account(request.channel):
        va_number = VA_PREFIXES[request.channel] + f"{secrets.randbelow(10**VA_DIGITS):012d}"
    elif request.channel == "qris":
        qris = qris_payload(reference, request.invoice_number, request.amount)
    return Charge(
        reference=reference,
        invoice_number=request.invoice_number,
        amount=request.amount,
        channel=request.channel,
        payer_name=request.payer_name[:MAX_PAYER_NAME],
        status=ChargeStatus.PENDING,
        created_at=now.astimezone(WIB).replace(microsecond=0),
        expires_at=request.expires_at.astimezone(WIB).replace(microsecond=0),
        va_number=va_number,
        qris_payload=qris,
    )


def _check(request: PaymentRequest, now: dt.datetime) -> None:
    found: list[Violation] = []
    if not request.invoice_number.strip() or len(request.invoice_number) > MAX_INVOICE_NUMBER:
        found.append(
            Violation(
                "invoice_number",
                "sandbox.invoice_number",
                f"invoice_number must have 1 to {MAX_INVOICE_NUMBER} characters",
                "Nomor tagihan tidak valid",
            )
        )
    if (
        isinstance(request.amount, bool)
        or not isinstance(request.amount, int)
        or (request.amount <= 0)
    ):
        found.append(
            Violation(
                "amount",
                "sandbox.amount",
                "amount must be a positive whole number of rupiah",
                "Jumlah harus bilangan bulat rupiah yang positif",
            )
        )
    if request.channel not in CHANNELS:
        found.append(
            Violation(
                "channel",
                "sandbox.channel",
                f"unknown channel: choose one of {', '.join(CHANNELS)}",
                "Kanal pembayaran tidak dikenal",
            )
        )
    if request.expires_at.tzinfo is None or request.expires_at <= now:
        found.append(
            Violation(
                "expires_at",
                "sandbox.expires_at",
                "expires_at must be a later time, with its UTC offset",
                "Batas waktu bayar harus di masa depan",
            )
        )
    if found:
        raise RuleViolation(found)
