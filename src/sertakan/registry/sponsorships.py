"""A worker's consent to a sponsorship, and ending one (issue 4 "Consent").

A sponsor enrolling a worker records the worker's consent: the code sent to the worker's
phone, entered by the worker (or read out by them at the sponsor's side); or branch staff's
attestation with a reason — an officer's needs a supervisor's approval, a supervisor's stands.
A worker sees who sponsors them and can end a sponsorship; so can branch staff. Ending asks
first (`ending`: from which month, what the worker then owes), then ends it (`end`): the
sponsor and the worker are told by SMS and the sponsor's unpaid invoices drop the worker
(issue 16 "no dead ends").
Every step is audited in the transaction of the change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from sertakan.access.actor import Actor
from sertakan.access.auditing import event
from sertakan.access.errors import CodeRefused
from sertakan.access.model import CodePurpose
from sertakan.access.permissions import Permission
from sertakan.access.roles import Role
from sertakan.access.scope import may_resend_consent
from sertakan.access.service import AccessService
from sertakan.kernel.clock import Clock
from sertakan.kernel.errors import Conflict, NotFound, RateLimited, RuleViolation
from sertakan.kernel.ids import new_id
from sertakan.kernel.periods import Month
from sertakan.notifications import templates
from sertakan.notifications.model import Message
from sertakan.registry.guard import Guard
from sertakan.registry.model import Consent, Member, Sponsor, Sponsorship
from sertakan.registry.ports import SponsorshipEnded, UnitOfWork
from sertakan.registry.snapshots import sponsorship_snapshot
from sertakan.regulation.calendar import next_working_day
from sertakan.regulation.loader import Parameters
from sertakan.regulation.standing import standing_rule

MIN_REASON = 10
MAX_REASON = 300


class SponsorshipNotFound(NotFound):
    pass


@dataclass(frozen=True, slots=True)
class SponsorshipLine:
    """One sponsorship as its worker (or staff) sees it."""

    sponsorship: Sponsorship
    sponsor: Sponsor
    member: Member


@dataclass(frozen=True, slots=True)
class Ending:
    """What ending a sponsorship does, shown before it is confirmed (issue 16): from which
    month the sponsor stops paying, and what the worker then owes and when they lapse."""

    line: SponsorshipLine
    from_month: Month  # the first month the worker pays themselves
    choices: tuple[Month, ...]  # the months it may end from (`end_months`)
    due_on: dt.date  # the deadline of `from_month`'s contribution (bpu/payment_deadline.yaml)
    grace_months: int  # arrears payable for at most this many months (bpu/arrears.yaml)
    ends_after: int  # more consecutive unpaid months than this end the membership
    reference: str  # the arrears rule's citation


def end_months(sponsorship: Sponsorship, current: Month) -> list[Month]:
    """The months a sponsorship may end from: this month or the next. Never its own first
    month (it would never have paid, and its span would be empty), so one that began this
    month ends from the next. This month: the sponsor no longer pays this month either (its
    unpaid invoice drops the worker); next month: this month stays the sponsor's."""
    earliest = max(current, sponsorship.from_month.next())
    return [m for m in (current, current.next()) if m >= earliest] or [earliest]


class SponsorshipService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        access: AccessService,
        params: Parameters,
        *,
        reader: Callable[[], UnitOfWork] | None = None,
        on_end: SponsorshipEnded | None = None,
        ids: Callable[[], str] = new_id,
    ) -> None:
        self._params = params  # the deadline and arrears rules an ending explains
        self._on_end = on_end
        self._new_id = ids
        self._uow = uow
        self._read = reader or uow  # read-only units of work: no write lock (issue 12)
        self._clock = clock
        self._access = access
        self._guard = Guard(uow, clock)

    def line(self, sponsorship_id: str) -> SponsorshipLine:
        """The sponsorship behind a consent link: anyone holding the code may confirm it, so
        the page shows only the sponsor's name and the worker's first name."""
        with self._uow() as uow:
            return self._line(uow, sponsorship_id)

    def for_member(self, actor: Actor, member_id: str) -> list[SponsorshipLine]:
        self._guard.require(actor, Permission.MEMBER_READ, "member", member_id)
        with self._guard.refusals(), self._read() as uow:
            member = uow.members.get(member_id)
            if member is None:
                raise SponsorshipNotFound(member_id)
            self._guard.member(uow, actor, member, Permission.MEMBER_READ.value)
            return [
                self._line(uow, s.id)
                for s in sorted(
                    uow.sponsorships.for_member(member_id), key=lambda s: s.created_at, reverse=True
                )
            ]

    def confirm(self, actor: Actor, sponsorship_id: str, code: str) -> Sponsorship:
        """The worker's code: consent given. A wrong, expired or reused code changes nothing."""
        self._guard.require(actor, Permission.CONSENT_CONFIRM, "sponsorship", sponsorship_id)
        try:
            return self._confirm(actor, sponsorship_id, code)
        except CodeRefused as refused:
            self._access.record_refusal(refused)
            raise

    def _confirm(self, actor: Actor, sponsorship_id: str, code: str) -> Sponsorship:
        # The code is counted and compared in a unit of work of its own before this one
        # (count then check: a refusal's count must not roll back with the change).
        with self._uow() as uow:
            line = self._line(uow, sponsorship_id)
        if not line.sponsorship.consent.awaits_code:
            raise _already_settled()
        ticket = self._access.check_code(
            actor,
            purpose=CodePurpose.CONSENT,
            phone=line.member.phone,
            subject_id=sponsorship_id,
            code=code,
        )
        with self._uow() as uow:
            line = self._line(uow, sponsorship_id)
            if not line.sponsorship.consent.awaits_code:
                raise _already_settled()
            self._access.use_code_in(uow, ticket)
            changed = replace(line.sponsorship, consent=Consent.GIVEN, consent_at=self._clock.now())
            self._save(uow, actor, "sponsorship.consent", line.sponsorship, changed)
            uow.commit()
        return changed

    def resend_code(self, actor: Actor, sponsorship_id: str, client_ip: str) -> None:
        """Send the worker a fresh consent code (the sponsor, the worker or their branch's
        staff ask; rate limits apply)."""
        self._guard.require(actor, Permission.CONSENT_RESEND, "sponsorship", sponsorship_id)
        phone = ""
        try:
            with self._guard.refusals(), self._uow() as uow:
                line = self._line(uow, sponsorship_id)
                if not may_resend_consent(
                    actor,
                    sponsor_id=line.sponsor.id,
                    member_id=line.member.id,
                    branch_code=line.member.branch_code,
                ):
                    self._guard.refuse(
                        actor, Permission.CONSENT_RESEND.value, "sponsorship", sponsorship_id
                    )
                if not line.sponsorship.consent.awaits_code:
                    raise _already_settled()
                phone = line.member.phone
                message = self._access.issue_code_in(
                    uow,
                    actor,
                    purpose=CodePurpose.CONSENT,
                    phone=phone,
                    subject_id=sponsorship_id,
                    client_ip=client_ip,
                    text=lambda code: templates.consent_code(
                        code, line.sponsor.name, self._access.code_minutes()
                    ),
                )
                uow.commit()
        except RateLimited as limited:
            self._access.record_rate_limit(actor, CodePurpose.CONSENT, phone, limited)
            raise
        if message is not None:
            self._access.deliver(message)

    def attest(self, actor: Actor, sponsorship_id: str, reason: str) -> Sponsorship:
        """Staff attest the worker's consent (e.g. the worker has no phone). An officer's
        attestation waits for a supervisor; a supervisor's stands."""
        self._guard.require(actor, Permission.CONSENT_ATTEST, "sponsorship", sponsorship_id)
        text = " ".join(reason.split())
        if not MIN_REASON <= len(text) <= MAX_REASON:
            raise RuleViolation.single(
                "reason",
                "consent.reason",
                f"give a reason of {MIN_REASON} to {MAX_REASON} characters",
                f"Tuliskan alasan, {MIN_REASON} sampai {MAX_REASON} huruf",
            )
        with self._guard.refusals(), self._uow() as uow:
            line = self._line(uow, sponsorship_id)
            self._guard.member(uow, actor, line.member, Permission.CONSENT_ATTEST.value)
            if not line.sponsorship.consent.awaits_code:
                raise _already_settled()
            settled = actor.role in (Role.SUPERVISOR, Role.SYSTEM)
            changed = replace(
                line.sponsorship,
                consent=Consent.ATTESTED if settled else Consent.AWAITING_APPROVAL,
                consent_at=self._clock.now() if settled else None,
                consent_by=actor.account_id,
                consent_reason=text,
            )
            self._save(uow, actor, "sponsorship.attest", line.sponsorship, changed)
            uow.commit()
        return changed

    def approve(self, actor: Actor, sponsorship_id: str) -> Sponsorship:
        """A supervisor approves an officer's attestation; not their own (four eyes)."""
        self._guard.require(actor, Permission.CONSENT_APPROVE, "sponsorship", sponsorship_id)
        with self._guard.refusals(), self._uow() as uow:
            line = self._line(uow, sponsorship_id)
            self._guard.member(uow, actor, line.member, Permission.CONSENT_APPROVE.value)
            current = line.sponsorship
            if current.consent is not Consent.AWAITING_APPROVAL:
                raise _already_settled()
            if current.consent_by == actor.account_id:
                self._guard.refuse(actor, "sponsorship.approve_own", "sponsorship", sponsorship_id)
            changed = replace(current, consent=Consent.ATTESTED, consent_at=self._clock.now())
            self._save(uow, actor, "sponsorship.approve", current, changed)
            uow.commit()
        return changed

    def awaiting_approval(self, actor: Actor) -> list[SponsorshipLine]:
        self._guard.require(actor, Permission.CONSENT_APPROVE, "sponsorship")
        with self._read() as uow:
            lines = [self._line(uow, s.id) for s in uow.sponsorships.awaiting_approval()]
        return [
            line
            for line in lines
            if actor.branch_code is None or line.member.branch_code == actor.branch_code
        ]

    def ending(self, actor: Actor, sponsorship_id: str, from_month: Month | None = None) -> Ending:
        """What ending the sponsorship from `from_month` (default: the next month) would do,
        for the page that asks before it ends (issue 16): nothing changes here."""
        self._guard.require(actor, Permission.SPONSORSHIP_END, "sponsorship", sponsorship_id)
        with self._guard.refusals(), self._read() as uow:
            line = self._line(uow, sponsorship_id)
            self._guard.member(uow, actor, line.member, Permission.SPONSORSHIP_END.value)
        return self._ending(line, from_month)

    def end(
        self, actor: Actor, sponsorship_id: str, from_month: Month | None = None
    ) -> Sponsorship:
        """End a sponsorship from `from_month` (default: the next month): the sponsor pays up
        to the month before it, the worker pays `from_month` on themselves (or lapses under
        the arrears rules). In the same transaction: the audit event, the worker taken off the
        sponsor's unpaid invoices from that month (`on_end`, billing), and an SMS to the
        sponsor and to the worker in the outbox (once it was consented to)."""
        self._guard.require(actor, Permission.SPONSORSHIP_END, "sponsorship", sponsorship_id)
        with self._guard.refusals(), self._uow() as uow:
            line = self._line(uow, sponsorship_id)
            self._guard.member(uow, actor, line.member, Permission.SPONSORSHIP_END.value)
            ending = self._ending(line, from_month)
            current = line.sponsorship
            changed = replace(current, until_month=ending.from_month.plus(-1))
            self._save(uow, actor, "sponsorship.end", current, changed)
            if self._on_end is not None:
                self._on_end(uow, actor, changed, ending.from_month)
            if current.consent.is_settled:
                # Only a sponsorship that paid has news for the worker ("pay yourself from");
                # one never consented to is withdrawn without texts.
                uow.outbox.add_many(self._ended_messages(ending))
            uow.commit()
        return changed

    def _ending(self, line: SponsorshipLine, from_month: Month | None) -> Ending:
        current = line.sponsorship
        if current.has_ended or not current.is_current_in(Month.of(self._clock.today())):
            raise Conflict(
                "This sponsorship has already ended",
                "Sponsor ini sudah berakhir",
                "sponsorship.ended",
            )
        choices = end_months(current, Month.of(self._clock.today()))
        month = choices[-1] if from_month is None else from_month
        if month not in choices:
            names = " or ".join(str(m) for m in choices)
            names_id = " atau ".join(m.name_id for m in choices)
            raise RuleViolation.single(
                "from_month",
                "sponsorship.end_month",
                f"a sponsorship can end from {names}",
                f"Sponsor hanya bisa berakhir mulai {names_id}",
            )
        rule = standing_rule(self._params, month.first_day, next_working_day)
        return Ending(
            line=line,
            from_month=month,
            choices=tuple(choices),
            due_on=rule.deadline(month),
            grace_months=rule.grace_months,
            ends_after=rule.ends_after,
            reference=rule.arrears_reference,
        )

    def _ended_messages(self, ending: Ending) -> list[Message]:
        """One SMS to the sponsor, one to the worker: no NIK, no KPJ, a first name only."""
        now = self._clock.now()
        month = ending.from_month.short_name_id
        line = ending.line
        first_name = line.member.full_name.split()[0] if line.member.full_name else ""
        return [
            Message(
                self._new_id(),
                "sms",
                line.sponsor.phone,
                templates.SPONSORSHIP_ENDED_SPONSOR,
                templates.sponsorship_ended_to_sponsor(first_name, month),
                now,
            ),
            Message(
                self._new_id(),
                "sms",
                line.member.phone,
                templates.SPONSORSHIP_ENDED_WORKER,
                templates.sponsorship_ended_to_worker(line.sponsor.name, month, ending.due_on),
                now,
            ),
        ]

    def _line(self, uow: UnitOfWork, sponsorship_id: str) -> SponsorshipLine:
        sponsorship = uow.sponsorships.get(sponsorship_id)
        if sponsorship is None:
            raise SponsorshipNotFound(sponsorship_id)
        sponsor = uow.sponsors.get(sponsorship.sponsor_id)
        member = uow.members.get(sponsorship.member_id)
        if sponsor is None or member is None:
            raise SponsorshipNotFound(sponsorship_id)
        return SponsorshipLine(sponsorship, sponsor, member)

    def _save(
        self, uow: UnitOfWork, actor: Actor, action: str, before: Sponsorship, after: Sponsorship
    ) -> None:
        uow.sponsorships.update(after)
        uow.audit.append(
            event(
                actor,
                self._clock.now(),
                action,
                "sponsorship",
                after.id,
                before=sponsorship_snapshot(before),
                after=sponsorship_snapshot(after),
            )
        )


def _already_settled() -> Conflict:
    return Conflict(
        "Consent for this sponsorship is already settled",
        "Persetujuan untuk sponsor ini sudah tercatat",
        "consent.settled",
    )
