"""What the audit trail keeps of billing records: numbers, amounts and states, no personal data."""

from __future__ import annotations

from typing import Any

from sertakan.billing.model import Invoice, Payment, SuspenseItem


def invoice_snapshot(invoice: Invoice, lines: int | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "number": invoice.number,
        "payer_kind": invoice.payer_kind.value,
        "payer_id": invoice.payer_id,
        "kind": invoice.kind.value,
        "month": str(invoice.month),
        "due_on": invoice.due_on.isoformat(),
        "total": invoice.total,
        "status": invoice.status.value,
    }
    if lines is not None:
        found["lines"] = lines
    return found


def payment_snapshot(payment: Payment, months: int) -> dict[str, Any]:
    return {
        "gateway": payment.gateway,
        "transaction_id": payment.transaction_id,
        "channel": payment.channel,
        "amount": payment.amount,
        "paid_at": payment.paid_at.isoformat(),
        "months_settled": months,
    }


def suspense_snapshot(item: SuspenseItem) -> dict[str, Any]:
    return {
        "amount": item.amount,
        "reason": item.reason.value,
        "status": item.status.value,
        "invoice_id": item.invoice_id,
        "allocated_invoice_id": item.allocated_invoice_id,
        "note": item.resolution_note,
    }
