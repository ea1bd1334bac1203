"""What billing needs from the outside world, as Protocols: the store and the payment gateway."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol

from sertakan.audit.ports import AuditingUnitOfWork
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
from sertakan.kernel.events import EventLog
from sertakan.kernel.periods import Month
from sertakan.notifications.ports import Outbox
from sertakan.registry.ports import RegistryUnitOfWork


class InvoiceRepository(Protocol):
    def add(self, invoice: Invoice, lines: Collection[InvoiceLine]) -> None:
        """Raises DuplicateRecord("invoice") when the payer already has an open or paid
        invoice of this kind for this month (what makes issuing idempotent)."""
        ...

    def get(self, invoice_id: str) -> Invoice | None: ...

    def lock_numbers(self, numbers: Collection[str]) -> dict[str, Invoice]:
        """The invoices with these numbers, by number, locked in one order (the number) so
        that two batches of payments never wait on each other in a circle."""
        ...

    def lines(self, invoice_id: str) -> list[InvoiceLine]: ...

    def lines_of(self, invoice_ids: Collection[str]) -> dict[str, list[InvoiceLine]]: ...

    def mark_paid(self, paid_at: Mapping[str, dt.datetime]) -> None:
        """Invoice id -> when its money arrived."""
        ...

    def payer_phones(self, invoice_ids: Collection[str]) -> dict[str, str]:
        """Invoice id -> the phone of its payer (sponsor or self-paying member), for receipts."""
        ...

    def set_status(
        self,
        invoice_id: str,
        status: InvoiceStatus,
        at: dt.datetime,
        reason: str = "",
    ) -> None: ...

    def for_payer(self, payer_kind: PayerKind, payer_id: str, limit: int = 50) -> list[Invoice]: ...

    def remove_lines(
        self,
        invoice_id: str,
        member_id: str,
        months: Collection[Month],
        total: int,
        issue_key: str | None,
    ) -> None:
        """Take the member's lines of these months off an open invoice and set its new total
        and issue key (a sponsorship ended: `invoicing.drop_ended_sponsorship`)."""
        ...

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
    def add_many(self, settlements: Collection[Settlement]) -> None:
        """Count these member-months as paid. Raises DuplicateRecord("settlement") when one
        was paid meanwhile by another transaction (the unique key), leaving the transaction
        to be rolled back."""
        ...

    def settled_lines(self, invoice_ids: Collection[str]) -> set[tuple[str, Month]]:
        """The (member, month) pairs of these invoices' lines already settled, by whichever
        invoice."""
        ...

    def for_member(self, member_id: str) -> list[Settlement]: ...

    def months_paid(
        self, member_ids: Collection[str], months: Collection[Month]
    ) -> set[tuple[str, Month]]: ...

    def of_members(
        self, member_ids: Collection[str], since: Month
    ) -> dict[str, list[Settlement]]: ...


class NoticeRepository(Protocol):
    def add_new(self, notices: Collection[StoredNotice]) -> dict[str, StoredNotice]:
        """Store the notices (of one gateway) whose transaction is not stored yet; a repeat is
        skipped by the unique key, waiting for a concurrent insert to commit. Every one's
        transaction id -> the notice stored under it: this one, or the one stored before."""
        ...

    def get(self, notice_id: str) -> StoredNotice | None: ...

    def get_many(self, notice_ids: Collection[str]) -> list[StoredNotice]: ...

    def lock_pending(self, notice_ids: Collection[str]) -> list[StoredNotice]:
        """Those of the notices still pending, locked in one order (id)."""
        ...

    def by_transactions(
        self, gateway: str, transaction_ids: Collection[str]
    ) -> dict[str, StoredNotice]: ...

    def mark_many(
        self, outcomes: Mapping[str, tuple[NoticeOutcome, str | None]], at: dt.datetime
    ) -> None:
        """Notice id -> (outcome, payment id)."""
        ...

    def pending(self, limit: int = 100) -> list[StoredNotice]: ...

    def paid_between(self, start: dt.datetime, end: dt.datetime) -> list[StoredNotice]: ...

    def reject(self, raw_body: str, signature: str, reason: str, at: dt.datetime) -> str:
        """Keep a notice that failed its signature or could not be read (for audit); its id."""
        ...


class PaymentRepository(Protocol):
    def add_many(self, payments: Collection[Payment]) -> None: ...

    def for_invoice(self, invoice_id: str) -> list[Payment]: ...


class SuspenseRepository(Protocol):
    def add_many(self, items: Collection[SuspenseItem]) -> None: ...

    def get(self, item_id: str) -> SuspenseItem | None: ...

    def update(self, item: SuspenseItem) -> None: ...

    def reasons_for(self, notice_ids: Collection[str]) -> dict[str, SuspenseReason]: ...

    def open_items(
        self, branch_code: str | None = None, limit: int = 200
    ) -> list[SuspenseItem]: ...


class BillingUnitOfWork(RegistryUnitOfWork, AuditingUnitOfWork, Protocol):
    """What billing's use cases reach in one transaction: billing's tables, the registry's
    (who pays for whom), the audit log, the outbox (receipts) and the domain events."""

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
    def events(self) -> EventLog:
        """The domain events' outbox (`kernel.events`), written in this transaction."""
        ...

    @property
    def outbox(self) -> Outbox: ...


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
