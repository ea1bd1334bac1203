"""Entities of billing. Frozen: a change is a new value written through a repository.

Amounts are whole rupiah (`int`); a line keeps its parts (JKK, JKM, JHT and the PP 50/2025
discount already taken off) so that a receipt and the JHT ledger can be told what was paid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sertakan.kernel.periods import Month


class PayerKind(StrEnum):
    SPONSOR = "sponsor"  # one invoice for every worker the sponsor pays for
    MEMBER = "member"  # a self-paying worker


class InvoiceKind(StrEnum):
    MONTHLY = "monthly"  # issued for the contribution month (`sertakan billing issue`)
    ADVANCE = "advance"  # months paid ahead, or a reactivation (`bpu/prepayment.yaml`)


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"
    # No longer payable: its months left the arrears window (`bpu/arrears.yaml`) or the
    # payer's invoice was replaced. A payment that still arrives goes to the suspense list.
    CANCELLED = "cancelled"

    @property
    def label_id(self) -> str:
        return _INVOICE_STATUS_ID[self]


_INVOICE_STATUS_ID = {
    InvoiceStatus.OPEN: "Belum dibayar",
    InvoiceStatus.PAID: "Lunas",
    InvoiceStatus.CANCELLED: "Dibatalkan",
}


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """One member's contribution for one month, as billed."""

    invoice_id: str
    member_id: str
    month: Month
    programs: tuple[str, ...]
    jkk: int
    jkm: int
    jht: int
    discount: int  # PP 50/2025 reduction already taken off the parts
    total: int


@dataclass(frozen=True, slots=True)
class Invoice:
    id: str
    number: str  # what the payer quotes and the gateway carries: "INV-202612-4F2A9C01"
    payer_kind: PayerKind
    payer_id: str  # a sponsor id or a member id
    kind: InvoiceKind
    month: Month  # the contribution month it was issued for (the first month, when ahead)
    due_on: dt.date  # PP 44/2015 (rule R3): day 15 of the month, next working day if a holiday
    total: int
    status: InvoiceStatus
    branch_code: str | None  # the branch of the payer's workers (officer scope)
    created_at: dt.datetime
    paid_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None
    cancel_reason: str = ""
    # Monthly invoices only: what makes issuing idempotent (one per payer, month and set of
    # members); released when the invoice is cancelled.
    issue_key: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status is InvoiceStatus.OPEN


@dataclass(frozen=True, slots=True)
class Settlement:
    """A member's contribution month counted as paid: at most one per member and month.

    `settled_at` is when the money arrived (the gateway's paid-at time); cover for an event
    starts only from then (project policy, `bpu/coverage_policy.yaml`)."""

    member_id: str
    month: Month
    invoice_id: str
    payment_id: str
    programs: tuple[str, ...]
    amount: int
    settled_at: dt.datetime


class NoticeOutcome(StrEnum):
    """What became of a gateway notice (one per distinct gateway transaction)."""

    PENDING = "pending"  # stored, not applied yet (the next apply run takes it)
    APPLIED = "applied"  # settled the invoice
    SUSPENSE = "suspense"  # money we could not apply: waits for a branch officer
    REJECTED = "rejected"  # forged signature: stored for audit, applies nothing


@dataclass(frozen=True, slots=True)
class StoredNotice:
    """A notice as the inbox keeps it: the raw body, so nothing is lost if parsing changes."""

    id: str
    gateway: str
    transaction_id: str  # the gateway's own id: the key that makes a repeat a duplicate
    invoice_number: str
    amount: int
    channel: str
    paid_at: dt.datetime
    received_at: dt.datetime
    raw_body: str
    outcome: NoticeOutcome
    applied_at: dt.datetime | None = None
    payment_id: str | None = None


@dataclass(frozen=True, slots=True)
class Payment:
    """Money received for an invoice, once per gateway transaction."""

    id: str
    invoice_id: str
    notice_id: str
    gateway: str
    transaction_id: str
    channel: str
    amount: int
    paid_at: dt.datetime
    recorded_at: dt.datetime


class SuspenseReason(StrEnum):
    UNKNOWN_INVOICE = "unknown_invoice"
    AMOUNT_MISMATCH = "amount_mismatch"
    INVOICE_CANCELLED = "invoice_cancelled"
    ALREADY_PAID = "already_paid"  # a second payment for an invoice, or for months paid
    NOT_NOTIFIED = "not_notified"  # found in a settlement file, never notified (reconciliation)
    # paid_at later than the notice reached us (beyond `applying.CLOCK_SKEW`): not yet paid
    PAID_IN_FUTURE = "paid_in_future"
    PAID_BEFORE_ISSUE = "paid_before_issue"  # paid_at before the invoice was issued

    @property
    def label_id(self) -> str:
        return _SUSPENSE_REASON_ID[self]


_SUSPENSE_REASON_ID = {
    SuspenseReason.UNKNOWN_INVOICE: "Nomor tagihan tidak dikenal",
    SuspenseReason.AMOUNT_MISMATCH: "Jumlah tidak sama dengan tagihan",
    SuspenseReason.INVOICE_CANCELLED: "Tagihan sudah dibatalkan",
    SuspenseReason.ALREADY_PAID: "Tagihan atau bulan sudah dibayar",
    SuspenseReason.NOT_NOTIFIED: "Ada di file settlement, tanpa notifikasi",
    SuspenseReason.PAID_IN_FUTURE: "Waktu bayar di masa depan",
    SuspenseReason.PAID_BEFORE_ISSUE: "Waktu bayar sebelum tagihan terbit",
}


class SuspenseStatus(StrEnum):
    OPEN = "open"
    ALLOCATED = "allocated"  # applied to an invoice by an officer
    REFUNDED = "refunded"  # to be returned to the payer through the gateway

    @property
    def label_id(self) -> str:
        return {"open": "Menunggu", "allocated": "Dialokasikan", "refunded": "Dikembalikan"}[
            self.value
        ]


@dataclass(frozen=True, slots=True)
class SuspenseItem:
    """Money received that could not be applied as it came; never dropped."""

    id: str
    notice_id: str
    invoice_id: str | None  # the invoice the notice named, when it exists
    amount: int
    reason: SuspenseReason
    status: SuspenseStatus
    branch_code: str | None
    created_at: dt.datetime
    resolved_at: dt.datetime | None = None
    resolved_by: str | None = None  # the account that allocated or refunded it
    resolution_note: str = ""
    allocated_invoice_id: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentSettled:
    """Domain event: one member's month was paid (the JHT ledger credits the JHT part; a later
    issue). Recorded in the event outbox in the same transaction as the payment
    (`billing.events`, kind ``billing.payment_settled``)."""

    member_id: str
    month: Month
    invoice_id: str
    payment_id: str
    jkk: int
    jkm: int
    jht: int
    settled_at: dt.datetime


@dataclass(frozen=True, slots=True)
class InvoicePaid:
    """Domain event: a payment settled an invoice (one per payment; the receipt to the payer
    reacts to it). It carries what the receipt says, never the payer's phone or name: the
    handler looks the phone up when it writes the message (UU 27/2022, data minimisation)."""

    invoice_id: str
    invoice_number: str
    payment_id: str
    amount: int
    months: tuple[Month, ...]  # the months the invoice's lines cover, in order
    workers: int
    paid_at: dt.datetime
