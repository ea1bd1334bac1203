"""Billing's domain events on the bus (`kernel.events`): their kinds, keys and payloads.

Each event is written explicitly, field by field (money as int rupiah, months as ``YYYY-MM``,
moments as ISO 8601 with their offset), and read back the same way, so a payload stays
readable by a later subscriber after the dataclass changes. A subscriber in a higher domain
(the JHT ledger, later) imports only this module and `kernel.events`, never the reverse.

| kind                      | one per                    | key                                   |
|---------------------------|----------------------------|---------------------------------------|
| `billing.payment_settled` | payment, member and month  | kind:payment_id:member_id:YYYY-MM     |
| `billing.invoice_paid`    | payment that settles        | kind:payment_id                       |
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sertakan.billing.model import InvoicePaid, PaymentSettled
from sertakan.kernel.events import Event
from sertakan.kernel.periods import Month

PAYMENT_SETTLED = "billing.payment_settled"
INVOICE_PAID = "billing.invoice_paid"


def payment_settled_key(payment_id: str, member_id: str, month: Month) -> str:
    return f"{PAYMENT_SETTLED}:{payment_id}:{member_id}:{month}"


def payment_settled_event(fact: PaymentSettled, recorded_at: dt.datetime) -> Event:
    return Event(
        PAYMENT_SETTLED,
        payment_settled_key(fact.payment_id, fact.member_id, fact.month),
        recorded_at,
        {
            "member_id": fact.member_id,
            "month": str(fact.month),
            "invoice_id": fact.invoice_id,
            "payment_id": fact.payment_id,
            "jkk": fact.jkk,
            "jkm": fact.jkm,
            "jht": fact.jht,
            "settled_at": fact.settled_at.isoformat(),
        },
    )


def payment_settled(event: Event) -> PaymentSettled:
    _expect(event, PAYMENT_SETTLED)
    p: Mapping[str, Any] = event.payload
    return PaymentSettled(
        member_id=str(p["member_id"]),
        month=Month.parse(str(p["month"])),
        invoice_id=str(p["invoice_id"]),
        payment_id=str(p["payment_id"]),
        jkk=_rupiah(p["jkk"]),
        jkm=_rupiah(p["jkm"]),
        jht=_rupiah(p["jht"]),
        settled_at=_moment(p["settled_at"]),
    )


def invoice_paid_event(fact: InvoicePaid, recorded_at: dt.datetime) -> Event:
    return Event(
        INVOICE_PAID,
        f"{INVOICE_PAID}:{fact.payment_id}",
        recorded_at,
        {
            "invoice_id": fact.invoice_id,
            "invoice_number": fact.invoice_number,
            "payment_id": fact.payment_id,
            "amount": fact.amount,
            "months": [str(m) for m in fact.months],
            "workers": fact.workers,
            "paid_at": fact.paid_at.isoformat(),
        },
    )


def invoice_paid(event: Event) -> InvoicePaid:
    _expect(event, INVOICE_PAID)
    p: Mapping[str, Any] = event.payload
    return InvoicePaid(
        invoice_id=str(p["invoice_id"]),
        invoice_number=str(p["invoice_number"]),
        payment_id=str(p["payment_id"]),
        amount=_rupiah(p["amount"]),
        months=tuple(Month.parse(str(m)) for m in p["months"]),
        workers=int(p["workers"]),
        paid_at=_moment(p["paid_at"]),
    )


def _expect(event: Event, kind: str) -> None:
    if event.kind != kind:
        raise ValueError(f"expected a {kind} event, got {event.kind}")


def _rupiah(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"rupiah amounts are int, got {type(value).__name__}")
    return value


def _moment(value: object) -> dt.datetime:
    moment = dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError("an event's moments carry their offset")
    return moment
