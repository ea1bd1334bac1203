"""The billing read side: the branch office's lists, as the API and the pages both show them.

What a role may see of them is decided here once (issue 13), so a rule written for one
holds on the other:

* Arrears and the suspense list need PAYMENT_REVIEW (officer, supervisor, auditor, the
  console); branch staff see their own branch's, the auditor and the console every branch
  (`office_branch`).
* The arrears by village name each worker on an overdue invoice and the village they live in:
  the reader already reaches them, since their branch is the invoice's.

Reads only: a reader's unit of work (issue 12), which never waits for a writer. A refusal is
audited in a transaction of its own (`Guard`). The invoice as one payer or worker may see it
is `billing.sight`'s.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sertakan.access.actor import Actor
from sertakan.access.permissions import Permission
from sertakan.billing.channels import channel_label
from sertakan.billing.model import Invoice, PayerKind, SuspenseItem
from sertakan.billing.ports import BillingUnitOfWork
from sertakan.kernel.clock import Clock
from sertakan.kernel.periods import Month
from sertakan.registry.guard import Guard
from sertakan.registry.ports import UnitOfWork
from sertakan.registry.regions import RegionDirectory


def office_branch(actor: Actor) -> str | None:
    """The branch whose office lists the reader sees: branch staff their own, everyone else
    allowed to review payments (the auditor, the console) every branch (None)."""
    return actor.branch_code if actor.role.is_branch_staff else None


# -- arrears ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArrearsRow:
    """One worker on one overdue invoice."""

    member_id: str
    name: str
    invoice: Invoice
    months: tuple[Month, ...]
    amount: int
    payer: str  # the sponsor's name, or "" when the worker pays themselves


@dataclass
class VillageArrears:
    code: str
    name: str  # "" for a code the region edition does not know
    place: str  # "Kec. Bogor Selatan, Kota Bogor"
    rows: list[ArrearsRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(row.amount for row in self.rows)

    @property
    def members(self) -> int:
        return len({row.member_id for row in self.rows})


@dataclass(frozen=True, slots=True)
class Arrears:
    invoices: list[Invoice]  # open and past due, oldest month first
    villages: list[VillageArrears]  # largest total first

    @property
    def total(self) -> int:
        return sum(invoice.total for invoice in self.invoices)

    @property
    def members(self) -> int:
        return sum(village.members for village in self.villages)


# -- suspense ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SuspenseRow:
    item: SuspenseItem
    invoice_number: str  # as the notice named it
    channel: str
    paid_at: dt.datetime | None
    transaction_id: str
    invoice: Invoice | None  # the invoice the notice named, when it exists
    payer: str


class BillingViews:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        reader: Callable[[], BillingUnitOfWork],
        clock: Clock,
        regions: RegionDirectory,
    ) -> None:
        self._read = reader
        self._clock = clock
        self._regions = regions
        self._guard = Guard(uow, clock)

    def arrears(self, actor: Actor) -> list[Invoice]:
        """Open invoices whose due date has passed, oldest first, in the reader's branch."""
        self._guard.require(actor, Permission.PAYMENT_REVIEW, "invoice", "arrears")
        today = self._clock.today()
        with self._read() as uow:
            return [
                i for i in uow.invoices.open_for_branch(office_branch(actor)) if i.due_on < today
            ]

    def arrears_by_village(self, actor: Actor) -> Arrears:
        """The overdue invoices' workers, grouped by the village they live in (a sponsor's
        invoice may span villages: each worker's share is counted where they live)."""
        overdue = self.arrears(actor)
        villages: dict[str, VillageArrears] = {}
        with self._read() as uow:
            payers: dict[str, str] = {}
            lines = uow.invoices.lines_of([invoice.id for invoice in overdue])
            for invoice in overdue:
                if invoice.payer_kind is PayerKind.SPONSOR and invoice.payer_id not in payers:
                    sponsor = uow.sponsors.get(invoice.payer_id)
                    payers[invoice.payer_id] = sponsor.name if sponsor else ""
                per_member: dict[str, list[tuple[Month, int]]] = defaultdict(list)
                for line in lines.get(invoice.id, []):
                    per_member[line.member_id].append((line.month, line.total))
                for member_id, parts in per_member.items():
                    member = uow.members.get(member_id)
                    code = member.region_code if member else ""
                    village = villages.get(code)
                    if village is None:
                        found = self._regions.village(code) if code else None
                        village = VillageArrears(
                            code,
                            found.name if found else "",
                            f"{found.district.name}, {found.regency.name}" if found else code,
                        )
                        villages[code] = village
                    village.rows.append(
                        ArrearsRow(
                            member_id=member_id,
                            name=member.full_name if member else member_id,
                            invoice=invoice,
                            months=tuple(sorted({month for month, _ in parts})),
                            amount=sum(amount for _, amount in parts),
                            payer=payers.get(invoice.payer_id, ""),
                        )
                    )
        for village in villages.values():
            village.rows.sort(key=lambda row: (row.name, row.invoice.month))
        return Arrears(overdue, sorted(villages.values(), key=lambda v: (-v.total, v.name)))

    def suspense(self, actor: Actor) -> list[SuspenseItem]:
        """Money that came in but could not be applied as it came, in the reader's branch."""
        self._guard.require(actor, Permission.PAYMENT_REVIEW, "suspense", "")
        with self._read() as uow:
            return uow.suspense.open_items(office_branch(actor))

    def suspense_rows(self, actor: Actor) -> list[SuspenseRow]:
        """The suspense list with the notice and invoice behind each item, and its payer."""
        items = self.suspense(actor)
        rows: list[SuspenseRow] = []
        with self._read() as uow:
            for item in items:
                notice = uow.notices.get(item.notice_id)
                invoice = uow.invoices.get(item.invoice_id) if item.invoice_id else None
                payer = ""
                if invoice is not None and invoice.payer_kind is PayerKind.SPONSOR:
                    sponsor = uow.sponsors.get(invoice.payer_id)
                    payer = sponsor.name if sponsor else ""
                elif invoice is not None:
                    member = uow.members.get(invoice.payer_id)
                    payer = member.full_name if member else ""
                rows.append(
                    SuspenseRow(
                        item=item,
                        invoice_number=notice.invoice_number if notice else "",
                        channel=channel_label(notice.channel) if notice else "",
                        paid_at=notice.paid_at if notice else None,
                        transaction_id=notice.transaction_id if notice else "",
                        invoice=invoice,
                        payer=payer,
                    )
                )
        return rows
