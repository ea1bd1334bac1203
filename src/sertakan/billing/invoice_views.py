"""Read models of money, for the API and the pages alike (issue 16, "money pages that tell the
truth"): what a reader sees of invoices and months, decided once here.

* `InvoiceLabel`: an invoice headed by the months its lines bill, not by the month it was
  issued in. A bill of months ahead issued in December for January 2027 alone (December was
  paid already) is "Januari 2027", never "Desember 2026".
* `MemberMonth`: one member's contribution month as the member (or staff) reads it: paid
  (by whom, when, on which invoice), billed and waiting (to whom), or not billed yet. The
  amount is the member's own line, never the sponsor's total (`sight.py`).
* `PayerMonth`: a payer's (sponsor's or self-paying worker's) invoices month by month: each
  month's share of every invoice that bills it, and when it was paid.
* `unbilled_members`: the payer's workers whose current month is on no live invoice and not
  paid: a worker enrolled after the month's invoice was issued. Issuing again bills them on
  a supplementary invoice of their own (`InvoiceService.issue_for_payer`); see there why an
  issued invoice is never enlarged.

The scope checks are the services' (`Guard`): a worker reaches their own months, a sponsor
the workers they sponsor, staff their branch; a refusal is audited like any other.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sertakan.access.actor import Actor
from sertakan.access.permissions import Permission
from sertakan.billing.channels import channel_label
from sertakan.billing.invoicing import InvoiceService, reach_payer
from sertakan.billing.model import (
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    PayerKind,
    Payment,
    Settlement,
)
from sertakan.billing.ports import BillingUnitOfWork
from sertakan.billing.sight import is_payer
from sertakan.kernel.clock import Clock
from sertakan.kernel.periods import Month
from sertakan.registry.errors import MemberNotFound
from sertakan.registry.guard import Guard
from sertakan.registry.kpj import mask_kpj

HISTORY_MONTHS = 24  # how far back a history page goes: two years of months


@dataclass(frozen=True, slots=True)
class InvoiceLabel:
    """An invoice with the months its lines bill: what its heading says."""

    invoice: Invoice
    months: tuple[Month, ...]  # sorted; empty only for an invoice without lines

    @property
    def first(self) -> Month:
        return self.months[0] if self.months else self.invoice.month


def label_invoices(
    invoices: Iterable[Invoice], lines: dict[str, list[InvoiceLine]]
) -> list[InvoiceLabel]:
    return [
        InvoiceLabel(i, tuple(sorted({line.month for line in lines.get(i.id, [])})))
        for i in invoices
    ]


class MonthState(StrEnum):
    PAID = "paid"
    BILLED = "billed"  # on an open invoice, waiting for its payer
    UNBILLED = "unbilled"  # the current month, on no invoice yet


@dataclass(frozen=True, slots=True)
class MemberMonth:
    month: Month
    state: MonthState
    amount: int | None  # the member's own line (or what settled for it); None when unbilled
    invoice_id: str | None
    invoice_number: str | None
    payer_kind: PayerKind | None
    payer_name: str  # the sponsor's name; "" when the member pays themselves
    is_reader_payer: bool  # the reader pays this invoice (and so may pay it)
    due_on: dt.date | None
    paid_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class MemberMonths:
    member_id: str
    sponsor_id: str | None  # who pays this month for the member (None: they pay themselves)
    sponsor_name: str
    months: tuple[MemberMonth, ...]  # newest first

    @property
    def this_month(self) -> MemberMonth | None:
        return self.months[0] if self.months else None


@dataclass(frozen=True, slots=True)
class MonthShare:
    """One invoice's part of one month."""

    invoice: InvoiceLabel
    amount: int
    workers: int


@dataclass(frozen=True, slots=True)
class PayerMonth:
    month: Month
    shares: tuple[MonthShare, ...]

    @property
    def paid(self) -> int:
        return sum(s.amount for s in self.shares if s.invoice.invoice.status is InvoiceStatus.PAID)

    @property
    def open(self) -> int:
        return sum(s.amount for s in self.shares if s.invoice.invoice.is_open)


def payer_months(
    labelled: Sequence[InvoiceLabel], lines: dict[str, list[InvoiceLine]]
) -> list[PayerMonth]:
    """Every month the invoices bill, newest first, each with every invoice's share of it
    (a cancelled one too, so its reason is told; `paid` and `open` leave it out)."""
    shares: dict[Month, list[MonthShare]] = defaultdict(list)
    for label in labelled:
        per_month: dict[Month, list[InvoiceLine]] = defaultdict(list)
        for line in lines.get(label.invoice.id, []):
            per_month[line.month].append(line)
        for month, month_lines in per_month.items():
            shares[month].append(
                MonthShare(
                    label,
                    sum(line.total for line in month_lines),
                    len({line.member_id for line in month_lines}),
                )
            )
    return [
        PayerMonth(month, tuple(sorted(shares[month], key=lambda s: s.invoice.invoice.created_at)))
        for month in sorted(shares, reverse=True)[:HISTORY_MONTHS]
    ]


def member_months(
    actor: Actor,
    member_id: str,
    current: Month,
    settlements: Sequence[Settlement],
    invoices: Sequence[Invoice],
    lines: dict[str, list[InvoiceLine]],
    payer_names: dict[str, str],
    sponsor: tuple[str, str] | None,
) -> MemberMonths:
    """Pure: each month with a settlement or a live line for the member, newest first, and
    the current month even when nothing bills it yet. `sponsor`: (id, name) of who pays the
    current month for the member, if anyone does."""
    sponsor_id, sponsor_name = sponsor if sponsor else (None, "")
    by_id = {i.id: i for i in invoices}
    found: dict[Month, MemberMonth] = {}
    for invoice in invoices:
        if invoice.status is InvoiceStatus.CANCELLED:
            continue
        for line in lines.get(invoice.id, []):
            if line.member_id != member_id:
                continue
            found[line.month] = _month(actor, line.month, invoice, line.total, payer_names)
    for settled in settlements:  # what settled wins over what was billed
        paid_on = by_id.get(settled.invoice_id)
        found[settled.month] = MemberMonth(
            month=settled.month,
            state=MonthState.PAID,
            amount=settled.amount,
            invoice_id=settled.invoice_id,
            invoice_number=paid_on.number if paid_on else None,
            payer_kind=paid_on.payer_kind if paid_on else None,
            payer_name=_payer_name(paid_on, payer_names),
            is_reader_payer=paid_on is not None and is_payer(actor, paid_on),
            due_on=paid_on.due_on if paid_on else None,
            paid_at=settled.settled_at,
        )
    if current not in found:
        found[current] = MemberMonth(
            current, MonthState.UNBILLED, None, None, None, None, sponsor_name, False, None, None
        )
    ordered = sorted(found.values(), key=lambda m: m.month, reverse=True)
    # The current month first (what to do now), then the rest newest first.
    ordered.sort(key=lambda m: m.month != current)
    return MemberMonths(member_id, sponsor_id, sponsor_name, tuple(ordered[:HISTORY_MONTHS]))


def _month(
    actor: Actor, month: Month, invoice: Invoice, amount: int, names: dict[str, str]
) -> MemberMonth:
    paid = invoice.status is InvoiceStatus.PAID
    return MemberMonth(
        month=month,
        state=MonthState.PAID if paid else MonthState.BILLED,
        amount=amount,
        invoice_id=invoice.id,
        invoice_number=invoice.number,
        payer_kind=invoice.payer_kind,
        payer_name=_payer_name(invoice, names),
        is_reader_payer=is_payer(actor, invoice),
        due_on=invoice.due_on,
        paid_at=invoice.paid_at if paid else None,
    )


def _payer_name(invoice: Invoice | None, names: dict[str, str]) -> str:
    if invoice is None or invoice.payer_kind is not PayerKind.SPONSOR:
        return ""
    return names.get(invoice.payer_id, "")


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


def _name_of_payer(uow: BillingUnitOfWork, kind: PayerKind, payer_id: str) -> str:
    if kind is PayerKind.SPONSOR:
        sponsor = uow.sponsors.get(payer_id)
        return sponsor.name if sponsor else ""
    member = uow.members.get(payer_id)
    return member.full_name if member else ""


class MoneyViews:
    """The reads behind the money pages and their API: each checks the reader's scope."""

    def __init__(
        self,
        uow: Callable[[], BillingUnitOfWork],
        clock: Clock,
        invoices: InvoiceService,
        *,
        reader: Callable[[], BillingUnitOfWork] | None = None,
    ) -> None:
        self._read = reader or uow
        self._clock = clock
        self._invoices = invoices
        self._guard = Guard(uow, clock)

    def payer_name(self, kind: PayerKind, payer_id: str) -> str:
        """A payer's name, for a page whose service already let the reader see this payer's
        invoices."""
        with self._read() as uow:
            return _name_of_payer(uow, kind, payer_id)

    def invoice(self, actor: Actor, invoice_id: str) -> InvoiceView:
        """The invoice as the reader may see it (`InvoiceService.read` decides: scope, which
        lines, whose names) with names and payments. Raises InvoiceNotFound, or Forbidden
        outside the reader's scope."""
        sight = self._invoices.read(actor, invoice_id)
        invoice = sight.invoice
        with self._read() as uow:
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
            payer = _name_of_payer(uow, invoice.payer_kind, invoice.payer_id)
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

    def member_months(self, actor: Actor, member_id: str) -> MemberMonths:
        """A member's months: billed or paid, by whom and when. Raises MemberNotFound, or a
        refusal (audited) outside the reader's scope."""
        self._guard.require(actor, Permission.MEMBER_READ, "member", member_id)
        current = Month.of(self._clock.today())
        with self._guard.refusals(), self._read() as uow:
            member = uow.members.get(member_id)
            if member is None:
                raise MemberNotFound(member_id)
            self._guard.member(uow, actor, member, "money.read")
            settlements = uow.settlements.for_member(member_id)
            invoices = uow.invoices.for_member(member_id)
            known = {i.id for i in invoices}
            missing = {s.invoice_id for s in settlements} - known
            invoices += [i for i in (uow.invoices.get(x) for x in sorted(missing)) if i]
            lines = uow.invoices.lines_of([i.id for i in invoices])
            names = {
                i.payer_id: _sponsor_name(uow, i.payer_id)
                for i in invoices
                if i.payer_kind is PayerKind.SPONSOR
            }
            sponsorship = uow.sponsorships.active_for_member(member_id, current)
            sponsor = (
                (sponsorship.sponsor_id, _sponsor_name(uow, sponsorship.sponsor_id))
                if sponsorship
                else None
            )
        return member_months(
            actor, member_id, current, settlements, invoices, lines, names, sponsor
        )

    def payer_months(self, actor: Actor, payer_kind: PayerKind, payer_id: str) -> list[PayerMonth]:
        """A payer's invoices month by month (newest first), each month's share of each."""
        self._guard.require(actor, Permission.INVOICE_READ, payer_kind.value, payer_id)
        with self._guard.refusals(), self._read() as uow:
            reach_payer(self._guard, uow, actor, payer_kind, payer_id, "invoice.read")
            invoices = uow.invoices.for_payer(payer_kind, payer_id)
            lines = uow.invoices.lines_of([i.id for i in invoices])
        return payer_months(label_invoices(invoices, lines), lines)

    def labels(self, actor: Actor, payer_kind: PayerKind, payer_id: str) -> list[InvoiceLabel]:
        """A payer's invoices (newest first), each with the months it bills."""
        self._guard.require(actor, Permission.INVOICE_READ, payer_kind.value, payer_id)
        with self._guard.refusals(), self._read() as uow:
            reach_payer(self._guard, uow, actor, payer_kind, payer_id, "invoice.read")
            invoices = uow.invoices.for_payer(payer_kind, payer_id)
            lines = uow.invoices.lines_of([i.id for i in invoices])
        return label_invoices(invoices, lines)

    def unbilled_members(
        self, actor: Actor, payer_kind: PayerKind, payer_id: str, month: Month
    ) -> int:
        """How many of the payer's workers of `month` (enrolled by then, sponsored that
        month) are on no live invoice for it and have not paid it."""
        self._guard.require(actor, Permission.INVOICE_READ, payer_kind.value, payer_id)
        with self._guard.refusals(), self._read() as uow:
            reach_payer(self._guard, uow, actor, payer_kind, payer_id, "invoice.read")
            if payer_kind is PayerKind.SPONSOR:
                ids = {
                    s.member_id
                    for s in uow.sponsorships.for_sponsor(payer_id)
                    if s.is_active_in(month)
                }
            elif uow.sponsorships.active_for_member(payer_id, month) is None:
                ids = {payer_id}
            else:  # a sponsored worker's month is their sponsor's to bill
                ids = set()
            members = [m for m in (uow.members.get(i) for i in sorted(ids)) if m]
            ids = {m.id for m in members if Month.of(m.enrolled_on) <= month}
            taken = uow.invoices.billed(ids, [month]) | uow.settlements.months_paid(ids, [month])
        return len(ids - {member_id for member_id, _ in taken})


def _sponsor_name(uow: BillingUnitOfWork, sponsor_id: str) -> str:
    sponsor = uow.sponsors.get(sponsor_id)
    return sponsor.name if sponsor else ""
