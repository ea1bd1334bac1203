"""What a reader may see of one invoice: decided here once, for the API and the pages alike.

* A worker reading their sponsor's invoice (they are a line of it, not its payer) sees their
  own line, who pays and whether it is paid: never their colleagues' lines, how many they
  are, nor the invoice's total, which together reveal what each one declared as income
  (issue 12; UU 27/2022 on personal data protection, art. 16: purpose limitation; OWASP ASVS
  4.0 V4.2.1).
* A sponsor reads every invoice they are the payer of, past ones included; a worker whose
  sponsorship with them has ended keeps their line (what was billed and paid), but the
  worker's personal data is no longer the sponsor's to see: the page names the line by its
  masked KPJ only.
* Everyone else who reaches the invoice (the payer, staff of its branch, the auditor, the
  console) sees it whole.

Pure: the caller passes the invoice, its lines and whom the reader still sponsors.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sertakan.access.actor import Actor
from sertakan.access.roles import Role
from sertakan.billing.model import Invoice, InvoiceLine, PayerKind
from sertakan.kernel.periods import Month


@dataclass(frozen=True, slots=True)
class InvoiceSight:
    """An invoice as one reader may see it."""

    invoice: Invoice
    lines: tuple[InvoiceLine, ...]  # the lines the reader may see
    only_own_line: bool  # a worker on their sponsor's invoice: their line, no total
    # Members of the shown lines whose name (and other personal data) the reader may see;
    # the others are shown by their masked KPJ.
    named: frozenset[str]

    @property
    def total(self) -> int | None:
        """The invoice's total, or None when the reader sees only their own line."""
        return None if self.only_own_line else self.invoice.total

    @property
    def months(self) -> tuple[Month, ...]:
        return tuple(sorted({line.month for line in self.lines}))

    @property
    def workers(self) -> int:
        return len({line.member_id for line in self.lines})

    @property
    def payable(self) -> bool:
        """May the reader be offered to pay it? Open, and theirs to pay: never a worker on
        their sponsor's invoice (its charge is the whole total; `PaymentService.checkout`
        refuses them too). The reader's permission to pay at all is checked apart."""
        return self.invoice.is_open and not self.only_own_line

    def names(self, member_id: str) -> bool:
        """May the reader see this line's worker by name?"""
        return member_id in self.named


def is_payer(actor: Actor, invoice: Invoice) -> bool:
    if invoice.payer_kind is PayerKind.SPONSOR:
        return actor.sponsor_id is not None and actor.sponsor_id == invoice.payer_id
    return actor.member_id is not None and actor.member_id == invoice.payer_id


def sight_of(
    actor: Actor,
    invoice: Invoice,
    lines: Sequence[InvoiceLine],
    *,
    sponsored_now: Collection[str] = (),
) -> InvoiceSight:
    """What `actor`, who reaches `invoice` (checked before), may see of it. `sponsored_now`:
    for a sponsor, the workers whose sponsorship with them has not ended."""
    only_own = actor.role is Role.WORKER and not is_payer(actor, invoice)
    shown = tuple(line for line in lines if not only_own or line.member_id == actor.member_id)
    members = {line.member_id for line in shown}
    named = members & set(sponsored_now) if actor.role is Role.SPONSOR else members
    return InvoiceSight(invoice, shown, only_own, frozenset(named))
