"""Payments: open a charge at the gateway, and count each notice's money exactly once.

Notices go through two steps, each its own transaction (an inbox), and both take a batch:
the notification endpoint hands over every request that arrived while the previous batch
was being written (`kernel.group_commit`), so the cost of a transaction is shared.

1. **Store.** Each signature is checked over the raw body (a forged notice is kept in
   `rejected_notices` for audit and answered 401); each notice is parsed (a malformed one is
   kept likewise and answered 422), then stored under the gateway's transaction id. The same
   transaction again is a duplicate: the store's unique key skips it and nothing changes.
2. **Apply.** The pending notices and their invoices are locked (in id order, so batches
   never deadlock); a notice already applied changes nothing. `applying.plan` decides, in the
   order received, which money settles its invoice and which goes to the suspense list
   (unknown invoice, wrong amount, cancelled, already paid, a paid-at time in the future or
   before the invoice was issued: never dropped). Then one statement
   per table writes the payments, the settlements of every line, the invoices paid, the audit
   events and the domain events (`billing.events`): one `PaymentSettled` per member and month
   and one `InvoicePaid` per payment. The receipt to the payer is a reaction to `InvoicePaid`
   (`billing.receipts`), queued when the events are published, outside this transaction.

A process that dies between the two leaves stored, pending notices: `apply_pending` (the
daily job, `sertakan payments apply`) applies them once; a repeat of a notice does too.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from sertakan.access.actor import Actor
from sertakan.access.auditing import event
from sertakan.access.permissions import Permission
from sertakan.access.scope import reaches_branch
from sertakan.audit.model import Outcome
from sertakan.billing.applying import Hold, Settle, plan
from sertakan.billing.channels import CHANNELS
from sertakan.billing.errors import (
    InvoiceNotFound,
    InvoiceNotPayable,
    SuspenseNotFound,
    signature_refused,
)
from sertakan.billing.events import invoice_paid_event, payment_settled_event
from sertakan.billing.invoicing import reach_payer
from sertakan.billing.model import (
    Invoice,
    InvoicePaid,
    InvoiceStatus,
    NoticeOutcome,
    PayerKind,
    Payment,
    PaymentSettled,
    Settlement,
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
from sertakan.billing.views import office_branch
from sertakan.kernel.clock import Clock
from sertakan.kernel.errors import RuleViolation, Unauthorized
from sertakan.kernel.events import Event
from sertakan.kernel.ids import new_id
from sertakan.registry.guard import Guard
from sertakan.registry.model import Member, Sponsor
from sertakan.registry.ports import DuplicateRecord

log = logging.getLogger(__name__)
_T = TypeVar("_T")

CHARGE_HOURS = 24  # how long a virtual account or QRIS stays payable
# A batch that meets a month settled meanwhile by another transaction (the unique key) is
# rolled back and planned again, now seeing that month; twice more at most.
_ATTEMPTS = 3
APPLY_BATCH = 200  # notices per apply transaction in `apply_pending`

Delivery = tuple[bytes, str | None]  # a notice's raw body and its signature header
Refusal = Unauthorized | RuleViolation  # a forged or malformed notice (recorded)


@dataclass(frozen=True, slots=True)
class NoticeResult:
    """The answer to the gateway: what became of the notice, and whether it was a repeat."""

    notice_id: str
    outcome: NoticeOutcome
    duplicate: bool
    invoice_number: str
    reason: SuspenseReason | None = None

    @classmethod
    def of(
        cls, notice: StoredNotice, duplicate: bool, reason: SuspenseReason | None
    ) -> NoticeResult:
        held = notice.outcome is NoticeOutcome.SUSPENSE
        return cls(
            notice.id, notice.outcome, duplicate, notice.invoice_number, reason if held else None
        )


@dataclass(frozen=True, slots=True)
class _Applied:
    """A batch applied: every notice as it stands afterwards, why each one the batch held
    went to the suspense list, and which the batch itself applied (not a concurrent one)."""

    final: dict[str, StoredNotice]
    reasons: dict[str, SuspenseReason]
    here: frozenset[str]


_NOTHING = _Applied({}, {}, frozenset())


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
            # The payer (or staff) only: a worker on their sponsor's invoice may read their own
            # line of it, but the charge would show them the whole invoice's total (sight.py).
            reach_payer(
                self._guard,
                uow,
                actor,
                invoice.payer_kind,
                invoice.payer_id,
                Permission.INVOICE_PAY.value,
            )
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
        return _or_raise(self._receive_batch([(raw_body, signature)])[0])

    def receive_many(
        self, deliveries: Sequence[Delivery]
    ) -> list[NoticeResult | Refusal | Exception]:
        """Store a batch of notices in one transaction, then apply the pending ones in one
        more; for each delivery, in order, its result or why it was refused.

        Each notice is judged alone (`parse_notice` refuses what the store could not take),
        and should a batch still fail as a whole (a fault nobody foresaw), each of its notices
        is tried again alone: only the one at fault fails, never the good ones it came with."""
        try:
            return list(self._receive_batch(deliveries))
        except Exception as failure:
            if len(deliveries) < 2:
                raise
            # The class only: an error of the database may carry the statement's parameters.
            log.warning(
                "a batch of %d notices failed (%s): each is tried alone",
                len(deliveries),
                type(failure).__name__,
            )
        alone: list[NoticeResult | Refusal | Exception] = []
        for delivery in deliveries:
            try:
                alone += self._receive_batch([delivery])
            except Exception as failure:
                alone.append(failure)
        return alone

    def _receive_batch(self, deliveries: Sequence[Delivery]) -> list[NoticeResult | Refusal]:
        stored = self.store_many(deliveries)
        accepted = [s for s in stored if not isinstance(s, Exception)]
        in_order = dict.fromkeys(n.id for n, _ in accepted if n.outcome is NoticeOutcome.PENDING)
        applied = self._apply_batch(list(in_order)) if in_order else _NOTHING
        final, reasons = applied.final, dict(applied.reasons)
        unexplained = {  # repeats of notices held before
            n.id
            for n, _ in accepted
            if final.get(n.id, n).outcome is NoticeOutcome.SUSPENSE and n.id not in reasons
        }
        if unexplained:
            with self._uow() as uow:
                reasons |= uow.suspense.reasons_for(unexplained)
        return [
            s
            if isinstance(s, Exception)
            else NoticeResult.of(final.get(s[0].id, s[0]), s[1], reasons.get(s[0].id))
            for s in stored
        ]

    def store(self, raw_body: bytes, signature: str | None) -> tuple[StoredNotice, bool]:
        """Step 1 for one notice: in the inbox (or the one stored before), and whether it was
        a repeat."""
        return _or_raise(self.store_many([(raw_body, signature)])[0])

    def store_many(
        self, deliveries: Sequence[Delivery]
    ) -> list[tuple[StoredNotice, bool] | Refusal]:
        """Step 1 for a batch, one transaction: each notice stored (or the one stored before
        under its gateway transaction, with `True` for a repeat), or why it was refused."""
        now = self._clock.now()
        gateway = self._gateway.name
        parsed: list[tuple[Notice, str, str] | Refusal] = []
        rejects: list[tuple[str, str, str]] = []  # raw body, signature, reason
        for raw_body, signature in deliveries:
            # Kept as text: undecodable bytes and NUL (which PostgreSQL text refuses, and no
            # JSON notice contains) become U+FFFD, so even a forged body is recorded.
            text = raw_body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
            if not self._gateway.verify(raw_body, signature):
                rejects.append((text, _printable(signature or ""), "payment.signature"))
                parsed.append(signature_refused())
                continue
            try:
                parsed.append((parse_notice(raw_body), text, signature or ""))
            except RuleViolation as malformed:
                rules = ",".join(sorted({v.rule for v in malformed.violations}))
                rejects.append((text, signature or "", rules[:40]))
                parsed.append(malformed)
        first: dict[str, StoredNotice] = {}  # transaction id -> the batch's first account of it
        for item in parsed:
            if not isinstance(item, Exception):
                notice, text, _ = item
                if notice.transaction_id not in first:
                    first[notice.transaction_id] = _stored(
                        self._new_id(), gateway, notice, text, now
                    )
        results: list[tuple[StoredNotice, bool] | Refusal] = []
        with self._uow() as uow:
            kept = uow.notices.add_new(list(first.values()))
            new = {n.id for t, n in first.items() if kept[t].id == n.id}
            reported: set[str] = set()
            for item in parsed:
                if isinstance(item, Exception):
                    results.append(item)
                    continue
                notice, text, signature = item
                stored = kept[notice.transaction_id]
                duplicate = stored.id not in new or stored.id in reported
                reported.add(stored.id)
                if duplicate and _content(stored) != _content(notice):
                    # The same transaction told differently (another amount, invoice or
                    # time): the first account stands, and this one is kept for the officer
                    # and the auditor.
                    rejects.append((text, signature, "payment.notice.conflicting_repeat"))
                results.append((stored, duplicate))
            self._record_rejects(uow, rejects, now)
            uow.commit()
        return results

    def apply(self, notice_id: str) -> NoticeOutcome:
        """Step 2 for one stored notice; a notice already applied changes nothing."""
        final = self._apply_batch([notice_id]).final
        if notice_id not in final:
            raise LookupError(f"no stored notice {notice_id}")
        return final[notice_id].outcome

    def apply_pending(self, limit: int = 1000) -> dict[NoticeOutcome, int]:
        """Apply every stored notice still pending (after a crash between the steps)."""
        with self._uow() as uow:
            pending = [n.id for n in uow.notices.pending(limit)]
        counts: dict[NoticeOutcome, int] = {}
        for start in range(0, len(pending), APPLY_BATCH):
            applied = self._apply_batch(pending[start : start + APPLY_BATCH])
            for notice_id in applied.here:  # not those another process applied meanwhile
                outcome = applied.final[notice_id].outcome
                counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    def store_from_settlement(self, notice: Notice, raw: str) -> tuple[StoredNotice, bool]:
        """A payment found in the gateway's settlement file but never notified: stored as if
        notified (the file is the gateway's signed record), to be applied like any notice."""
        stored = _stored(self._new_id(), self._gateway.name, notice, raw, self._clock.now())
        with self._uow() as uow:
            kept = uow.notices.add_new([stored])[stored.transaction_id]
            if kept.id != stored.id:
                return kept, True
            uow.commit()
        return self._apply_batch([stored.id]).final[stored.id], False

    # -- the suspense list ------------------------------------------------------------------

    def suspense(self, actor: Actor) -> list[SuspenseItem]:
        """The items to resolve (the office's list is `BillingViews.suspense`, one rule)."""
        self._guard.require(actor, Permission.PAYMENT_REVIEW, "suspense", "")
        with self._uow() as uow:
            return uow.suspense.open_items(office_branch(actor))

    def allocate(self, actor: Actor, item_id: str, invoice_number: str, note: str) -> Invoice:
        """Apply money in suspense to an open invoice of exactly that amount (the officer
        found which invoice the payer meant)."""
        self._guard.require(actor, Permission.PAYMENT_RESOLVE, "suspense", item_id)
        now = self._clock.now()
        with self._guard.refusals(), self._uow() as uow:
            item = self._open_item(uow, actor, item_id)
            number = invoice_number.strip()
            invoice = uow.invoices.lock_numbers([number]).get(number)
            if invoice is None:
                raise InvoiceNotFound(invoice_number)
            self._reach_target(uow, actor, invoice, item.id)
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
            lines = tuple(uow.invoices.lines(invoice.id))
            step = plan(
                [replace(notice, invoice_number=invoice.number)],
                {invoice.number: invoice},
                {invoice.id: lines},
                uow.settlements.settled_lines([invoice.id]),
            )[0]
            if isinstance(step, Hold) and step.reason in _UNTIMELY:
                raise _untimely(step.reason)
            if not isinstance(step, Settle):
                raise _months_paid_elsewhere()
            try:
                self._settle_all(uow, actor, [step], now)
            except DuplicateRecord:  # settled by a transaction that committed meanwhile
                raise _months_paid_elsewhere() from None
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

    def _apply_batch(self, notice_ids: Sequence[str]) -> _Applied:
        """Step 2 for a batch."""
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                return self._apply_once(notice_ids)
            except DuplicateRecord:
                if attempt == _ATTEMPTS:
                    raise
                log.info(
                    "a month was settled meanwhile; planning %d notices again", len(notice_ids)
                )
        raise AssertionError("unreachable")

    def _apply_once(self, notice_ids: Sequence[str]) -> _Applied:
        now = self._clock.now()
        with self._uow() as uow:
            # In the order they arrived: by time received, then as given (a batch stored
            # together shares its time; the caller lists it in the order delivered).
            position = {notice_id: k for k, notice_id in enumerate(notice_ids)}
            pending = sorted(
                uow.notices.lock_pending(notice_ids),
                key=lambda n: (n.received_at, position[n.id]),
            )
            invoices = uow.invoices.lock_numbers({n.invoice_number for n in pending})
            payable = [i.id for i in invoices.values() if i.is_open]
            lines = uow.invoices.lines_of(payable)
            steps = plan(pending, invoices, lines, uow.settlements.settled_lines(payable))
            settles = [s for s in steps if isinstance(s, Settle)]
            holds = [s for s in steps if isinstance(s, Hold)]
            paid = self._settle_all(uow, Actor.console(), settles, now)
            self._hold_all(uow, holds, now)
            outcomes: dict[str, tuple[NoticeOutcome, str | None]] = {
                h.notice.id: (NoticeOutcome.SUSPENSE, None) for h in holds
            }
            outcomes |= {n: (NoticeOutcome.APPLIED, p) for n, p in paid.items()}
            uow.notices.mark_many(outcomes, now)
            final = {
                n.id: replace(
                    n, outcome=outcomes[n.id][0], applied_at=now, payment_id=outcomes[n.id][1]
                )
                for n in pending
            }
            # Not pending any more: applied before (or by a concurrent batch); as they stand.
            rest = set(notice_ids) - final.keys()
            final |= {n.id: n for n in uow.notices.get_many(rest)} if rest else {}
            uow.commit()
        reasons = {h.notice.id: h.reason for h in holds}
        return _Applied(final, reasons, frozenset(n.id for n in pending))

    def _settle_all(
        self, uow: BillingUnitOfWork, actor: Actor, settles: Sequence[Settle], now: dt.datetime
    ) -> dict[str, str]:
        """Write the settling steps, one statement per table; notice id -> payment id. Raises
        DuplicateRecord when a month was settled meanwhile by another transaction."""
        if not settles:
            return {}
        paid: list[Payment] = []
        months: list[Settlement] = []
        events: list[Event] = []
        audits = []
        for step in settles:
            notice, invoice, lines = step.notice, step.invoice, step.lines
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
            paid.append(payment)
            months += [
                Settlement(
                    line.member_id,
                    line.month,
                    invoice.id,
                    payment.id,
                    line.programs,
                    line.total,
                    notice.paid_at,
                )
                for line in lines
            ]
            events += [
                payment_settled_event(
                    PaymentSettled(
                        line.member_id,
                        line.month,
                        invoice.id,
                        payment.id,
                        line.jkk,
                        line.jkm,
                        line.jht,
                        notice.paid_at,
                    ),
                    now,
                )
                for line in lines
            ]
            # The receipt to the payer reacts to this (billing.receipts, on the bus).
            paid_invoice = InvoicePaid(
                invoice.id,
                invoice.number,
                payment.id,
                payment.amount,
                tuple(sorted({line.month for line in lines})),
                len({line.member_id for line in lines}),
                notice.paid_at,
            )
            events.append(invoice_paid_event(paid_invoice, now))
            after = replace(invoice, status=InvoiceStatus.PAID, paid_at=notice.paid_at)
            audits.append(
                event(
                    actor,
                    now,
                    "invoice.paid",
                    "invoice",
                    invoice.id,
                    before=invoice_snapshot(invoice),
                    after=invoice_snapshot(after)
                    | {"payment": payment_snapshot(payment, len(lines))},
                )
            )
        uow.payments.add_many(paid)
        uow.settlements.add_many(months)
        uow.invoices.mark_paid({s.invoice.id: s.notice.paid_at for s in settles})
        uow.events.append(events)
        uow.audit.extend(audits)
        return {p.notice_id: p.id for p in paid}

    def _hold_all(self, uow: BillingUnitOfWork, holds: Sequence[Hold], now: dt.datetime) -> None:
        items = [
            SuspenseItem(
                id=self._new_id(),
                notice_id=h.notice.id,
                invoice_id=h.invoice.id if h.invoice else None,
                amount=h.notice.amount,
                reason=h.reason,
                status=SuspenseStatus.OPEN,
                branch_code=h.invoice.branch_code if h.invoice else None,
                created_at=now,
            )
            for h in holds
        ]
        uow.suspense.add_many(items)
        uow.audit.extend(
            [
                event(
                    Actor.console(),
                    now,
                    "payment.suspense",
                    "suspense",
                    item.id,
                    after=suspense_snapshot(item) | {"transaction_id": h.notice.transaction_id},
                    reason=item.reason.value,
                )
                for item, h in zip(items, holds, strict=True)
            ]
        )

    def _record_rejects(
        self, uow: BillingUnitOfWork, rejects: Sequence[tuple[str, str, str]], now: dt.datetime
    ) -> None:
        for raw, signature, reason in rejects:
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

    def _open_item(self, uow: BillingUnitOfWork, actor: Actor, item_id: str) -> SuspenseItem:
        item = uow.suspense.get(item_id)
        if item is None:
            raise SuspenseNotFound(item_id)
        if actor.role.is_branch_staff and item.branch_code not in (None, actor.branch_code):
            self._guard.refuse(actor, Permission.PAYMENT_RESOLVE.value, "suspense", item_id)
        named = uow.invoices.get(item.invoice_id) if item.invoice_id else None
        if named is not None:  # money sent for a known invoice: that payer's branch decides
            self._reach_target(uow, actor, named, item_id)
        if item.status is not SuspenseStatus.OPEN:
            raise RuleViolation.single(
                "item",
                "payment.suspense.resolved",
                "This money was already allocated or refunded",
                "Dana ini sudah dialokasikan atau dikembalikan",
            )
        return item

    def _reach_target(
        self, uow: BillingUnitOfWork, actor: Actor, invoice: Invoice, item_id: str
    ) -> None:
        """Inside `guard.refusals()`: staff move suspense money only onto (or away from) an
        invoice of their own branch whose payer they reach. Money in suspense with no branch
        (an unknown invoice number) is every branch's to look at, but not to credit to
        another branch's payer (issue 12: an officer of another branch marked a Bogor Kota
        invoice paid; OWASP ASVS 4.0 V4.2.1)."""
        if not reaches_branch(actor, invoice.branch_code):
            self._guard.refuse(actor, Permission.PAYMENT_RESOLVE.value, "suspense", item_id)
        reach_payer(
            self._guard,
            uow,
            actor,
            invoice.payer_kind,
            invoice.payer_id,
            Permission.PAYMENT_RESOLVE.value,
        )

    def _payer(self, uow: BillingUnitOfWork, invoice: Invoice) -> Sponsor | Member | None:
        if invoice.payer_kind is PayerKind.SPONSOR:
            return uow.sponsors.get(invoice.payer_id)
        return uow.members.get(invoice.payer_id)


def _name_of(payer: Sponsor | Member | None) -> str:
    if payer is None:
        return ""
    return payer.full_name if isinstance(payer, Member) else payer.name


def _months_paid_elsewhere() -> RuleViolation:
    return RuleViolation.single(
        "invoice_number",
        "payment.suspense.months_paid",
        "A month of this invoice was already paid by another invoice: refund instead",
        "Salah satu bulan tagihan ini sudah dibayar: kembalikan dananya",
    )


_UNTIMELY = (SuspenseReason.PAID_IN_FUTURE, SuspenseReason.PAID_BEFORE_ISSUE)


def _untimely(reason: SuspenseReason) -> RuleViolation:
    """The money's paid-at time cannot settle this invoice: it would start cover at a moment
    the money was not paid at (`bpu/coverage_policy.yaml`)."""
    if reason is SuspenseReason.PAID_IN_FUTURE:
        return RuleViolation.single(
            "item",
            "payment.suspense.paid_in_future",
            "The notice says the money was paid later than it reached us: refund instead",
            "Waktu bayar pada notifikasi lebih lambat dari saat diterima: kembalikan dananya",
        )
    return RuleViolation.single(
        "invoice_number",
        "payment.suspense.paid_before_issue",
        "The money was paid before this invoice was issued: choose another invoice or refund",
        "Dana dibayar sebelum tagihan ini terbit: pilih tagihan lain atau kembalikan dananya",
    )


def _content(notice: StoredNotice | Notice) -> tuple[str, int, str, dt.datetime]:
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


def _printable(text: str) -> str:
    """A header kept for audit as text PostgreSQL takes: NUL and other controls escaped."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)[:200]


def _or_raise(result: _T | Refusal) -> _T:
    if isinstance(result, Exception):
        raise result
    return result
