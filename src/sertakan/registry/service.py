"""Registry use cases: register a sponsor, enrol a worker, find members.

Services own the transaction: each use case opens one unit of work and commits it, with the
audit event of the change inside it (issue 4). Every use case takes the `Actor` asking: the
guard checks the permission and the scope (a sponsor reaches only the workers they sponsor).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, NoReturn

from sertakan.access.actor import Actor
from sertakan.access.auditing import event
from sertakan.access.errors import CodeRefused
from sertakan.access.model import CodePurpose
from sertakan.access.permissions import Permission
from sertakan.access.roles import Role
from sertakan.access.scope import may_enrol_for
from sertakan.access.service import AccessService
from sertakan.kernel.clock import Clock
from sertakan.kernel.errors import Conflict, RuleViolation, Violation
from sertakan.kernel.ids import new_id
from sertakan.kernel.periods import Month
from sertakan.notifications import templates
from sertakan.notifications.model import Message
from sertakan.registry.errors import (
    MemberNotFound,
    NikAlreadyEnrolled,
    SponsorAlreadyRegistered,
    SponsorNotFound,
)
from sertakan.registry.guard import Guard
from sertakan.registry.identifiers import normalize_nib
from sertakan.registry.kpj import KpjIssuer, mask_kpj
from sertakan.registry.model import (
    Branch,
    Consent,
    Member,
    MemberStatus,
    MemberTerms,
    Sex,
    Sponsor,
    SponsorKind,
    Sponsorship,
)
from sertakan.registry.names import check_name
from sertakan.registry.nik import check_nik_matches, parse_nik
from sertakan.registry.occupations import occupation
from sertakan.registry.phones import normalize_mobile
from sertakan.registry.ports import DuplicateRecord, RegistryUnitOfWork, UnitOfWork
from sertakan.registry.regions import RegionDirectory
from sertakan.registry.snapshots import (
    correction_snapshot,
    member_snapshot,
    sponsor_snapshot,
    sponsorship_snapshot,
    terms_snapshot,
)
from sertakan.regulation.contributions import BpuQuote, quote_bpu
from sertakan.regulation.eligibility import check_bpu_enrolment_age
from sertakan.regulation.loader import Parameters

KPJ_ATTEMPTS = 5  # random KPJs collide rarely; a few fresh draws settle it


_QUOTES_KEPT = 4096


@dataclass(frozen=True, slots=True)
class EnrolmentApplication:
    """What a form or API call asks for. A field left empty is `None` and reported as missing,
    alongside every other problem, so one answer names them all."""

    nik: str
    full_name: str
    birth_date: dt.date | None
    sex: str
    phone: str
    region_code: str
    occupation: str
    declared_income: int | None
    programs: tuple[str, ...]
    address: str = ""
    sponsor_id: str | None = None
    publicly_funded: bool = False


@dataclass(frozen=True, slots=True)
class MemberCorrection:
    """An officer's correction of a member's name, phone and address (issue 16): each
    checked as at enrolment, with the reason, required, kept in the audit trail."""

    full_name: str
    phone: str
    region_code: str
    address: str
    reason: str


MIN_REASON = 10  # as a consent attestation's reason (sponsorships.py)
MAX_REASON = 300


@dataclass(frozen=True, slots=True)
class SponsorApplication:
    kind: str
    name: str
    phone: str
    region_code: str
    address: str
    nik: str | None = None
    nib: str | None = None
    # The code sent to `phone` (AccessService.request_phone_proof): whoever registers a
    # sponsor proves the phone is theirs, else a stranger's sign-up could take over the phone's
    # sign-in (issue 12). The console alone registers without it.
    phone_code: str = ""


@dataclass(frozen=True, slots=True)
class MemberCard:
    """A member with what their cover costs this month and who pays for it."""

    member: Member
    quote: BpuQuote
    sponsor: Sponsor | None
    sponsorship: Sponsorship | None = None  # the current one, consented to or not


@dataclass(frozen=True, slots=True)
class TermsPreview:
    """A change of terms from `from_month`: what that month costs as things stand, and with
    the new terms (each a full quote, its PP 50/2025 discount included)."""

    member: Member
    from_month: Month
    current: BpuQuote
    new: BpuQuote
    terms: MemberTerms


@dataclass(frozen=True, slots=True)
class SponsorshipRequest:
    """A sponsor's request to pay for a worker enrolled already: what they may know of it
    before the worker consents (the KPJ masked, as the enrolment conflict shows it)."""

    sponsorship: Sponsorship
    sponsor: Sponsor
    kpj_masked: str


@dataclass(frozen=True, slots=True)
class SponsorSheet:
    """A sponsor with every worker they pay for and the monthly total."""

    sponsor: Sponsor
    workers: tuple[MemberCard, ...]
    monthly_total: int


class _Checks:
    """Runs checks and keeps every violation, so one answer names all that is wrong."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []

    @contextmanager
    def check(self) -> Iterator[None]:
        try:
            yield
        except RuleViolation as error:
            self.violations.extend(error.violations)

    def add(self, field: str, rule: str, message: str, message_id: str) -> None:
        self.violations.append(Violation(field, rule, message, message_id))

    def raise_if_any(self) -> None:
        if self.violations:
            raise RuleViolation(list(self.violations))


class RegistryService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        params: Parameters,
        regions: RegionDirectory,
        clock: Clock,
        kpj_issuer: KpjIssuer,
        access: AccessService,
        ids: Callable[[], str] = new_id,
        *,
        reader: Callable[[], UnitOfWork] | None = None,
    ) -> None:
        self._uow = uow
        self._read = reader or uow  # read-only units of work: no write lock (issue 12)
        self._access = access
        self._guard = Guard(uow, clock)
        self._new_id = ids
        self._params = params
        self._quotes: dict[tuple[object, ...], BpuQuote] = {}
        self._regions = regions
        self._clock = clock
        self._kpj = kpj_issuer

    # -- contributions -------------------------------------------------------------------

    def quote_for(self, member: Member, on: dt.date) -> BpuQuote:
        """The member's quote on `on`. A quote depends on nothing but these inputs and the
        parameters (loaded once), so quotes are kept: every member card shows one, and members
        share a handful of incomes and programme sets (issue 12: the card is the busiest read).
        The cache is emptied when it grows past _QUOTES_KEPT (a new day brings new keys)."""
        sector = occupation(member.occupation).sector
        # The terms that bill the month of `on`: a change of terms counts from its month.
        terms = member.terms_in(Month.of(on))
        key = (terms.declared_income, tuple(terms.programs), sector, member.publicly_funded, on)
        quote = self._quotes.get(key)
        if quote is None:
            quote = quote_bpu(
                self._params,
                declared_income=terms.declared_income,
                on=on,
                programs=terms.programs,
                sector=sector,
                publicly_funded=member.publicly_funded,
            )
            if len(self._quotes) >= _QUOTES_KEPT:
                self._quotes.clear()
            self._quotes[key] = quote
        return quote

    # -- sponsors --------------------------------------------------------------------------

    def register_sponsor(
        self, actor: Actor, application: SponsorApplication, *, client_ip: str = ""
    ) -> Sponsor:
        """Register a household or UMKM sponsor, with the account it signs in with (its phone).

        The phone is proven by the code sent to it (`application.phone_code`), whoever
        registers, staff at a counter included: the person stands there with the phone. Only
        the console skips it, as it skips a worker's consent code (`_start_sponsorship`).
        Sign-ups are braked per address (or staff account) and per phone (429).
        """
        self._guard.require(actor, Permission.SPONSOR_REGISTER, "sponsor")
        try:
            return self._register_sponsor(actor, application, client_ip)
        except CodeRefused as refused:
            self._access.record_refusal(refused)
            raise

    def _register_sponsor(
        self, actor: Actor, application: SponsorApplication, client_ip: str
    ) -> Sponsor:
        by_console = actor.role is Role.SYSTEM
        checks = _Checks()
        kind = SponsorKind.PERSON
        nik: str | None = None
        nib: str | None = None
        if application.kind not in {k.value for k in SponsorKind}:
            checks.add(
                "kind",
                "sponsor.kind",
                "kind must be person or business",
                "Jenis pemberi kerja harus perorangan atau usaha",
            )
        else:
            kind = SponsorKind(application.kind)
        if kind is SponsorKind.PERSON:
            with checks.check():
                nik = _digits(application.nik or "")
                parse_nik(nik, self._regions, today=self._today())
        else:
            with checks.check():
                nib = normalize_nib(application.nib or "")
        name = self._check_name(checks, application.name, "name")
        phone = ""
        with checks.check():
            phone = normalize_mobile(application.phone)
        self._check_village(checks, application.region_code)
        if not by_console and not application.phone_code.strip():
            checks.add(
                "phone_code",
                "access.phone_proof.required",
                "the code sent to this phone is required: ask for it first",
                "Masukkan kode yang dikirim ke nomor HP ini",
            )
        checks.raise_if_any()
        if not by_console:
            self._access.brake_sign_up(actor, phone, client_ip)

        sponsor = Sponsor(
            id=self._new_id(),
            kind=kind,
            name=name,
            phone=phone,
            address=application.address.strip(),
            region_code=application.region_code,
            nik=nik,
            nib=nib,
            created_at=self._clock.now(),
        )
        identity = nik or nib or ""
        # First, so that a caller without the code learns nothing, not even whether the
        # sponsor is registered; a refusal below rolls back and leaves the code unused.
        ticket = (
            None if by_console else self._access.prove_phone(actor, phone, application.phone_code)
        )
        with self._uow() as uow:
            if ticket is not None:
                self._access.use_code_in(uow, ticket)
            existing = uow.sponsors.get_by_identity(kind, identity)
            if existing is not None:
                raise SponsorAlreadyRegistered(existing.id)
            try:
                uow.sponsors.add(sponsor)
            except DuplicateRecord:
                raise SponsorAlreadyRegistered(self._sponsor_id_for(kind, identity)) from None
            self._access.phone_account_in(
                uow,
                actor,
                role=Role.SPONSOR,
                phone=phone,
                display_name=name,
                sponsor_id=sponsor.id,
            )
            self._record(
                uow,
                actor,
                "sponsor.register",
                "sponsor",
                sponsor.id,
                after=sponsor_snapshot(sponsor),
            )
            uow.commit()
        return sponsor

    def sponsor_for_enrolment(self, actor: Actor, sponsor_id: str) -> Sponsor:
        """The sponsor an enrolment form is for: a sponsor may only enrol as themselves."""
        self._guard.require(actor, Permission.MEMBER_ENROL, "sponsor", sponsor_id)
        if not may_enrol_for(actor, sponsor_id):
            self._guard.deny(actor, Permission.MEMBER_ENROL.value, "sponsor", sponsor_id)
        with self._uow() as uow:
            sponsor = uow.sponsors.get(sponsor_id)
        if sponsor is None:
            raise SponsorNotFound(sponsor_id)
        return sponsor

    def sponsor_sheet(self, actor: Actor, sponsor_id: str) -> SponsorSheet:
        """The sponsor's workers this month; those still to consent are listed but not billed."""
        self._guard.require(actor, Permission.SPONSOR_READ, "sponsor", sponsor_id)
        month = Month.of(self._today())
        today = self._today()
        with self._guard.refusals(), self._read() as uow:
            sponsor = uow.sponsors.get(sponsor_id)
            if sponsor is None:
                raise SponsorNotFound(sponsor_id)
            self._guard.sponsor(actor, sponsor, Permission.SPONSOR_READ.value)
            cards = []
            for sponsorship in uow.sponsorships.for_sponsor(sponsor_id):
                # An ended sponsorship leaves the sheet at once: the worker's card is no
                # longer the sponsor's to see (its last month's invoice stays theirs).
                if not sponsorship.is_current_in(month) or sponsorship.has_ended:
                    continue
                if sponsorship.consent is Consent.REQUESTED:
                    continue  # not theirs to see until the worker consents (Guard.member)
                member = uow.members.get(sponsorship.member_id)
                if member is not None:
                    quote = self.quote_for(member, today)
                    cards.append(MemberCard(member, quote, sponsor, sponsorship))
        cards.sort(key=lambda card: card.member.full_name)
        total = sum(
            c.quote.total for c in cards if c.sponsorship and c.sponsorship.is_active_in(month)
        )
        return SponsorSheet(sponsor, tuple(cards), total)

    def list_sponsors(self, actor: Actor, limit: int = 50, offset: int = 0) -> list[Sponsor]:
        self._guard.require(actor, Permission.SPONSOR_LIST, "sponsor")
        with self._read() as uow:
            return uow.sponsors.list(limit, offset)

    # -- members ---------------------------------------------------------------------------

    def enrol_member(
        self, actor: Actor, application: EnrolmentApplication, *, client_ip: str = ""
    ) -> MemberCard:
        """Enrol a worker. With a sponsor, the sponsorship waits for the worker's consent: a
        code goes to the worker's phone (the console, loading demo data, attests instead)."""
        self._guard.require(actor, Permission.MEMBER_ENROL, "member")
        if not may_enrol_for(actor, application.sponsor_id or None):
            self._guard.deny(
                actor, Permission.MEMBER_ENROL.value, "sponsor", application.sponsor_id or ""
            )
        valid = self._validate_enrolment(application)
        name, nik, phone, birth_date, quote = valid

        with self._uow() as uow:
            sponsor = None
            if application.sponsor_id:
                sponsor = uow.sponsors.get(application.sponsor_id)
                if sponsor is None:
                    raise RuleViolation.single(
                        "sponsor_id",
                        "sponsor.unknown",
                        "no sponsor has this id",
                        "Pemberi kerja tidak ditemukan",
                    )
            existing = uow.members.get_by_nik(nik)
            if existing is not None:
                raise NikAlreadyEnrolled(mask_kpj(existing.kpj))
            branch = _branch_for(application.region_code, uow.branches.all())
            member = self._insert_member(
                uow, actor, application, name, nik, phone, birth_date, quote, branch
            )
            self._record(
                uow,
                actor,
                "member.enrol",
                "member",
                member.id,
                after=member_snapshot(member),
            )
            if uow.accounts.for_member(member.id) is None:
                self._access.phone_account_in(
                    uow,
                    actor,
                    role=Role.WORKER,
                    phone=phone,
                    display_name=name,
                    member_id=member.id,
                )
            sponsorship = None
            message = None
            if sponsor is not None:
                sponsorship, message = self._start_sponsorship(
                    uow, actor, sponsor, member, client_ip
                )
            uow.commit()
        if message is not None:
            self._access.deliver(message)
        return MemberCard(member, quote, sponsor, sponsorship)

    def sponsor_enrolled(
        self, actor: Actor, sponsor_id: str, nik: str, *, client_ip: str = ""
    ) -> SponsorshipRequest:
        """Sponsor a worker whose NIK is enrolled already (issue 16: instead of ending at
        "sudah terdaftar"). The consent code goes to the phone on the member's record, as at
        enrolment; until the worker consents the sponsor reaches nothing of the record
        (`Consent.REQUESTED`). A worker someone sponsors already is refused (409)."""
        self._guard.require(actor, Permission.MEMBER_ENROL, "sponsor", sponsor_id)
        if not may_enrol_for(actor, sponsor_id):
            self._guard.deny(actor, Permission.MEMBER_ENROL.value, "sponsor", sponsor_id)
        digits = _digits(nik)
        parse_nik(digits, self._regions, today=self._today())
        month = Month.of(self._today())
        with self._uow() as uow:
            sponsor = uow.sponsors.get(sponsor_id)
            if sponsor is None:
                raise RuleViolation.single(
                    "sponsor_id",
                    "sponsor.unknown",
                    "no sponsor has this id",
                    "Pemberi kerja tidak ditemukan",
                )
            member = uow.members.get_by_nik(digits)
            if member is None:
                raise RuleViolation.single(
                    "nik",
                    "registry.nik.not_enrolled",
                    "no member is enrolled with this NIK: enrol the worker",
                    "NIK ini belum terdaftar: daftarkan pekerja",
                )
            if any(
                s.is_current_in(month) and not s.has_ended
                for s in uow.sponsorships.for_member(member.id)
            ):
                # Who pays for them is the worker's business: the answer does not say.
                raise Conflict(
                    "This worker already has a sponsor, or a request waiting for consent",
                    "Pekerja ini sudah punya pemberi kerja, atau permintaan yang menunggu "
                    "persetujuannya",
                    "registry.member.sponsored",
                )
            sponsorship, message = self._start_sponsorship(
                uow, actor, sponsor, member, client_ip, awaiting=Consent.REQUESTED
            )
            uow.commit()
        if message is not None:
            self._access.deliver(message)
        return SponsorshipRequest(sponsorship, sponsor, mask_kpj(member.kpj))

    def member_card(self, actor: Actor, member_id: str) -> MemberCard:
        self._guard.require(actor, Permission.MEMBER_READ, "member", member_id)
        with self._guard.refusals(), self._read() as uow:
            return self.member_card_in(uow, actor, member_id)

    def member_card_in(self, uow: RegistryUnitOfWork, actor: Actor, member_id: str) -> MemberCard:
        """`member_card` inside the caller's unit of work, which the caller wraps in its
        guard's `refusals()` after `require(actor, Permission.MEMBER_READ, ...)`: a use case
        that reads more about the member in the same transaction (the coverage's `card`)."""
        member = uow.members.get(member_id)
        if member is None:
            raise MemberNotFound(member_id)
        sponsorships = self._guard.member(uow, actor, member, Permission.MEMBER_READ.value)
        return self._card(uow, member, sponsorships)

    def correct_member(self, actor: Actor, member_id: str, correction: MemberCorrection) -> Member:
        """Branch staff correct a member's name, phone and address (village and street) with
        a reason: checked as at enrolment (`names`, `phones`, the regions of the current
        edition), audited before and after in the transaction of the change. The worker's
        account follows: they sign in with the corrected phone, under the corrected name.
        A new village may move the member to another branch (the branch serving it)."""
        self._guard.require(actor, Permission.MEMBER_CORRECT, "member", member_id)
        checks = _Checks()
        name = self._check_name(checks, correction.full_name, "full_name")
        phone = ""
        with checks.check():
            phone = normalize_mobile(correction.phone)
        self._check_village(checks, correction.region_code)
        reason = " ".join(correction.reason.split())
        if not MIN_REASON <= len(reason) <= MAX_REASON:
            checks.add(
                "reason",
                "member.correction.reason",
                f"give a reason of {MIN_REASON} to {MAX_REASON} characters",
                f"Tuliskan alasan, {MIN_REASON} sampai {MAX_REASON} huruf",
            )
        checks.raise_if_any()
        with self._guard.refusals(), self._uow() as uow:
            member = uow.members.get(member_id)
            if member is None:
                raise MemberNotFound(member_id)
            self._guard.member(uow, actor, member, Permission.MEMBER_CORRECT.value)
            branch = _branch_for(correction.region_code, uow.branches.all())
            changed = replace(
                member,
                full_name=name,
                phone=phone,
                region_code=correction.region_code,
                address=" ".join(correction.address.split()),
                branch_code=branch.code if branch else None,
            )
            if changed == member:
                return member  # nothing to correct: nothing written, nothing audited
            uow.members.update(changed)
            self._record(
                uow,
                actor,
                "member.correct",
                "member",
                member.id,
                before=correction_snapshot(member),
                after=correction_snapshot(changed),
                reason=reason,
            )
            account = uow.accounts.for_member(member.id)
            if account is not None and (account.phone, account.display_name) != (phone, name):
                self._access.correct_phone_account_in(uow, actor, account, phone, name)
            uow.commit()
        return changed

    def _record(
        self,
        uow: UnitOfWork,
        actor: Actor,
        action: str,
        kind: str,
        subject_id: str,
        *,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        reason: str = "",
    ) -> None:
        """The audit event of a change, in the change's own unit of work (docs/architecture.md,
        rule 6)."""
        uow.audit.append(
            event(
                actor,
                self._clock.now(),
                action,
                kind,
                subject_id,
                before=before,
                after=after,
                reason=reason,
            )
        )

    def preview_terms(self, actor: Actor, member_id: str, terms: MemberTerms) -> TermsPreview:
        """What a change of income level or programmes would cost from next month, beside
        what next month costs as things stand (both with the PP 50/2025 discount as the quote
        applies it). Nothing is written."""
        self._guard.require(actor, Permission.MEMBER_TERMS, "member", member_id)
        with self._guard.refusals(), self._read() as uow:
            member = self._terms_member(uow, actor, member_id)
        return self._terms_preview(member, terms)

    def change_terms(self, actor: Actor, member_id: str, terms: MemberTerms) -> TermsPreview:
        """Change a member's income level and programmes from next month (issue 16): this
        month, invoiced or not, keeps its terms. The sponsor paying for the worker, the worker
        paying for themselves, or their branch's staff; audited before and after. A change
        due already is made the current terms first, in the same transaction."""
        self._guard.require(actor, Permission.MEMBER_TERMS, "member", member_id)
        with self._guard.refusals(), self._uow() as uow:
            member = self._terms_member(uow, actor, member_id)
            preview = self._terms_preview(member, terms)
            changed = replace(
                member.settled_in(Month.of(self._today())),
                pending=preview.terms,
                pending_from=preview.from_month,
            )
            uow.members.update_terms(changed)
            self._record(
                uow,
                actor,
                "member.terms",
                "member",
                member.id,
                before=terms_snapshot(member),
                after=terms_snapshot(changed),
            )
            uow.commit()
        return replace(preview, member=changed)

    def _terms_member(self, uow: RegistryUnitOfWork, actor: Actor, member_id: str) -> Member:
        """The member whose terms `actor` may change: in their reach, and who pays decides.
        A sponsor only while the worker consented to their paying; the worker only while
        nobody else pays (a sponsor pays for the terms they agreed to)."""
        member = uow.members.get(member_id)
        if member is None:
            raise MemberNotFound(member_id)
        action = Permission.MEMBER_TERMS.value
        sponsorships = self._guard.member(uow, actor, member, action)
        month = Month.of(self._today())
        payers = {
            s.sponsor_id
            for s in sponsorships
            if s.is_current_in(month) and not s.has_ended and s.consent.is_settled
        }
        if actor.role is Role.SPONSOR and actor.sponsor_id not in payers:
            self._guard.refuse(actor, action, "member", member.id)
        if actor.role is Role.WORKER and payers:
            self._guard.refuse(actor, action, "member", member.id)
        return member

    def _terms_preview(self, member: Member, terms: MemberTerms) -> TermsPreview:
        from_month = Month.of(self._today()).next()
        wanted = MemberTerms(
            terms.declared_income, tuple(dict.fromkeys(p.strip().upper() for p in terms.programs))
        )
        current = self.quote_for(member, from_month.first_day)
        # The same rules as at enrolment (income level, programme combination): RuleViolation
        # with every broken rule, in Bahasa Indonesia too.
        new = quote_bpu(
            self._params,
            declared_income=wanted.declared_income,
            on=from_month.first_day,
            programs=wanted.programs,
            sector=occupation(member.occupation).sector,
            publicly_funded=member.publicly_funded,
        )
        wanted = MemberTerms(new.declared_income, tuple(new.programs))
        if wanted == member.terms_in(from_month):
            raise RuleViolation.single(
                "declared_income",
                "member.terms.unchanged",
                "these are the terms already: choose another income level or programmes",
                "Penghasilan dan program ini sudah berlaku: pilih yang lain",
            )
        return TermsPreview(member, from_month, current, new, wanted)

    def find_members(self, actor: Actor, query: str, limit: int = 20) -> list[Member]:
        """Search by NIK (16 digits), KPJ (11 digits) or part of a name; branch staff find
        only their branch's members."""
        self._guard.require(actor, Permission.MEMBER_SEARCH, "member")
        branch = actor.branch_code if actor.role.is_branch_staff else None
        text = " ".join(query.split())
        digits = text.replace(" ", "").replace("-", "")
        with self._read() as uow:
            if digits.isdigit() and len(digits) in (16, 11):
                found = (
                    uow.members.get_by_nik(digits)
                    if len(digits) == 16
                    else uow.members.get_by_kpj(digits)
                )
                return [found] if found and (branch is None or found.branch_code == branch) else []
            if len(text) < 2:
                return []
            return uow.members.search_by_name(text, limit, branch_code=branch)

    def member_by_kpj(self, actor: Actor, kpj: str) -> MemberCard:
        self._guard.require(actor, Permission.MEMBER_READ, "member", kpj)
        with self._guard.refusals(), self._read() as uow:
            member = uow.members.get_by_kpj(kpj)
            if member is None:
                raise MemberNotFound(kpj)
            self._guard.member(uow, actor, member, Permission.MEMBER_READ.value)
            return self._card(uow, member)

    def add_branch(self, branch: Branch) -> None:
        """Branches are set up by the operator (console, migrations of reference data)."""
        with self._uow() as uow:
            if uow.branches.get(branch.code) is None:
                uow.branches.add(branch)
                uow.commit()

    def branches(self) -> list[Branch]:
        with self._read() as uow:
            return uow.branches.all()

    def count_members(self) -> int:
        with self._read() as uow:
            return uow.members.count()

    # -- helpers ---------------------------------------------------------------------------

    def _today(self) -> dt.date:
        return self._clock.today()

    def _card(
        self,
        uow: RegistryUnitOfWork,
        member: Member,
        sponsorships: list[Sponsorship] | None = None,
    ) -> MemberCard:
        """`sponsorships`: the member's, when the caller has already read them."""
        today = self._today()
        month = Month.of(today)
        if sponsorships is None:
            sponsorships = uow.sponsorships.for_member(member.id)
        current = [s for s in sponsorships if s.is_current_in(month)]
        sponsorship = max(current, key=lambda s: (s.from_month, s.created_at), default=None)
        sponsor = uow.sponsors.get(sponsorship.sponsor_id) if sponsorship else None
        # The card shows the terms in force this month: a change whose month has come is
        # the current income and programmes (it is written so at the next change).
        member = member.settled_in(month)
        return MemberCard(member, self.quote_for(member, today), sponsor, sponsorship)

    def _validate_enrolment(
        self, application: EnrolmentApplication
    ) -> tuple[str, str, str, dt.date, BpuQuote]:
        """Check everything at once; return the clean name, NIK, phone, birth date and quote."""
        today = self._today()
        checks = _Checks()
        name = self._check_name(checks, application.full_name, "full_name")
        sex_ok = application.sex in {s.value for s in Sex}
        if not sex_ok:
            checks.add("sex", "member.sex", "sex must be M or F", "Jenis kelamin harus L atau P")
        nik = _digits(application.nik)
        birth_date = application.birth_date
        if birth_date is None:
            checks.add(
                "birth_date",
                "member.birth_date.required",
                "birth date is required",
                "Tanggal lahir wajib diisi",
            )
        with checks.check():
            parts = parse_nik(nik, self._regions, today=today)
            if sex_ok and birth_date is not None:
                check_nik_matches(parts, birth_date=birth_date, sex=application.sex)
        if birth_date is not None:
            with checks.check():
                check_bpu_enrolment_age(self._params, birth_date, today)
        phone = ""
        with checks.check():
            phone = normalize_mobile(application.phone)
        self._check_village(checks, application.region_code)
        sector = None
        with checks.check():
            sector = occupation(application.occupation).sector
        quote = None
        if application.declared_income is None:
            checks.add(
                "declared_income",
                "member.declared_income.required",
                "declared income is required",
                "Pilih penghasilan",
            )
        with checks.check():
            if application.declared_income is not None:
                quote = quote_bpu(
                    self._params,
                    declared_income=application.declared_income,
                    on=today,
                    programs=application.programs,
                    sector=sector if sector is not None else "other",
                    publicly_funded=application.publicly_funded,
                )
        checks.raise_if_any()
        # Every check passed, so the date was given and the quote was made.
        assert quote is not None
        assert birth_date is not None

        return name, nik, phone, birth_date, quote

    def _start_sponsorship(
        self,
        uow: UnitOfWork,
        actor: Actor,
        sponsor: Sponsor,
        member: Member,
        client_ip: str,
        *,
        awaiting: Consent = Consent.PENDING,
    ) -> tuple[Sponsorship, Message | None]:
        """A new sponsorship: from the console it is attested at once; otherwise the worker's
        consent is asked with a code sent to their phone (issue 4 "Consent"), `awaiting` it
        (`REQUESTED` for a worker enrolled before)."""
        now = self._clock.now()
        by_console = actor.role is Role.SYSTEM
        sponsorship = Sponsorship(
            id=self._new_id(),
            sponsor_id=sponsor.id,
            member_id=member.id,
            from_month=Month.of(self._today()),
            until_month=None,
            created_at=now,
            consent=Consent.ATTESTED if by_console else awaiting,
            consent_at=now if by_console else None,
            consent_reason="dicatat dari konsol operator" if by_console else "",
        )
        uow.sponsorships.add(sponsorship)
        uow.audit.append(
            event(
                actor,
                now,
                "sponsorship.start",
                "sponsorship",
                sponsorship.id,
                after=sponsorship_snapshot(sponsorship),
            )
        )
        if by_console:
            return sponsorship, None
        message = self._access.issue_code_in(
            uow,
            actor,
            purpose=CodePurpose.CONSENT,
            phone=member.phone,
            subject_id=sponsorship.id,
            client_ip=client_ip,
            text=lambda code: templates.consent_code(
                code, sponsor.name, self._access.code_minutes()
            ),
        )
        return sponsorship, message

    def _insert_member(
        self,
        uow: UnitOfWork,
        actor: Actor,
        application: EnrolmentApplication,
        name: str,
        nik: str,
        phone: str,
        birth_date: dt.date,
        quote: BpuQuote,
        branch: Branch | None,
    ) -> Member:
        for _ in range(KPJ_ATTEMPTS):
            kpj = self._kpj.next_kpj()
            if uow.members.get_by_kpj(kpj) is None:
                break
        member = Member(
            id=self._new_id(),
            kpj=kpj,
            nik=nik,
            full_name=name,
            birth_date=birth_date,
            sex=Sex(application.sex),
            phone=phone,
            region_code=application.region_code,
            address=application.address.strip(),
            occupation=application.occupation,
            declared_income=quote.declared_income,
            programs=tuple(application.programs),
            publicly_funded=application.publicly_funded,
            branch_code=branch.code if branch else None,
            enrolled_on=quote.on,  # the day the checks and the quote were made
            status=MemberStatus.AWAITING_FIRST_PAYMENT,
            created_at=self._clock.now(),
            enrolled_by=actor.account_id,
        )
        try:
            uow.members.add(member)
        except DuplicateRecord as duplicate:
            self._raise_for_duplicate(duplicate)
        return member

    def _raise_for_duplicate(self, duplicate: DuplicateRecord) -> NoReturn:
        """A concurrent enrolment won the race: answer as if we had seen it first."""
        if duplicate.field == "nik":
            raise NikAlreadyEnrolled(self._masked_kpj_of_winner(duplicate)) from None
        raise duplicate

    def _masked_kpj_of_winner(self, duplicate: DuplicateRecord) -> str:
        nik = duplicate.value
        if nik:
            with self._uow() as uow:
                winner = uow.members.get_by_nik(nik)
                if winner is not None:
                    return mask_kpj(winner.kpj)
        return "***********"

    def _sponsor_id_for(self, kind: SponsorKind, identity: str) -> str:
        with self._uow() as uow:
            existing = uow.sponsors.get_by_identity(kind, identity)
            return existing.id if existing else ""

    def _check_name(self, checks: _Checks, raw: str, field: str) -> str:
        """One rule for every person's and business's name (`registry.names`)."""
        with checks.check():
            return check_name(raw, field)
        return raw

    def _check_village(self, checks: _Checks, region_code: str) -> None:
        if self._regions.village(region_code) is None:
            checks.add(
                "region_code",
                "region.village_unknown",
                "region_code must be a village (desa/kelurahan) code of the current edition",
                "Kode wilayah harus kode desa/kelurahan yang berlaku",
            )


def _branch_for(region_code: str, branches: list[Branch]) -> Branch | None:
    """The branch serving the member's regency; the longest matching prefix wins."""
    matching = [b for b in branches if region_code.startswith(b.region_prefix + ".")]
    return max(matching, key=lambda b: len(b.region_prefix), default=None)


def _digits(text: str) -> str:
    """People type NIKs with spaces or dashes; the number is the digits."""
    return "".join(ch for ch in text if not ch.isspace() and ch != "-")
