"""What billing needs from the outside world, as Protocols: the store and the payment gateway."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from sertakan.billing.model import (
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    NoticeOutcome,
    PayerKind,
    Payment,
    Settlement,
    StoredNotice,
    SuspenseItem,
    SuspenseReason,
)
from sertakan.kernel.periods import Month
from sertakan.registry.ports import UnitOfWork


class InvoiceRepository(Protocol):
    def add(self, invoice: Invoice, lines: Collection[InvoiceLine]) -> None:
        """Raises DuplicateRecord("invoice") when the payer already has an open or paid
        invoice of this kind for this month (what makes issuing idempotent)."""
        ...

    def get(self, invoice_id: str) -> Invoice | None: ...

    def get_by_number(self, number: str) -> Invoice | None: ...

    def lock(self, invoice_id: str) -> Invoice | None:
        """The invoice, locked until the transaction ends (PostgreSQL FOR UPDATE; SQLite
        has one writer), so two payments for it are applied one after the other."""
        ...

    def lines(self, invoice_id: str) -> list[InvoiceLine]: ...

    def set_status(
        self,
        invoice_id: str,
        status: InvoiceStatus,
        at: dt.datetime,
        reason: str = "",
    ) -> None: ...

    def for_payer(self, payer_kind: PayerKind, payer_id: str, limit: int = 50) -> list[Invoice]: ...

    def for_member(self, member_id: str, limit: int = 50) -> list[Invoice]:
        """Invoices with a line for this member, newest month first."""
        ...

    def billed(
        self, member_ids: Collection[str], months: Collection[Month]
    ) -> set[tuple[str, Month]]:
        """(member, month) pairs already on an open or paid invoice."""
        ...

    def open_for_branch(self, branch_code: str | None, limit: int = 500) -> list[Invoice]:
        """Open invoices, oldest month first (all branches when None): the arrears list."""
        ...

    def open_in(
        self, *, due_before: dt.date | None = None, month: Month | None = None
    ) -> list[Invoice]: ...


class SettlementRepository(Protocol):
    def settle_invoice(self, invoice: Invoice, payment: Payment) -> int:
        """Count every line of the invoice as paid (one set-based insert) and return how many
        months it settled. Raises DuplicateRecord("settlement") when one of the months was
        already paid, leaving the transaction to be rolled back."""
        ...

    def for_member(self, member_id: str) -> list[Settlement]: ...

    def months_paid(
        self, member_ids: Collection[str], months: Collection[Month]
    ) -> set[tuple[str, Month]]: ...

    def of_members(
        self, member_ids: Collection[str], since: Month
    ) -> dict[str, list[Settlement]]: ...


class NoticeRepository(Protocol):
    def add(self, notice: StoredNotice) -> None:
        """Raises DuplicateRecord("notice") when this gateway transaction is already stored."""
        ...

    def get(self, notice_id: str) -> StoredNotice | None: ...

    def lock(self, notice_id: str) -> StoredNotice | None: ...

    def by_transaction(self, gateway: str, transaction_id: str) -> StoredNotice | None: ...

    def mark(
        self,
        notice_id: str,
        outcome: NoticeOutcome,
        at: dt.datetime,
        payment_id: str | None = None,
    ) -> None: ...

    def pending(self, limit: int = 100) -> list[StoredNotice]: ...

    def paid_between(self, start: dt.datetime, end: dt.datetime) -> list[StoredNotice]: ...

    def reject(self, raw_body: str, signature: str, reason: str, at: dt.datetime) -> str:
        """Keep a notice that failed its signature or could not be read (for audit); its id."""
        ...


class PaymentRepository(Protocol):
    def add(self, payment: Payment) -> None: ...

    def for_invoice(self, invoice_id: str) -> list[Payment]: ...

    def remove(self, payment_id: str) -> None:
        """Take back a payment written in this transaction whose settlement was refused."""
        ...


class SuspenseRepository(Protocol):
    def add(self, item: SuspenseItem) -> None: ...

    def get(self, item_id: str) -> SuspenseItem | None: ...

    def update(self, item: SuspenseItem) -> None: ...

    def reason_for_notice(self, notice_id: str) -> SuspenseReason | None: ...

    def open_items(
        self, branch_code: str | None = None, limit: int = 200
    ) -> list[SuspenseItem]: ...


class DomainEventLog(Protocol):
    def payment_settled(self, invoice: Invoice, payment: Payment) -> int:
        """Record one `PaymentSettled` event per line of the invoice (set-based); how many."""
        ...


class BillingUnitOfWork(UnitOfWork, Protocol):
    """One transaction over the registry, billing, the audit log and the outbox."""

    @property
    def invoices(self) -> InvoiceRepository: ...

    @property
    def settlements(self) -> SettlementRepository: ...

    @property
    def notices(self) -> NoticeRepository: ...

    @property
    def payments(self) -> PaymentRepository: ...

    @property
    def suspense(self) -> SuspenseRepository: ...

    @property
    def events(self) -> DomainEventLog: ...


# --- the payment gateway ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    invoice_number: str
    amount: int
    channel: str  # one of `channels.CHANNELS`
    payer_name: str
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class PaymentInstruction:
    """What the payer needs to pay: a virtual-account number, or a QRIS payload, and the
    gateway's page."""

    gateway: str
    reference: str  # the gateway's id for this charge
    invoice_number: str
    channel: str
    amount: int
    pay_url: str
    expires_at: dt.datetime
    va_number: str | None = None
    qris_payload: str | None = None


class PaymentGateway(Protocol):
    """An Indonesian payment gateway (bank VA, QRIS, e-wallet, retail counter)."""

    @property
    def name(self) -> str: ...

    def create_payment(self, request: PaymentRequest) -> PaymentInstruction: ...

    def verify(self, raw_body: bytes, signature: str | None) -> bool:
        """Whether the notice body carries this gateway's signature (constant time)."""
        ...
