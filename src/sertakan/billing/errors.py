"""Errors billing raises on purpose, with English for the API and Indonesian for pages."""

from __future__ import annotations

from sertakan.kernel.errors import Conflict, NotFound, Unauthorized


class InvoiceNotFound(NotFound):
    pass


class SuspenseNotFound(NotFound):
    pass


class NothingToBill(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "Every month asked for is already billed or paid",
            "Semua bulan yang diminta sudah ditagih atau sudah dibayar",
            "billing.nothing_to_bill",
        )


class InvoiceNotPayable(Conflict):
    def __init__(self, status_id: str) -> None:
        super().__init__(
            "This invoice cannot be paid: it is paid or cancelled",
            f"Tagihan ini tidak dapat dibayar: {status_id}",
            "billing.invoice_not_payable",
        )


def signature_refused() -> Unauthorized:
    """A payment notice whose signature does not verify (401): stored for audit, applies
    nothing."""
    return Unauthorized(
        "The notice signature does not verify",
        "Tanda tangan notifikasi tidak sah",
        "payment.signature",
    )
