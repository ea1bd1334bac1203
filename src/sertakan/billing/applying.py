"""What a batch of stored notices does to the books, decided before anything is written.

Pure: given the notices (oldest first), the invoices they name (locked by the caller), those
invoices' lines and the member-months already paid, each notice either settles its invoice
or goes to the suspense list with a reason (a paid-at time it cannot have been paid at
included: later than when the notice reached us, or before the invoice was issued). A notice
later in the batch sees what the earlier ones did, so the batch ends as if each notice had
been applied alone, in order: a second payment for an invoice, or for a month another
invoice of the batch settles, is held.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from sertakan.billing.model import (
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    StoredNotice,
    SuspenseReason,
)
from sertakan.kernel.periods import Month

# How far the gateway's clock may run ahead of ours (or behind, for a payment made just as
# the invoice was issued). Both are kept by NTP, to well under a second; a few minutes spare a
# gateway whose clock drifted, and are still too short for a wrong date to pass.
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Settle:
    """The notice's money pays every line of the invoice."""

    notice: StoredNotice
    invoice: Invoice
    lines: tuple[InvoiceLine, ...]


@dataclass(frozen=True, slots=True)
class Hold:
    """The money waits in the suspense list for a branch officer."""

    notice: StoredNotice
    invoice: Invoice | None
    reason: SuspenseReason


def plan(
    notices: Iterable[StoredNotice],
    invoices: Mapping[str, Invoice],
    lines: Mapping[str, Sequence[InvoiceLine]],
    months_paid: Iterable[tuple[str, Month]],
) -> list[Settle | Hold]:
    """One step per notice, in the order given. `invoices` is keyed by number, `lines` by
    invoice id; `months_paid` are (member id, month) pairs settled before the batch."""
    paid = set(months_paid)
    settled_invoices: set[str] = set()
    steps: list[Settle | Hold] = []
    for notice in notices:
        invoice = invoices.get(notice.invoice_number)
        if invoice is not None and invoice.id in settled_invoices:
            invoice = replace(invoice, status=InvoiceStatus.PAID)
        reason = misfit(notice, invoice)
        if reason is None:
            assert invoice is not None
            its_lines = tuple(lines.get(invoice.id, ()))
            months = {(line.member_id, line.month) for line in its_lines}
            if months & paid:
                reason = SuspenseReason.ALREADY_PAID  # a month was paid by another invoice
            else:
                paid |= months
                settled_invoices.add(invoice.id)
                steps.append(Settle(notice, invoice, its_lines))
                continue
        steps.append(Hold(notice, invoice, reason))
    return steps


def misfit(notice: StoredNotice, invoice: Invoice | None) -> SuspenseReason | None:
    """Why the notice's money cannot settle the invoice as it came, or None when it can."""
    if invoice is None:
        return SuspenseReason.UNKNOWN_INVOICE
    if invoice.status is InvoiceStatus.CANCELLED:
        return SuspenseReason.INVOICE_CANCELLED
    if invoice.status is InvoiceStatus.PAID:
        return SuspenseReason.ALREADY_PAID
    untimely = _untimely(notice, invoice)
    if untimely is not None:
        return untimely
    if notice.amount != invoice.total:
        return SuspenseReason.AMOUNT_MISMATCH
    return None


def _untimely(notice: StoredNotice, invoice: Invoice) -> SuspenseReason | None:
    """The moment paid is when cover starts (policy P4): a time the money cannot have
    been paid at would start it wrongly (2099-12-31: the invoice paid, the member not
    covered), so an officer looks at it first."""
    if notice.paid_at > notice.received_at + CLOCK_SKEW:
        return SuspenseReason.PAID_IN_FUTURE
    if notice.paid_at < invoice.created_at - CLOCK_SKEW:
        return SuspenseReason.PAID_BEFORE_ISSUE
    return None
