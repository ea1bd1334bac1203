"""Demo billing: this month's invoices for the demo branch, most of them paid through the
sandbox gateway, some months paid ahead, and two payments in the suspense list — so every
billing page has something to show. The same seed gives the same choices.

Payments go the way a real one does: a charge at the sandbox gateway, paid there, and its
signed notice received by `PaymentService.receive` (here handed over in-process, because the
server is not running yet while `make run` loads the demo).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass

from sertakan.access.actor import Actor
from sertakan.billing.model import Invoice, PayerKind
from sertakan.billing.ports import PaymentRequest
from sertakan.billing.signatures import sign
from sertakan.bootstrap import Container
from sertakan.demo import login_sponsor
from sertakan.gateways.sandbox import SandboxGateway, gateway_secret
from sertakan.kernel.periods import Month

PAID_SHARE = 0.6  # of this month's invoices, paid before the demo opens
AHEAD = 6  # self-paying members who paid this month and 3 months ahead
CHANNELS = ("va_bri", "va_bni", "va_mandiri", "qris", "ewallet_dana", "retail_alfamart")


@dataclass(frozen=True, slots=True)
class DemoBilling:
    invoices: int
    paid: int
    ahead: int
    suspense: int


def load_demo_billing(container: Container, *, seed: int = 2024) -> DemoBilling:
    """Issue and pay the demo's invoices. Paying needs the sandbox gateway: with any other
    gateway the invoices are only issued (and `paid` is 0)."""
    rng = random.Random(seed + 7)
    console = Actor.console("demo")
    now = container.clock.now()
    month = Month.of(now.date())
    report = container.invoices.issue_month(console, month)
    gateway = container.gateway
    if not isinstance(gateway, SandboxGateway):
        return DemoBilling(report.invoices, 0, 0, 0)
    with container.uow() as uow:
        open_now = uow.invoices.open_in(month=month)
        sponsor = login_sponsor(uow)
    # The sponsor `demo logins` prints keeps an unpaid invoice: the new user pays it.
    keep_open = {(PayerKind.SPONSOR, sponsor.id)} if sponsor is not None else set()
    open_now = [i for i in open_now if (i.payer_kind, i.payer_id) not in keep_open]
    self_paying = [i for i in open_now if i.payer_kind is PayerKind.MEMBER]
    prepaying = {i.id for i in rng.sample(self_paying, min(AHEAD, len(self_paying)))}
    paid = ahead = 0
    for invoice in open_now:
        if invoice.id in prepaying or rng.random() < PAID_SHARE:
            # Paid as soon as issued: a payment older than its invoice, or later than its
            # notice, would wait in the suspense list (`applying.misfit`).
            _pay(container, gateway, invoice, rng, now)
            paid += 1
        if invoice.id in prepaying:  # this month paid, and the next 3 ahead
            ahead_invoice = container.invoices.issue_ahead(
                console, PayerKind.MEMBER, invoice.payer_id, 1 + 3
            )
            _pay(container, gateway, ahead_invoice, rng, now)
            ahead += 1
    suspense = _suspense_examples(container, rng, now)
    return DemoBilling(report.invoices, paid, ahead, suspense)


def _pay(
    container: Container,
    gateway: SandboxGateway,
    invoice: Invoice,
    rng: random.Random,
    at: dt.datetime,
) -> None:
    channel = rng.choice(CHANNELS)
    instruction = gateway.create_payment(
        PaymentRequest(invoice.number, invoice.total, channel, "demo", at + dt.timedelta(days=1))
    )
    charge = gateway.pay(instruction.reference, at, send=False)
    notice = gateway.notice_for(charge)
    container.payments.receive(notice.body, notice.signature)


def _suspense_examples(container: Container, rng: random.Random, now: dt.datetime) -> int:
    """A payer who paid Rp1.000 short, and a payment naming an invoice that does not exist:
    what a branch officer resolves at /suspense."""
    with container.uow() as uow:
        still_open = uow.invoices.open_in(month=Month.of(now.date()))
    if not still_open:
        return 0
    short = rng.choice(still_open)
    secret = gateway_secret(container.settings)
    examples = [
        (short.number, short.total - 1_000, "SBX-DEMO-KURANG"),
        ("INV-000000-TIDAKADA", 36_800, "SBX-DEMO-TANPATAGIHAN"),
    ]
    for number, amount, transaction in examples:
        body = json.dumps(
            {
                "transaction_id": transaction,
                "invoice_number": number,
                "amount": amount,
                "currency": "IDR",
                "channel": "va_bri",
                "status": "paid",
                "paid_at": now.isoformat(),
            }
        ).encode()
        container.payments.receive(body, sign(secret, body))
    return len(examples)
