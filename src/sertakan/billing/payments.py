"""Payments: open a charge at the gateway, and count each notice's money exactly once.

A notice goes through two steps, each its own transaction (an inbox):

1. **Store.** The signature is checked over the raw body (a forged notice is kept in
   `rejected_notices` for audit and answered 401); the notice is parsed (a malformed one is
   kept likewise and answered 422), then stored under the gateway's transaction id. The same
   transaction again is a duplicate: the store's unique key refuses it and nothing changes.
2. **Apply.** The notice and its invoice are locked; a notice already applied changes nothing.
   Money that fits the invoice settles every line of it in one set-based insert, records the
   payment, one `PaymentSettled` event per member and month, the audit event and the receipt
   in the outbox. Money that does not fit (unknown invoice, wrong amount, cancelled, already
   paid) goes to the suspense list for a branch officer: never dropped.

A process that dies between the two leaves a stored, pending notice: `apply_pending` (the
daily job, `sertakan payments apply`) applies it once; a repeat of the notice does too.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from sertakan.access.actor import Actor
from sertakan.access.auditing import event
from sertakan.access.permissions import Permission
from sertakan.audit.model import Outcome
from sertakan.billing.channels import CHANNELS
from sertakan.billing.errors import (
    InvoiceNotFound,
    InvoiceNotPayable,
    SuspenseNotFound,
    signature_refused,
)
from sertakan.billing.invoicing import reach_invoice
from sertakan.billing.model import (
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    NoticeOutcome,
    PayerKind,
    Payment,
    StoredNotice,
    SuspenseItem,
    SuspenseReason,
    SuspenseStatus,
)
from sertakan.billing.notices import Notice, parse_notice
from sertakan.billing.ports import (
    BillingUnitOfWork,
    PaymentGateway,
    PaymentInstruction,
    PaymentRequest,
)
from sertakan.billing.snapshots import invoice_snapshot, payment_snapshot, suspense_snapshot
from sertakan.kernel.clock import Clock
from sertakan.kernel.errors import RuleViolation
from sertakan.kernel.ids import new_id
from sertakan.notifications import templates
from sertakan.notifications.model import Message
from sertakan.registry.guard import Guard
from sertakan.registry.model import Member, Sponsor
from sertakan.registry.ports import DuplicateRecord

log = logging.getLogger(__name__)

CHARGE_HOURS = 24  # how long a virtual account or QRIS stays payable


@dataclass(frozen=True, slots=True)
class NoticeResult:
    """The answer to the gateway: what became of the notice, and whether it was a repeat."""

    notice_id: str
    outcome: NoticeOutcome
    duplicate: bool
    invoice_number: str
    reason: SuspenseReason | None = None


class PaymentService:
    def __init__(
        self,
        uow: Callable[[], BillingUnitOfWork],
        clock: Clock,
        gateway: PaymentGateway,
        ids: Callable[[], str] = new_id,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._gateway = gateway
        self._guard = Guard(uow, clock)
        self._new_id = ids

    # -- paying -------------------------------------------------------------------------------

    def checkout(self, actor: Actor, invoice_id: str, channel: str) -> PaymentInstruction:
        """Open a charge at the gateway for the whole invoice on `channel`."""
        self._guard.require(actor, Permission.INVOICE_PAY, "invoice", invoice_id)
        if channel not in CHANNELS:
            raise RuleViolation.single(
                "channel",
                "payment.channel",
                f"Choose a channel: {', '.join(CHANNELS)}",
                "Pilih kanal pembayaran",
            )
        with self._guard.refusals(), self._uow() as uow:
            invoice = uow.invoices.get(invoice_id)
            if invoice is None:
                raise InvoiceNotFound(invoice_id)
            reach_invoice(self._guard, uow, actor, invoice, Permission.INVOICE_PAY.value)
            payer_name = _name_of(self._payer(uow, invoice))
        if not invoice.is_open:
            raise InvoiceNotPayable(invoice.status.label_id)
        return self._gateway.create_payment(
            PaymentRequest(
                invoice_number=invoice.number,
                amount=invoice.total,
                channel=channel,
                payer_name=payer_name,
                expires_at=self._clock.now() + dt.timedelta(hours=CHARGE_HOURS),
            )
        )

    # -- notices ------------------------------------------------------------------------------

    def receive(self, raw_body: bytes, signature: str | None) -> NoticeResult:
        """Store the notice, then apply it. Raises Unauthorized (bad signature) or
        RuleViolation (malformed); both are recorded first."""
        stored, duplicate = self.store(raw_body, signature)
        if stored.outcome is NoticeOutcome.PENDING:
            stored = self._apply(stored.id)
        reason = self._suspense_reason(stored) if stored.outcome is NoticeOutcome.SUSPENSE else None
        return NoticeResult(stored.id, stored.outcome, duplicate, stored.invoice_number, reason)

    def store(self, raw_body: bytes, signature: str | None) -> tuple[StoredNotice, bool]:
        """Step 1: the notice in the inbox (or the one stored before), and whether it was a
        repeat."""
        now = self._clock.now()
        # Kept as text: undecodable bytes and NUL (which PostgreSQL text refuses, and no JSON
        # notice contains) become U+FFFD, so even a forged body is recorded.
        text = raw_body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
        if not self._gateway.verify(raw_body, signature):
            self._reject(text, signature or "", "payment.signature", now)
            raise signature_refused()
        try:
            notice = parse_notice(raw_body)
        except RuleViolation as malformed:
            rules = ",".join(sorted({v.rule for v in malformed.violations}))
            self._reject(text, signature or "", rules[:40], now)
            raise
        stored = _stored(self._new_id(), self._gateway.name, notice, text, now)
        earlier = self._insert_once(stored)
        if earlier is None:
            return stored, False
        if _content(earlier) != _content(stored):
            # The same transaction told differently (another amount, invoice or time): the
            # first account stands, and this one is kept for the officer and the auditor.
            self._reject(text, signature or "", "payment.notice.conflicting_repeat", now)
        return earlier, True

    def apply(self, notice_id: str) -> NoticeOutcome:
        """Step 2 for one stored notice; a notice already applied changes nothing."""
        return self._apply(notice_id).outcome

    def apply_pending(self, limit: int = 1000) -> dict[NoticeOutcome, int]:
        """Apply every stored notice still pending (after a crash between the steps)."""
        with self._uow() as uow:
            pending = uow.notices.pending(limit)
        counts: dict[NoticeOutcome, int] = {}
        for notice in pending:
            outcome = self._apply(notice.id).outcome
            counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    def store_from_settlement(self, notice: Notice, raw: str) -> tuple[StoredNotice, bool]:
        """A payment found in the gateway's settlement file but never notified: stored as if
        notified (the file is the gateway's signed record), to be applied like any notice."""
        stored = _stored(self._new_id(), self._gateway.name, notice, raw, self._clock.now())
        earlier = self._insert_once(stored)
        if earlier is not None:
            return earlier, True
        return self._apply(stored.id), False

    def _insert_once(self, stored: StoredNotice) -> StoredNotice | None:
        """Put the notice in the inbox; None when it is new, else the one stored before
        under the same gateway transaction (the unique key refused the copy)."""
        with self._uow() as uow:
            try:
                uow.notices.add(stored)
                uow.commit()
                return None
            except DuplicateRecord:
                uow.rollback()
                earlier = uow.notices.by_transaction(stored.gateway, stored.transaction_id)
                assert earlier is not None  # the unique key named it
                return earlier

    # -- the suspense list ------------------------------------------------------------------

    def suspense(self, actor: Actor) -> list[SuspenseItem]:
        self._guard.require(actor, Permission.PAYMENT_REVIEW, "suspense", "")
        branch = actor.branch_code if actor.role.is_branch_staff else None
        with self._uow() as uow:
            return uow.suspense.open_items(branch)

    def allocate(self, actor: Actor, item_id: str, invoice_number: str, note: str) -> Invoice:
        """Apply money in suspense to an open invoice of exactly that amount (the officer
        found which invoice the payer meant)."""
        self._guard.require(actor, Permission.PAYMENT_RESOLVE, "suspense", item_id)
        now = self._clock.now()
        with self._guard.refusals(), self._uow() as uow:
            item = self._open_item(uow, actor, item_id)
            invoice = uow.invoices.get_by_number(invoice_number.strip())
            if invoice is None:
                raise InvoiceNotFound(invoice_number)
            invoice = uow.invoices.lock(invoice.id)
            assert invoice is not None
            if not invoice.is_open:
                raise InvoiceNotPayable(invoice.status.label_id)
            if invoice.total != item.amount:
                raise RuleViolation.single(
                    "invoice_number",
                    "payment.suspense.amount",
                    f"The money in suspense (Rp{item.amount:,}) is not this invoice's total "
                    f"(Rp{invoice.total:,}): refund it instead",
                    "Jumlah dana tidak sama dengan total tagihan ini: kembalikan dananya",
                )
            notice = uow.notices.get(item.notice_id)
            assert notice is not None
            if self._settle(uow, actor, notice, invoice, now) is None:
                raise RuleViolation.single(
                    "invoice_number",
                    "payment.suspense.months_paid",
                    "A month of this invoice was already paid by another invoice: refund instead",
                    "Salah satu bulan tagihan ini sudah dibayar: kembalikan dananya",
                )
            invoice = replace(invoice, status=InvoiceStatus.PAID, paid_at=notice.paid_at)
            resolved = replace(
                item,
                status=SuspenseStatus.ALLOCATED,
                resolved_at=now,
                resolved_by=actor.account_id,
                resolution_note=note.strip()[:300],
                allocated_invoice_id=invoice.id,
            )
            uow.suspense.update(resolved)
            uow.audit.append(
                event(
                    actor,
                    now,
                    "suspense.allocate",
                    "suspense",
                    item.id,
                    before=suspense_snapshot(item),
                    after=suspense_snapshot(resolved),
                )
            )
            uow.commit()
        return invoice

    def refund(self, actor: Actor, item_id: str, note: str) -> SuspenseItem:
        """Mark money in suspense to be returned to the payer (the gateway's refund is made
        outside; the note says how)."""
        self._guard.require(actor, Permission.PAYMENT_RESOLVE, "suspense", item_id)
        if not note.strip():
            raise RuleViolation.single(
                "note",
                "payment.suspense.note",
                "Say how the money is returned",
                "Tuliskan cara pengembalian dana",
            )
        now = self._clock.now()
        with self._guard.refusals(), self._uow() as uow:
            item = self._open_item(uow, actor, item_id)
            resolved = replace(
                item,
                status=SuspenseStatus.REFUNDED,
                resolved_at=now,
                resolved_by=actor.account_id,
                resolution_note=note.strip()[:300],
            )
            uow.suspense.update(resolved)
            uow.audit.append(
                event(
                    actor,
                    now,
                    "suspense.refund",
                    "suspense",
                    item.id,
                    before=suspense_snapshot(item),
                    after=suspense_snapshot(resolved),
                )
            )
            uow.commit()
        return resolved

    # -- internals ----------------------------------------------------------------------------

    def _apply(self, notice_id: str) -> StoredNotice:
        now = self._clock.now()
        with self._uow() as uow:
            notice = uow.notices.lock(notice_id)
            if notice is None:
                raise LookupError(f"no stored notice {notice_id}")
            if notice.outcome is not NoticeOutcome.PENDING:
                return notice  # applied before: the same notice changes nothing
            found = uow.invoices.get_by_number(notice.invoice_number)
            invoice = uow.invoices.lock(found.id) if found is not None else None
            reason = _misfit(notice, invoice)
            applied: str | None = None
            if reason is None:
                assert invoice is not None
                payment_id = self._settle(uow, Actor.console(), notice, invoice, now)
                if payment_id is not None:
                    outcome, applied = NoticeOutcome.APPLIED, payment_id
                else:
                    reason = SuspenseReason.ALREADY_PAID  # one of its months was paid since
            if reason is not None:
                self._to_suspense(uow, notice, invoice, reason, now)
                outcome, applied = NoticeOutcome.SUSPENSE, None
            uow.notices.mark(notice.id, outcome, now, applied)
            uow.commit()
        return replace(notice, outcome=outcome, applied_at=now, payment_id=applied)

    def _settle(
        self,
        uow: BillingUnitOfWork,
        actor: Actor,
        notice: StoredNotice,
        invoice: Invoice,
        now: dt.datetime,
    ) -> str | None:
        """Settle every line of `invoice` with the notice's money; None (and nothing written)
        when one of its months was already paid by another invoice."""
        payment = Payment(
            id=self._new_id(),
            invoice_id=invoice.id,
            notice_id=notice.id,
            gateway=notice.gateway,
            transaction_id=notice.transaction_id,
            channel=notice.channel,
            amount=notice.amount,
            paid_at=notice.paid_at,
            recorded_at=now,
        )
        uow.payments.add(payment)
        try:
            months = uow.settlements.settle_invoice(invoice, payment)
        except DuplicateRecord:
            uow.payments.remove(payment.id)
            return None
        uow.invoices.set_status(invoice.id, InvoiceStatus.PAID, notice.paid_at)
        uow.events.payment_settled(invoice, payment)
        paid = replace(invoice, status=InvoiceStatus.PAID, paid_at=notice.paid_at)
        uow.audit.append(
            event(
                actor,
                now,
                "invoice.paid",
                "invoice",
                invoice.id,
                before=invoice_snapshot(invoice),
                after=invoice_snapshot(paid) | {"payment": payment_snapshot(payment, months)},
            )
        )
        self._receipt(uow, paid, payment, now)
        return payment.id

    def _receipt(
        self,
        uow: BillingUnitOfWork,
        invoice: Invoice,
        payment: Payment,
        now: dt.datetime,
    ) -> None:
        payer = self._payer(uow, invoice)
        if payer is None:
            return
        phone = payer.phone
        lines = uow.invoices.lines(invoice.id)
        workers = len({line.member_id for line in lines})
        body = templates.receipt(
            invoice.number, payment.amount, _months_label(lines), workers, payment.paid_at
        )
        uow.outbox.add(Message(self._new_id(), "sms", phone, "billing.receipt", body, now))

    def _to_suspense(
        self,
        uow: BillingUnitOfWork,
        notice: StoredNotice,
        invoice: Invoice | None,
        reason: SuspenseReason,
        now: dt.datetime,
    ) -> None:
        item = SuspenseItem(
            id=self._new_id(),
            notice_id=notice.id,
            invoice_id=invoice.id if invoice else None,
            amount=notice.amount,
            reason=reason,
            status=SuspenseStatus.OPEN,
            branch_code=invoice.branch_code if invoice else None,
            created_at=now,
        )
        uow.suspense.add(item)
        uow.audit.append(
            event(
                Actor.console(),
                now,
                "payment.suspense",
                "suspense",
                item.id,
                after=suspense_snapshot(item) | {"transaction_id": notice.transaction_id},
                reason=reason.value,
            )
        )

    def _reject(self, raw: str, signature: str, reason: str, now: dt.datetime) -> None:
        with self._uow() as uow:
            rejected_id = uow.notices.reject(raw, signature, reason, now)
            uow.audit.append(
                event(
                    Actor.console(),
                    now,
                    "payment.notice",
                    "notice",
                    rejected_id,
                    outcome=Outcome.DENIED,
                    reason=reason,
                )
            )
            uow.commit()

    def _open_item(self, uow: BillingUnitOfWork, actor: Actor, item_id: str) -> SuspenseItem:
        item = uow.suspense.get(item_id)
        if item is None:
            raise SuspenseNotFound(item_id)
        if actor.role.is_branch_staff and item.branch_code not in (None, actor.branch_code):
            self._guard.refuse(actor, Permission.PAYMENT_RESOLVE.value, "suspense", item_id)
        if item.status is not SuspenseStatus.OPEN:
            raise RuleViolation.single(
                "item",
                "payment.suspense.resolved",
                "This money was already allocated or refunded",
                "Dana ini sudah dialokasikan atau dikembalikan",
            )
        return item

    def _suspense_reason(self, notice: StoredNotice) -> SuspenseReason | None:
        with self._uow() as uow:
            return uow.suspense.reason_for_notice(notice.id)

    def _payer(self, uow: BillingUnitOfWork, invoice: Invoice) -> Sponsor | Member | None:
        if invoice.payer_kind is PayerKind.SPONSOR:
            return uow.sponsors.get(invoice.payer_id)
        return uow.members.get(invoice.payer_id)


def _name_of(payer: Sponsor | Member | None) -> str:
    if payer is None:
        return ""
    return payer.full_name if isinstance(payer, Member) else payer.name


def _misfit(notice: StoredNotice, invoice: Invoice | None) -> SuspenseReason | None:
    """Why the notice's money cannot settle the invoice as it came, or None when it can."""
    if invoice is None:
        return SuspenseReason.UNKNOWN_INVOICE
    if invoice.status is InvoiceStatus.CANCELLED:
        return SuspenseReason.INVOICE_CANCELLED
    if invoice.status is InvoiceStatus.PAID:
        return SuspenseReason.ALREADY_PAID
    if notice.amount != invoice.total:
        return SuspenseReason.AMOUNT_MISMATCH
    return None


def _content(notice: StoredNotice) -> tuple[str, int, str, dt.datetime]:
    return (notice.invoice_number, notice.amount, notice.channel, notice.paid_at)


def _stored(
    notice_id: str, gateway: str, notice: Notice, raw: str, now: dt.datetime
) -> StoredNotice:
    return StoredNotice(
        id=notice_id,
        gateway=gateway,
        transaction_id=notice.transaction_id,
        invoice_number=notice.invoice_number,
        amount=notice.amount,
        channel=notice.channel,
        paid_at=notice.paid_at,
        received_at=now,
        raw_body=raw,
        outcome=NoticeOutcome.PENDING,
    )


def _months_label(lines: list[InvoiceLine]) -> str:
    months = sorted({line.month for line in lines})
    names = [m.short_name_id for m in months]
    return names[0] if len(names) == 1 else f"{names[0]}–{names[-1]}"
