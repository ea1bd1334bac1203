"""A worker's consent to a sponsorship, and ending one (issue 4 "Consent").

A sponsor enrolling a worker records the worker's consent: the code sent to the worker's
phone, entered by the worker (or read out by them at the sponsor's side); or branch staff's
attestation with a reason — an officer's needs a supervisor's approval, a supervisor's stands.
A worker sees who sponsors them and can end a sponsorship; so can branch staff.
Every step is audited in the transaction of the change.
"""

from __future__ import annotations

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
from sertakan.kernel.periods import Month
from sertakan.notifications import templates
from sertakan.registry.guard import Guard
from sertakan.registry.model import Consent, Member, Sponsor, Sponsorship
from sertakan.registry.ports import UnitOfWork
from sertakan.registry.snapshots import sponsorship_snapshot

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


class SponsorshipService:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock, access: AccessService) -> None:
        self._uow = uow
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
        with self._guard.refusals(), self._uow() as uow:
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
        with self._uow() as uow:
            line = self._line(uow, sponsorship_id)
            if line.sponsorship.consent is not Consent.PENDING:
                raise _already_settled()
            self._access.check_code_in(
                uow,
                actor,
                purpose=CodePurpose.CONSENT,
                phone=line.member.phone,
                subject_id=sponsorship_id,
                code=code,
            )
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
                if line.sponsorship.consent is not Consent.PENDING:
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
            if line.sponsorship.consent is not Consent.PENDING:
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
        with self._uow() as uow:
            lines = [self._line(uow, s.id) for s in uow.sponsorships.awaiting_approval()]
        return [
            line
            for line in lines
            if actor.branch_code is None or line.member.branch_code == actor.branch_code
        ]

    def end(self, actor: Actor, sponsorship_id: str) -> Sponsorship:
        """End a sponsorship with the current month: the sponsor pays no later month."""
        self._guard.require(actor, Permission.SPONSORSHIP_END, "sponsorship", sponsorship_id)
        month = Month.of(self._clock.today())
        with self._guard.refusals(), self._uow() as uow:
            line = self._line(uow, sponsorship_id)
            self._guard.member(uow, actor, line.member, Permission.SPONSORSHIP_END.value)
            current = line.sponsorship
            if not current.is_current_in(month):
                raise Conflict(
                    "This sponsorship has already ended",
                    "Sponsor ini sudah berakhir",
                    "sponsorship.ended",
                )
            # A sponsorship that starts this month and ends now never pays: keep it valid.
            changed = replace(current, until_month=max(month, current.from_month))
            self._save(uow, actor, "sponsorship.end", current, changed)
            uow.commit()
        return changed

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
