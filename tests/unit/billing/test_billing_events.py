"""Billing's events written and read explicitly (issue 13): money int, months YYYY-MM,
moments ISO with their offset; the key names the fact, so it is recorded once."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from sertakan.billing.events import (
    INVOICE_PAID,
    PAYMENT_SETTLED,
    invoice_paid,
    invoice_paid_event,
    payment_settled,
    payment_settled_event,
)
from sertakan.billing.model import InvoicePaid, PaymentSettled
from sertakan.billing.receipts import months_label
from sertakan.kernel.clock import WIB
from sertakan.kernel.events import Event
from sertakan.kernel.periods import Month

PAID_AT = dt.datetime(2026, 12, 1, 9, 0, tzinfo=WIB)
RECORDED = dt.datetime(2026, 12, 1, 2, 0, 5, tzinfo=dt.UTC)
SETTLED = PaymentSettled("m1", Month(2026, 12), "inv1", "pay1", 10_000, 3_400, 20_000, PAID_AT)
PAID = InvoicePaid(
    "inv1", "INV-202612-00000001", "pay1", 41_800, (Month(2026, 11), Month(2026, 12)), 2, PAID_AT
)


def test_payment_settled_goes_out_as_json_and_comes_back_the_same() -> None:
    event = payment_settled_event(SETTLED, RECORDED)

    assert (event.kind, event.key) == (PAYMENT_SETTLED, f"{PAYMENT_SETTLED}:pay1:m1:2026-12")
    assert event.occurred_at == RECORDED
    assert dict(event.payload) == {
        "member_id": "m1",
        "month": "2026-12",
        "invoice_id": "inv1",
        "payment_id": "pay1",
        "jkk": 10_000,
        "jkm": 3_400,
        "jht": 20_000,
        "settled_at": "2026-12-01T09:00:00+07:00",
    }
    through_json = Event(event.kind, event.key, RECORDED, json.loads(json.dumps(event.payload)))
    assert payment_settled(through_json) == SETTLED


def test_invoice_paid_goes_out_as_json_and_comes_back_the_same() -> None:
    event = invoice_paid_event(PAID, RECORDED)

    assert (event.kind, event.key) == (INVOICE_PAID, f"{INVOICE_PAID}:pay1")
    assert event.payload["months"] == ["2026-11", "2026-12"]
    assert "phone" not in json.dumps(event.payload)  # the handler looks it up
    through_json = Event(event.kind, event.key, RECORDED, json.loads(json.dumps(event.payload)))
    assert invoice_paid(through_json) == PAID


def test_an_event_of_another_kind_or_with_money_as_text_is_refused() -> None:
    with pytest.raises(ValueError, match=r"expected a billing\.invoice_paid"):
        invoice_paid(payment_settled_event(SETTLED, RECORDED))
    event = payment_settled_event(SETTLED, RECORDED)
    bad = Event(event.kind, event.key, RECORDED, {**event.payload, "jht": "20000"})
    with pytest.raises(TypeError):
        payment_settled(bad)


def test_the_receipt_names_one_month_or_the_first_and_last() -> None:
    assert months_label((Month(2026, 12),)) == "Des 2026"
    assert months_label((Month(2026, 12), Month(2026, 10), Month(2026, 11))) == (
        "Okt 2026–Des 2026"
    )
