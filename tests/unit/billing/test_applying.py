"""`applying.plan`: a batch of notices decided as if each were applied alone, in order."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sertakan.billing.applying import Hold, Settle, plan
from sertakan.billing.model import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    NoticeOutcome,
    PayerKind,
    StoredNotice,
    SuspenseReason,
)
from sertakan.kernel.clock import WIB
from sertakan.kernel.periods import Month

AT = dt.datetime(2026, 12, 10, 9, 0, tzinfo=WIB)
DEC, JAN = Month(2026, 12), Month(2027, 1)


def _invoice(number: str, total: int, status: InvoiceStatus = InvoiceStatus.OPEN) -> Invoice:
    return Invoice(
        id=f"id-{number}",
        number=number,
        payer_kind=PayerKind.MEMBER,
        payer_id="dewi",
        kind=InvoiceKind.MONTHLY,
        month=DEC,
        due_on=dt.date(2026, 12, 15),
        total=total,
        status=status,
        branch_code="BOGOR_KOTA",
        created_at=AT,
    )


def _line(invoice: Invoice, member: str, month: Month) -> InvoiceLine:
    return InvoiceLine(invoice.id, member, month, ("JKK", "JKM"), 10_000, 6_800, 0, 0, 16_800)


def _notice(txn: str, number: str, amount: int) -> StoredNotice:
    return StoredNotice(
        id=f"n-{txn}",
        gateway="sandbox",
        transaction_id=txn,
        invoice_number=number,
        amount=amount,
        channel="va_bri",
        paid_at=AT,
        received_at=AT,
        raw_body="{}",
        outcome=NoticeOutcome.PENDING,
    )


def _verdicts(steps: list[Settle | Hold]) -> list[str]:
    return [
        f"settle {s.invoice.number}" if isinstance(s, Settle) else f"hold {s.reason.value}"
        for s in steps
    ]


def test_each_notice_settles_its_invoice_or_is_held_with_its_reason() -> None:
    dec = _invoice("INV-DEC", 16_800)
    gone = _invoice("INV-OLD", 16_800, InvoiceStatus.CANCELLED)
    done = _invoice("INV-PAID", 16_800, InvoiceStatus.PAID)
    invoices = {i.number: i for i in (dec, gone, done)}
    lines = {dec.id: [_line(dec, "dewi", DEC)]}

    steps = plan(
        [
            _notice("1", "INV-DEC", 16_000),
            _notice("2", "INV-NONE", 16_800),
            _notice("3", "INV-OLD", 16_800),
            _notice("4", "INV-PAID", 16_800),
            _notice("5", "INV-DEC", 16_800),
        ],
        invoices,
        lines,
        [],
    )

    assert _verdicts(steps) == [
        "hold amount_mismatch",
        "hold unknown_invoice",
        "hold invoice_cancelled",
        "hold already_paid",
        "settle INV-DEC",
    ]
    settle = steps[-1]
    assert isinstance(settle, Settle) and settle.lines == (_line(dec, "dewi", DEC),)


def test_a_later_notice_sees_what_the_earlier_ones_of_the_batch_paid() -> None:
    dec = _invoice("INV-DEC", 16_800)
    ahead = _invoice("INV-AHEAD", 33_600)  # December and January, paid ahead
    jan = _invoice("INV-JAN", 16_800)
    lines = {
        dec.id: [_line(dec, "dewi", DEC)],
        ahead.id: [_line(ahead, "dewi", DEC), _line(ahead, "dewi", JAN)],
        jan.id: [_line(jan, "dewi", JAN)],
    }
    invoices = {i.number: i for i in (dec, ahead, jan)}

    steps = plan(
        [
            _notice("1", "INV-DEC", 16_800),
            _notice("2", "INV-DEC", 16_800),  # a second payment of the same invoice
            _notice("3", "INV-AHEAD", 33_600),  # December is paid by now
            _notice("4", "INV-JAN", 16_800),
        ],
        invoices,
        lines,
        [],
    )

    assert _verdicts(steps) == [
        "settle INV-DEC",
        "hold already_paid",
        "hold already_paid",
        "settle INV-JAN",
    ]
    held = steps[1]
    assert isinstance(held, Hold) and held.invoice is not None
    assert held.invoice.status is InvoiceStatus.PAID


def test_a_month_paid_before_the_batch_holds_the_invoice_that_bills_it_again() -> None:
    ahead = _invoice("INV-AHEAD", 33_600)
    lines = {ahead.id: [_line(ahead, "dewi", DEC), _line(ahead, "dewi", JAN)]}

    steps = plan([_notice("1", "INV-AHEAD", 33_600)], {ahead.number: ahead}, lines, [("dewi", JAN)])

    assert _verdicts(steps) == ["hold already_paid"]
    assert isinstance(steps[0], Hold) and steps[0].reason is SuspenseReason.ALREADY_PAID


def test_a_paid_at_time_the_money_cannot_have_been_paid_at_is_held_with_its_reason() -> None:
    # Issue 12: a notice dated 2099-12-31 marked its invoice paid while its member stayed
    # uncovered (cover starts when the money was paid). Later than the notice's arrival
    # beyond the clock skew, or before the invoice was issued: held for an officer.
    invoice = _invoice("INV-DEC", 16_800)  # issued at AT
    lines = {invoice.id: [_line(invoice, "dewi", DEC)]}
    skew = dt.timedelta(minutes=5)
    cases = {
        "2099": dt.datetime(2099, 12, 31, 23, 59, tzinfo=WIB),
        "just past the skew": AT + skew + dt.timedelta(seconds=1),
        "within the skew": AT + skew,
        "before the invoice": AT - skew - dt.timedelta(seconds=1),
        "when it was issued": AT,
    }
    verdicts = {
        name: _verdicts(
            plan(
                [dataclasses.replace(_notice("T", "INV-DEC", 16_800), paid_at=paid_at)],
                {"INV-DEC": invoice},
                lines,
                set(),
            )
        )
        for name, paid_at in cases.items()
    }

    assert verdicts == {
        "2099": ["hold paid_in_future"],
        "just past the skew": ["hold paid_in_future"],
        "within the skew": ["settle INV-DEC"],
        "before the invoice": ["hold paid_before_issue"],
        "when it was issued": ["settle INV-DEC"],
    }
