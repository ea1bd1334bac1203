"""What the billing pages share: dates, months and moments in the reader's language, and the
invoice as a page shows it (each worker's line with their name, the payment behind a receipt).

The billing services decide who may see what (`InvoiceService.invoice` checks the reader
reaches the invoice); the reads here run only after that check passed, and add what the page
needs beside it (names, the payment's channel) from the same store, read-only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from sertakan.access.actor import Actor
from sertakan.access.roles import Role
from sertakan.billing.channels import channel_label
from sertakan.billing.model import Invoice, InvoiceLine, PayerKind, Payment
from sertakan.billing.ports import BillingUnitOfWork
from sertakan.bootstrap import Container
from sertakan.kernel.periods import Month
from sertakan.registry.kpj import mask_kpj
from sertakan.web import i18n
from sertakan.web.error_pages import N_

# The daily job writes its reason for a cancellation in English (for logs and the audit
# trail); pages say it in Indonesian. The prefix is `InvoiceService.cancel_unpayable`'s.
_ARREARS_WINDOW_PASSED = "arrears window passed"
CANCELLED_ARREARS = N_("Lewat batas 3 bulan tunggakan: tidak dapat dibayar lagi")
CANCELLED_OTHER = N_("Dibatalkan")


def month_label(month: Month, lang: str) -> str:
    """ "Desember 2026" (id), "December 2026" (en)."""
    return i18n.format_month(month, lang)


def months_label(months: Iterable[Month], lang: str) -> str:
    """One month, or the first and the last: "Desember 2026 – Februari 2027"."""
    ordered = sorted(set(months))
    if not ordered:
        return ""
    if len(ordered) == 1:
        return month_label(ordered[0], lang)
    return f"{month_label(ordered[0], lang)} – {month_label(ordered[-1], lang)}"


def moment_label(at: dt.datetime, lang: str) -> str:
    """ "10 Desember 2026, 09.15 WIB": the platform's time zone, as receipts print it."""
    return i18n.format_moment(at, lang)


def cancel_reason_id(reason: str) -> str:
    """A cancellation's reason as the payer reads it (a message id)."""
    return CANCELLED_ARREARS if reason.startswith(_ARREARS_WINDOW_PASSED) else CANCELLED_OTHER


@dataclass(frozen=True, slots=True)
class PayerRef:
    """Whose invoices a page shows: a sponsor, or a self-paying member."""

    kind: PayerKind
    id: str

    def is_own(self, actor: Actor) -> bool:
        if self.kind is PayerKind.SPONSOR:
            return actor.sponsor_id == self.id
        return actor.member_id == self.id

    def page_url(self, actor: Actor, **extra: str) -> str:
        """`/tagihan` for one's own invoices; staff name the payer in the query."""
        query: dict[str, str] = {}
        if not self.is_own(actor):
            query["sponsor" if self.kind is PayerKind.SPONSOR else "peserta"] = self.id
        query.update(extra)
        return "/tagihan" + (f"?{urlencode(query)}" if query else "")


def own_payer(actor: Actor) -> PayerRef | None:
    """The payer a signed-in sponsor or worker is, if any."""
    if actor.role is Role.SPONSOR and actor.sponsor_id:
        return PayerRef(PayerKind.SPONSOR, actor.sponsor_id)
    if actor.role is Role.WORKER and actor.member_id:
        return PayerRef(PayerKind.MEMBER, actor.member_id)
    return None


@dataclass(frozen=True, slots=True)
class LineView:
    line: InvoiceLine
    member_name: str


@dataclass(frozen=True, slots=True)
class InvoiceView:
    """An invoice with what its page shows beside it."""

    invoice: Invoice
    payer_name: str
    lines: tuple[LineView, ...]
    payments: tuple[Payment, ...]
    # A worker reading their sponsor's invoice sees only their own line: not their
    # colleagues' names and amounts, their number, nor the invoice's total (`billing.sight`).
    only_own_line: bool
    months: tuple[Month, ...]
    workers: int
    total: int | None  # None when the reader sees only their own line

    @property
    def payment(self) -> Payment | None:
        """The payment that settled it (the first one: a second goes to the suspense list)."""
        return self.payments[0] if self.payments else None

    def channel(self) -> str:
        return channel_label(self.payment.channel) if self.payment else ""

    def is_overdue(self, today: dt.date) -> bool:
        return self.invoice.is_open and self.invoice.due_on < today


def payer_name(container: Container, kind: PayerKind, payer_id: str) -> str:
    """After the service let the reader see this payer's invoices."""
    with container.uow() as uow:
        return _payer_name(uow, kind, payer_id)


def _payer_name(uow: BillingUnitOfWork, kind: PayerKind, payer_id: str) -> str:
    if kind is PayerKind.SPONSOR:
        sponsor = uow.sponsors.get(payer_id)
        return sponsor.name if sponsor else ""
    member = uow.members.get(payer_id)
    return member.full_name if member else ""


def read_invoice(container: Container, actor: Actor, invoice_id: str) -> InvoiceView:
    """The invoice as the reader may see it (`InvoiceService.read` decides: scope, which
    lines, whose names) with names and payments. Raises InvoiceNotFound, or Forbidden outside
    the reader's scope."""
    sight = container.invoices.read(actor, invoice_id)
    invoice = sight.invoice
    with container.uow() as uow:
        names: dict[str, str] = {}
        for member_id in {line.member_id for line in sight.lines}:
            member = uow.members.get(member_id)
            if member is None:
                names[member_id] = ""
            elif sight.names(member_id):
                names[member_id] = member.full_name
            else:  # a worker the sponsor no longer sponsors: the masked KPJ, no name
                names[member_id] = f"KPJ {mask_kpj(member.kpj)}"
        # The payment's amount is the invoice's total: not for a reader of one line.
        payments = (
            ()
            if sight.only_own_line
            else tuple(sorted(uow.payments.for_invoice(invoice.id), key=lambda p: p.paid_at))
        )
        payer = _payer_name(uow, invoice.payer_kind, invoice.payer_id)
    ordered = sorted(
        sight.lines, key=lambda line: (names[line.member_id], line.member_id, line.month)
    )
    return InvoiceView(
        invoice=invoice,
        payer_name=payer,
        lines=tuple(LineView(line, names[line.member_id]) for line in ordered),
        payments=payments,
        only_own_line=sight.only_own_line,
        months=sight.months,
        workers=sight.workers,
        total=sight.total,
    )
