"""Issuing invoices (tagihan): each month's contributions per payer, months ahead, and
cancelling what can no longer be paid.

* A month's invoice bills every member who is a member that month and not ended: the amount
  is the regulation's for that month (`quote_bpu` on the month's first day, the PP 50/2025
  discount included), the payer the consented sponsor paying that month, or the member.
  One invoice per payer. A (member, month) already on an open or paid invoice, or already
  paid, is never billed again: issuing twice issues nothing twice (and a unique issue key
  stops two runs racing).
* Months ahead: up to `max_months_ahead` (project policy, `bpu/prepayment.yaml`), from the
  current month on (paying the current month also reactivates an ended membership, R3).
* Arrears are the open invoices of past months: payable while their month is inside the
  arrears window (`bpu/arrears.yaml`, 3 months); the daily job cancels them after it.
  BPU pays no late fine (R3, docs/rules.md), so an invoice's total never changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import cast

from sertakan.access.actor import Actor
from sertakan.access.auditing import event
from sertakan.access.permissions import Permission
from sertakan.billing.errors import InvoiceNotFound, NothingToBill
from sertakan.billing.model import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    PayerKind,
)
from sertakan.billing.ports import BillingUnitOfWork
from sertakan.billing.sight import InvoiceSight, sight_of
from sertakan.billing.snapshots import invoice_snapshot
from sertakan.kernel.clock import Clock
from sertakan.kernel.errors import ParameterMissing, RuleViolation
from sertakan.kernel.ids import new_id
from sertakan.kernel.periods import Month
from sertakan.registry.guard import Guard
from sertakan.registry.model import Member, Sponsorship
from sertakan.registry.occupations import occupation
from sertakan.registry.ports import DuplicateRecord, UnitOfWork
from sertakan.regulation.calendar import due_date, next_working_day
from sertakan.regulation.contributions import BpuQuote, quote_bpu
from sertakan.regulation.loader import Parameters
from sertakan.regulation.standing import MembershipStatus, standing_on, standing_rule

PAGE = 1000  # members read per page when issuing a month
# A request for months ahead that meets a concurrent one's months reads them again; a third
# meeting (the months changing hands that fast) answers that nothing is left to bill.
_ATTEMPTS = 3


@dataclass
class IssueReport:
    month: Month
    invoices: int = 0
    lines: int = 0
    amount: int = 0
    already_billed: int = 0  # member-months on an invoice already (a re-run)
    already_paid: int = 0  # prepaid
    ended: int = 0  # membership ended: not billed until they pay again (reactivation)
    refused: dict[str, int] = field(default_factory=dict)  # reason -> members
    issued: list[str] = field(default_factory=list)  # the ids of the invoices written

    def add_refusal(self, reason: str) -> None:
        self.refused[reason] = self.refused.get(reason, 0) + 1


@dataclass(frozen=True, slots=True)
class _Payer:
    kind: PayerKind
    id: str


class InvoiceService:
    def __init__(
        self,
        uow: Callable[[], BillingUnitOfWork],
        params: Parameters,
        clock: Clock,
        ids: Callable[[], str] = new_id,
        *,
        reader: Callable[[], BillingUnitOfWork] | None = None,
    ) -> None:
        self._uow = uow
        self._read = reader or uow  # read-only units of work: no write lock (issue 12)
        self._params = params
        self._clock = clock
        self._guard = Guard(uow, clock)
        self._new_id = ids

    # -- the month's invoices -------------------------------------------------------------

    def issue_month(self, actor: Actor, month: Month) -> IssueReport:
        """Issue `month`'s invoices for every member; idempotent. Sponsors first, each with
        all their workers on one invoice, then the self-paying members; one transaction per
        page, so a crash half-way leaves whole invoices and a re-run finishes the rest."""
        self._guard.require(actor, Permission.BILLING_RUN, "billing", str(month))
        report = IssueReport(month)
        offset = 0
        while True:
            with self._uow() as uow:
                sponsors = uow.sponsors.list(PAGE, offset)
                for sponsor in sponsors:
                    payer = _Payer(PayerKind.SPONSOR, sponsor.id)
                    members = self._payer_members(uow, actor, payer.kind, payer.id, month)
                    self._bill(uow, actor, month, members, report, only_payer=payer)
                uow.commit()
            if len(sponsors) < PAGE:
                break
            offset += PAGE
        after: str | None = None
        while True:
            with self._uow() as uow:
                members = uow.members.page(after, PAGE)
                if not members:
                    break
                after = members[-1].id
                self._bill(uow, actor, month, members, report, self_paying=True)
                uow.commit()
        return report

    def issue_for_payer(
        self, actor: Actor, payer_kind: PayerKind, payer_id: str, month: Month
    ) -> IssueReport:
        """Issue `month`'s invoice for one payer's members now (a sponsor who just enrolled a
        worker need not wait for the daily job); idempotent like `issue_month`.

        A worker enrolled after the payer's invoice for the month was issued is billed on a
        supplementary invoice of their own (its issue key names a different set of members),
        never added to the issued one: an invoice's total never changes once issued, because
        a charge for it may already be open at the gateway for that amount, and a payment of
        another amount would go to the suspense list (`PaymentService.checkout`,
        `SuspenseReason.AMOUNT_MISMATCH`). The unique live (member, month) rule still holds:
        only members on no live invoice for the month are billed."""
        self._guard.require(actor, Permission.INVOICE_PAY, payer_kind.value, payer_id)
        report = IssueReport(month)
        with self._guard.refusals(), self._uow() as uow:
            members = self._payer_members(uow, actor, payer_kind, payer_id, month)
            self._bill(uow, actor, month, members, report, only_payer=_Payer(payer_kind, payer_id))
            uow.commit()
        return report

    def issue_ahead(
        self, actor: Actor, payer_kind: PayerKind, payer_id: str, months: int
    ) -> Invoice:
        """One invoice for the payer's members for `months` months from the current one
        (those not billed or paid yet); at most `max_months_ahead` months past the current."""
        self._guard.require(actor, Permission.INVOICE_PAY, payer_kind.value, payer_id)
        today = self._clock.today()
        limit = self._params.bpu.prepayment.value_on(today)
        current = Month.of(today)
        if not 1 <= months <= limit.value.max_months_ahead + 1:
            raise RuleViolation.single(
                "months",
                "bpu.prepayment.max_months_ahead",
                f"Pay from 1 month up to the current month and "
                f"{limit.value.max_months_ahead} months ahead",
                f"Bayar di muka paling banyak bulan ini dan "
                f"{limit.value.max_months_ahead} bulan berikutnya",
                limit.reference,
            )
        wanted = [current.plus(i) for i in range(months)]
        payer = _Payer(payer_kind, payer_id)
        for attempt in range(1, _ATTEMPTS + 1):
            with self._guard.refusals(), self._uow() as uow:
                members = self._payer_members(uow, actor, payer_kind, payer_id, current)
                lines = [line for _, line in self._lines(uow, members, wanted, payer, None)]
                if not lines:
                    # The same request again (a double tap, a retry): the invoice it made.
                    same = _same_advance(uow, payer, current, wanted, {m.id for m in members})
                    if same is None:
                        raise NothingToBill()
                    return same
                try:
                    invoice = self._invoice(uow, actor, payer, InvoiceKind.ADVANCE, current, lines)
                except DuplicateRecord:
                    # A concurrent request billed these months first (the unique key on a
                    # member's live month waited for it to commit): read again, and answer
                    # with its invoice.
                    if attempt == _ATTEMPTS:
                        raise NothingToBill() from None
                    continue
                uow.commit()
            return invoice
        raise AssertionError("unreachable")

    # -- arrears past the window ----------------------------------------------------------

    def cancel_unpayable(self, actor: Actor, on: dt.date) -> int:
        """Cancel open invoices whose months left the arrears window on `on` (R3, docs/rules.md:
        arrears payable for at most 3 months); a payment arriving later goes to the
        suspense list. How many were cancelled."""
        self._guard.require(actor, Permission.BILLING_RUN, "billing", on.isoformat())
        rule = standing_rule(self._params, on, next_working_day)
        oldest_payable = rule.last_due_month(on).plus(1 - rule.grace_months)
        cancelled = 0
        with self._uow() as uow:
            for invoice in uow.invoices.open_in(due_before=oldest_payable.first_day):
                if invoice.month >= oldest_payable:
                    continue
                reason = f"arrears window passed: {invoice.month} payable until {oldest_payable}"
                uow.invoices.set_status(invoice.id, InvoiceStatus.CANCELLED, self._now(), reason)
                uow.audit.append(
                    event(
                        actor,
                        self._now(),
                        "invoice.cancel",
                        "invoice",
                        invoice.id,
                        before=invoice_snapshot(invoice),
                        reason=reason,
                    )
                )
                cancelled += 1
            uow.commit()
        return cancelled

    # -- a sponsorship ended ------------------------------------------------------------------

    def sponsorship_ended(
        self, uow: UnitOfWork, actor: Actor, ended: Sponsorship, from_month: Month
    ) -> None:
        """`registry.ports.SponsorshipEnded`, handed to the SponsorshipService (bootstrap): in
        the unit of work that ends the sponsorship, the worker leaves the sponsor's unpaid
        invoices from `from_month` on (`drop_ended_sponsorship`)."""
        # The application's one unit of work spans the registry and billing (bootstrap makes
        # every unit of work a BillingUnitOfWork); the registry only knows its own half.
        drop_ended_sponsorship(cast(BillingUnitOfWork, uow), actor, self._now(), ended, from_month)

    # -- reading ------------------------------------------------------------------------------

    def read(self, actor: Actor, invoice_id: str) -> InvoiceSight:
        """The invoice as `actor` may see it (`sight.py`): what the API and the pages show.
        Raises InvoiceNotFound, or a refusal (audited) outside the reader's scope."""
        self._guard.require(actor, Permission.INVOICE_READ, "invoice", invoice_id)
        with self._guard.refusals(), self._read() as uow:
            invoice = uow.invoices.get(invoice_id)
            if invoice is None:
                raise InvoiceNotFound(invoice_id)
            reach_invoice(self._guard, uow, actor, invoice, Permission.INVOICE_READ.value)
            sponsored: set[str] = set()
            if actor.sponsor_id is not None:
                sponsored = {
                    s.member_id
                    for s in uow.sponsorships.for_sponsor(actor.sponsor_id)
                    if not s.has_ended
                }
            lines = uow.invoices.lines(invoice_id)
        return sight_of(actor, invoice, lines, sponsored_now=sponsored)

    def invoice(self, actor: Actor, invoice_id: str) -> tuple[Invoice, list[InvoiceLine]]:
        """The invoice and the lines `actor` may see (`read` says what else is hidden)."""
        sight = self.read(actor, invoice_id)
        return sight.invoice, list(sight.lines)

    def for_payer(self, actor: Actor, payer_kind: PayerKind, payer_id: str) -> list[Invoice]:
        self._guard.require(actor, Permission.INVOICE_READ, payer_kind.value, payer_id)
        with self._guard.refusals(), self._read() as uow:
            reach_payer(self._guard, uow, actor, payer_kind, payer_id, "invoice.read")
            return uow.invoices.for_payer(payer_kind, payer_id)

    # -- internals ----------------------------------------------------------------------------

    def _payer_members(
        self,
        uow: BillingUnitOfWork,
        actor: Actor,
        payer_kind: PayerKind,
        payer_id: str,
        month: Month,
    ) -> list[Member]:
        reach_payer(self._guard, uow, actor, payer_kind, payer_id, "invoice.pay")
        if payer_kind is PayerKind.MEMBER:
            member = uow.members.get(payer_id)
            return [member] if member is not None else []
        ids = {s.member_id for s in uow.sponsorships.for_sponsor(payer_id) if s.is_active_in(month)}
        found = [uow.members.get(member_id) for member_id in sorted(ids)]
        return [m for m in found if m is not None]

    def _bill(
        self,
        uow: BillingUnitOfWork,
        actor: Actor,
        month: Month,
        members: list[Member],
        report: IssueReport,
        only_payer: _Payer | None = None,
        *,
        self_paying: bool = False,
    ) -> None:
        """Bill `month` for `members`: to `only_payer` alone, or (`self_paying`) only those
        nobody sponsors that month — the sponsored ones are billed with their sponsor."""
        members = [m for m in members if Month.of(m.enrolled_on) <= month]
        if self_paying:
            sponsored = uow.sponsorships.active_for_members([m.id for m in members], month)
            members = [m for m in members if m.id not in sponsored]
        settled = uow.settlements.of_members(
            [m.id for m in members], month.plus(-12)
        )  # enough history to judge a lapse (grace + ends_after months)
        current: list[Member] = []
        judged_on = max(month.first_day, self._clock.today())
        for member in members:
            paid = {s.month for s in settled.get(member.id, [])}
            if month in paid:
                report.already_paid += 1
                continue
            standing = standing_on(
                self._params,
                enrolled_on=member.enrolled_on,
                paid_months=paid,
                on=max(judged_on, member.enrolled_on),
                working_day=next_working_day,
            )
            if standing.status is MembershipStatus.BERAKHIR:
                report.ended += 1
                continue
            current.append(member)
        by_payer: dict[_Payer, list[InvoiceLine]] = defaultdict(list)
        for payer, line in self._lines(uow, current, [month], only_payer, report):
            by_payer[payer].append(line)
        for payer, lines in by_payer.items():
            try:
                invoice = self._invoice(uow, actor, payer, InvoiceKind.MONTHLY, month, lines)
            except DuplicateRecord:  # a concurrent run issued it first
                report.already_billed += len(lines)
                continue
            report.invoices += 1
            report.issued.append(invoice.id)
            report.lines += len(lines)
            report.amount += invoice.total

    def _lines(
        self,
        uow: BillingUnitOfWork,
        members: Iterable[Member],
        months: list[Month],
        only_payer: _Payer | None,
        report: IssueReport | None,
    ) -> list[tuple[_Payer, InvoiceLine]]:
        members = list(members)
        ids = [m.id for m in members]
        taken = uow.invoices.billed(ids, months) | uow.settlements.months_paid(ids, months)
        found: list[tuple[_Payer, InvoiceLine]] = []
        for month in months:
            sponsors = uow.sponsorships.active_for_members(ids, month)
            for member in members:
                if (member.id, month) in taken:
                    if report is not None:
                        report.already_billed += 1
                    continue
                payer = _payer_of(member, sponsors.get(member.id))
                if only_payer is not None and payer != only_payer:
                    continue
                try:
                    quote = self._quote(member, month)
                except (RuleViolation, ParameterMissing) as refused:
                    if report is not None:
                        report.add_refusal(_reason(refused))
                    continue
                found.append((payer, _line(member, month, quote)))
        return found

    def _quote(self, member: Member, month: Month) -> BpuQuote:
        # The terms that bill this month: a change of terms counts from its month on
        # (issue 16), a month billed before it keeps the terms it was billed with.
        terms = member.terms_in(month)
        return quote_bpu(
            self._params,
            declared_income=terms.declared_income,
            on=month.first_day,
            programs=terms.programs,
            sector=occupation(member.occupation).sector,
            publicly_funded=member.publicly_funded,
        )

    def _invoice(
        self,
        uow: BillingUnitOfWork,
        actor: Actor,
        payer: _Payer,
        kind: InvoiceKind,
        month: Month,
        lines: list[InvoiceLine],
    ) -> Invoice:
        invoice_id = self._new_id()
        plain = [replace(line, invoice_id=invoice_id) for line in lines]
        branch = self._branch_of(uow, plain)
        invoice = Invoice(
            id=invoice_id,
            number=_number(month, invoice_id),
            payer_kind=payer.kind,
            payer_id=payer.id,
            kind=kind,
            month=month,
            due_on=due_date(self._params, month),
            total=sum(line.total for line in plain),
            status=InvoiceStatus.OPEN,
            branch_code=branch,
            created_at=self._now(),
            issue_key=_issue_key(payer, month, plain) if kind is InvoiceKind.MONTHLY else None,
        )
        uow.invoices.add(invoice, plain)
        uow.audit.append(
            event(
                actor,
                self._now(),
                "invoice.issue",
                "invoice",
                invoice.id,
                after=invoice_snapshot(invoice, len(plain)),
            )
        )
        return invoice

    def _branch_of(self, uow: BillingUnitOfWork, lines: list[InvoiceLine]) -> str | None:
        member = uow.members.get(lines[0].member_id) if lines else None
        return member.branch_code if member is not None else None

    def _now(self) -> dt.datetime:
        return self._clock.now()


def drop_ended_sponsorship(
    uow: BillingUnitOfWork,
    actor: Actor,
    now: dt.datetime,
    ended: Sponsorship,
    from_month: Month,
) -> list[Invoice]:
    """Take the worker of an ended sponsorship off the sponsor's invoices for the months from
    `from_month` on; the invoices changed (issue 16: an ended sponsorship kept billing).

    Only an open invoice none of whose money has arrived is changed: no payment recorded for
    it and none of its member-months settled (by this or another invoice). A paid invoice, or
    one partly settled, is a record of money received and is never altered: the sponsor paid
    those months, the worker is covered for them, and a refund, if any, is an officer's
    decision. An invoice left without lines is cancelled. Each change is audited. A charge
    the gateway opened earlier for the old total no longer matches: a payment of it goes to
    the suspense list (amount mismatch), never silently applied.
    """
    changed: list[Invoice] = []
    payer = _Payer(PayerKind.SPONSOR, ended.sponsor_id)
    for invoice in uow.invoices.for_payer(payer.kind, payer.id):
        if not invoice.is_open:
            continue
        lines = uow.invoices.lines(invoice.id)
        dropped = [
            line for line in lines if line.member_id == ended.member_id and line.month >= from_month
        ]
        if not dropped:
            continue
        if uow.payments.for_invoice(invoice.id) or uow.settlements.settled_lines([invoice.id]):
            continue  # money arrived for part of it: left as it is (see above)
        kept = [line for line in lines if line not in dropped]
        reason = f"sponsorship ended from {from_month}: worker's lines removed"
        if not kept:
            uow.invoices.set_status(invoice.id, InvoiceStatus.CANCELLED, now, reason)
            after = replace(
                invoice, status=InvoiceStatus.CANCELLED, cancelled_at=now, cancel_reason=reason
            )
        else:
            key = (
                _issue_key(payer, invoice.month, kept)
                if invoice.kind is InvoiceKind.MONTHLY
                else None
            )
            total = sum(line.total for line in kept)
            uow.invoices.remove_lines(
                invoice.id, ended.member_id, {line.month for line in dropped}, total, key
            )
            after = replace(invoice, total=total, issue_key=key)
        uow.audit.append(
            event(
                actor,
                now,
                "invoice.remove_member",
                "invoice",
                invoice.id,
                before=invoice_snapshot(invoice, len(lines)),
                after=invoice_snapshot(after, len(kept))
                | {
                    "removed_member_id": ended.member_id,
                    "removed_months": sorted(str(line.month) for line in dropped),
                },
                reason=reason,
            )
        )
        changed.append(after)
    return changed


def reach_payer(
    guard: Guard,
    uow: BillingUnitOfWork,
    actor: Actor,
    payer_kind: PayerKind,
    payer_id: str,
    action: str,
) -> None:
    """Inside `guard.refusals()`: may the actor see or pay this payer's invoices?"""
    if payer_kind is PayerKind.SPONSOR:
        sponsor = uow.sponsors.get(payer_id)
        if sponsor is None:
            guard.refuse(actor, action, "sponsor", payer_id)
        guard.sponsor(actor, sponsor, action)
    else:
        member = uow.members.get(payer_id)
        if member is None:
            guard.refuse(actor, action, "member", payer_id)
        guard.member(uow, actor, member, action)


def reach_invoice(
    guard: Guard, uow: BillingUnitOfWork, actor: Actor, invoice: Invoice, action: str
) -> None:
    """Inside `guard.refusals()`: the actor reaches the invoice's payer, or a worker on it."""
    if actor.member_id is not None and any(
        line.member_id == actor.member_id for line in uow.invoices.lines(invoice.id)
    ):
        return
    reach_payer(guard, uow, actor, invoice.payer_kind, invoice.payer_id, action)


def _same_advance(
    uow: BillingUnitOfWork,
    payer: _Payer,
    current: Month,
    wanted: list[Month],
    members: set[str],
) -> Invoice | None:
    """The payer's open invoice of months ahead from `current` that reaches as far as asked,
    of these members: what the same request made before (its months those of `wanted` that
    were not billed yet), to answer a repeat with instead of an error."""
    for invoice in uow.invoices.for_payer(payer.kind, payer.id):
        if invoice.kind is not InvoiceKind.ADVANCE or invoice.month != current:
            continue
        if not invoice.is_open:
            continue
        lines = uow.invoices.lines(invoice.id)
        months = {line.month for line in lines}
        if (
            months <= set(wanted)
            and max(months) == wanted[-1]
            and {line.member_id for line in lines} <= members
        ):
            return invoice
    return None


def _payer_of(member: Member, sponsorship: Sponsorship | None) -> _Payer:
    if sponsorship is not None:
        return _Payer(PayerKind.SPONSOR, sponsorship.sponsor_id)
    return _Payer(PayerKind.MEMBER, member.id)


def _line(member: Member, month: Month, quote: BpuQuote) -> InvoiceLine:
    return InvoiceLine(
        invoice_id="",
        member_id=member.id,
        month=month,
        programs=tuple(quote.programs),
        jkk=quote.parts.get("JKK", 0),
        jkm=quote.parts.get("JKM", 0),
        jht=quote.parts.get("JHT", 0),
        discount=sum(d.amount_off for d in quote.discounts),
        total=quote.total,
    )


def _number(month: Month, invoice_id: str) -> str:
    """What the payer quotes: the month and 8 hex digits of the id ("INV-202612-4F2A9C01")."""
    return f"INV-{month.year:04d}{month.month:02d}-{invoice_id[:8].upper()}"


def _issue_key(payer: _Payer, month: Month, lines: list[InvoiceLine]) -> str:
    members = ",".join(sorted({line.member_id for line in lines}))
    digest = hashlib.sha256(members.encode()).hexdigest()[:12]
    return f"monthly:{payer.kind.value}:{payer.id}:{month}:{digest}"


def _reason(refused: RuleViolation | ParameterMissing) -> str:
    if isinstance(refused, ParameterMissing):
        return f"{refused.parameter}: not in the parameters yet"
    return ", ".join(sorted({v.rule for v in refused.violations}))
