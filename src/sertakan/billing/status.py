"""A member's protection today (or at any moment): per programme, with what to pay to be
protected again. What the member page, the worker's "Status perlindungan" and
`GET /api/v1/members/{id}/coverage` show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from sertakan.access.actor import Actor
from sertakan.access.permissions import Permission
from sertakan.billing.coverage import Coverage, CoverReason, MemberStanding, standing_at
from sertakan.billing.model import Invoice, Settlement
from sertakan.billing.ports import BillingUnitOfWork
from sertakan.billing.sight import InvoiceSight, sight_of
from sertakan.kernel.clock import Clock
from sertakan.kernel.periods import Month
from sertakan.registry.errors import MemberNotFound
from sertakan.registry.guard import Guard
from sertakan.registry.model import Member
from sertakan.registry.service import MemberCard, RegistryService
from sertakan.regulation.loader import Parameters
from sertakan.regulation.standing import MembershipStatus


@dataclass(frozen=True, slots=True)
class MemberCover:
    """The member's standing (`billing.coverage.standing_at`) with what can be paid now."""

    member: Member
    standing: MemberStanding
    open_invoices: tuple[Invoice, ...]  # what can be paid now: arrears and this month
    settlements: tuple[Settlement, ...]  # newest month first

    @property
    def at(self) -> dt.datetime:
        return self.standing.at

    @property
    def status(self) -> MembershipStatus:
        return self.standing.status

    @property
    def programs(self) -> tuple[Coverage, ...]:  # the member's programmes: JKK, JKM, JHT
        return self.standing.programs

    @property
    def covered_since(self) -> dt.date | None:
        return self.standing.since

    @property
    def protected_until(self) -> dt.date | None:
        return self.standing.until

    @property
    def reason(self) -> CoverReason:
        return self.standing.reason

    @property
    def is_protected(self) -> bool:
        return self.standing.covered

    @property
    def to_pay(self) -> int:
        return sum(i.total for i in self.open_invoices)

    @property
    def arrears(self) -> tuple[Month, ...]:
        return self.standing.arrears


class CoverageService:
    def __init__(
        self,
        uow: Callable[[], BillingUnitOfWork],
        params: Parameters,
        clock: Clock,
        *,
        reader: Callable[[], BillingUnitOfWork] | None = None,
    ) -> None:
        self._uow = uow
        self._read = reader or uow  # read-only units of work: no write lock (issue 12)
        self._params = params
        self._clock = clock
        self._guard = Guard(uow, clock)

    def member(self, actor: Actor, member_id: str, at: dt.datetime | None = None) -> MemberCover:
        self._guard.require(actor, Permission.MEMBER_READ, "member", member_id)
        at = at or self._clock.now()
        with self._guard.refusals(), self._read() as uow:
            member = uow.members.get(member_id)
            if member is None:
                raise MemberNotFound(member_id)
            self._guard.member(uow, actor, member, "coverage.read")
            settled = uow.settlements.for_member(member_id)
            invoices = [i for i in uow.invoices.for_member(member_id) if i.is_open]
            lines = uow.invoices.lines_of([i.id for i in invoices])
        # What the reader may see of each (`sight.py`): a worker whose sponsor pays is shown
        # their own share, never the sponsor's total (it reveals their colleagues' incomes).
        invoices = [_as_seen(sight_of(actor, i, lines.get(i.id, []))) for i in invoices]
        return self._cover(member, settled, invoices, at)

    def card(
        self, actor: Actor, member_id: str, cards: RegistryService
    ) -> tuple[MemberCard, MembershipStatus]:
        """A member's card (`RegistryService.member_card`, the same scope check and refusal
        audit) and their status today, in one read-only unit of work: one snapshot and one
        transaction where the two use cases took two (issue 12: the card is the busiest
        read, and each transaction costs its BEGIN and ROLLBACK round trips)."""
        self._guard.require(actor, Permission.MEMBER_READ, "member", member_id)
        at = self._clock.now()
        with self._guard.refusals(), self._read() as uow:
            card = cards.member_card_in(uow, actor, member_id)
            settled = uow.settlements.for_member(card.member.id)
        return card, self._status(card.member, settled, at)

    def status_of(
        self, actor: Actor, member: Member, at: dt.datetime | None = None
    ) -> MembershipStatus:
        """Only the status, for a `member` the caller has just read through a use case that
        checked the actor's scope (`RegistryService.member_card`): what a member's card shows.
        One read-only unit of work and one query (the settlements), where `member` takes four
        (issue 12: the card is the busiest read)."""
        self._guard.require(actor, Permission.MEMBER_READ, "member", member.id)
        at = at or self._clock.now()
        with self._read() as uow:
            settled = uow.settlements.for_member(member.id)
        return self._status(member, settled, at)

    def _standing(
        self, member: Member, settled: list[Settlement], at: dt.datetime
    ) -> MemberStanding:
        return standing_at(
            self._params,
            enrolled_on=member.enrolled_on,
            programs=member.programs,
            settlements=settled,
            at=at,
        )

    def _status(
        self, member: Member, settled: list[Settlement], at: dt.datetime
    ) -> MembershipStatus:
        # The membership's status is the first programme's: judge only that one (the card is
        # the busiest read, issue 12).
        only_first = replace(member, programs=member.programs[:1])
        return self._standing(only_first, settled, at).status

    def _cover(
        self,
        member: Member,
        settled: list[Settlement],
        invoices: list[Invoice],
        at: dt.datetime,
    ) -> MemberCover:
        return MemberCover(
            member=member,
            standing=self._standing(member, settled, at),
            open_invoices=tuple(sorted(invoices, key=lambda i: i.month)),
            settlements=tuple(sorted(settled, key=lambda s: s.month, reverse=True)),
        )


def _as_seen(sight: InvoiceSight) -> Invoice:
    """The invoice with the total the reader may see: their own lines' when only those."""
    if sight.total is not None:
        return sight.invoice
    return replace(sight.invoice, total=sum(line.total for line in sight.lines))
