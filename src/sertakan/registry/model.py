"""Entities of the registry. Frozen: a change is a new value written through a repository."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from sertakan.kernel.periods import Month


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"


class SponsorKind(StrEnum):
    PERSON = "person"  # identified by NIK
    BUSINESS = "business"  # a business or UMKM, identified by NIB


class MemberStatus(StrEnum):
    # Cover starts when the first payment settles (project policy, `bpu/coverage_policy.yaml`).
    AWAITING_FIRST_PAYMENT = "awaiting_first_payment"

    @property
    def label_id(self) -> str:
        """What members and branch staff call the status (Bahasa Indonesia)."""
        return _STATUS_LABELS_ID[self]


_STATUS_LABELS_ID = {MemberStatus.AWAITING_FIRST_PAYMENT: "Menunggu pembayaran pertama"}


@dataclass(frozen=True, slots=True)
class Branch:
    code: str
    name: str
    region_prefix: str  # the regency (e.g. "32.71") whose members the branch serves


@dataclass(frozen=True, slots=True)
class Sponsor:
    id: str
    kind: SponsorKind
    name: str
    phone: str  # E.164
    address: str
    region_code: str  # village code, current edition
    nik: str | None
    nib: str | None
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Member:
    id: str
    kpj: str
    nik: str
    full_name: str
    birth_date: dt.date
    sex: Sex
    phone: str  # E.164
    region_code: str  # village code, current edition
    address: str
    occupation: str
    declared_income: int
    programs: tuple[str, ...]
    publicly_funded: bool  # JKK+JKM paid from APBN/APBD: excluded from the PP 50/2025 discount
    branch_code: str | None
    enrolled_on: dt.date
    status: MemberStatus
    created_at: dt.datetime
    enrolled_by: str | None = None  # the account that enrolled them (an agent sees these)
    # A change of terms from a later month (issue 16): the income level and programmes that
    # bill from `pending_from` on. The month already invoiced keeps the terms it was billed
    # with; `terms_in` says which terms bill a month, `settled_in` folds them in.
    pending: MemberTerms | None = None
    pending_from: Month | None = None

    def terms_in(self, month: Month) -> MemberTerms:
        """The declared income and programmes that bill `month`."""
        due = self.pending_from is not None and month >= self.pending_from
        if self.pending is not None and due:
            return self.pending
        return MemberTerms(self.declared_income, self.programs)

    def settled_in(self, month: Month) -> Member:
        """The member as of `month`: a change due by then becomes the current terms (written
        back before another change, so the audit trail keeps the step)."""
        if self.pending is None or self.pending_from is None or month < self.pending_from:
            return self
        return replace(
            self,
            declared_income=self.pending.declared_income,
            programs=self.pending.programs,
            pending=None,
            pending_from=None,
        )


@dataclass(frozen=True, slots=True)
class MemberTerms:
    """What a member pays for: the declared income level and the programmes (PP 44/2015 as
    amended; `bpu/declared_income_levels.yaml`)."""

    declared_income: int
    programs: tuple[str, ...]


class Consent(StrEnum):
    """The worker's consent to be enrolled and paid for by a sponsor (issue 4 "Consent")."""

    PENDING = "pending"  # a code was sent to the worker's phone
    # A sponsor asked to pay for a worker enrolled already: a code went to the phone on the
    # member's record. Until the worker consents the sponsor reaches nothing of the record
    # (they typed only a NIK; `Guard.member`), unlike a worker they enrolled themselves.
    REQUESTED = "requested"
    GIVEN = "given"  # the worker's code was entered
    AWAITING_APPROVAL = "awaiting_approval"  # an officer attested; a supervisor must approve
    ATTESTED = "attested"  # staff attested with a reason (a supervisor, or approved)

    @property
    def is_settled(self) -> bool:
        return self in (Consent.GIVEN, Consent.ATTESTED)

    @property
    def awaits_code(self) -> bool:
        """The worker's code (or a staff attestation) is still awaited."""
        return self in (Consent.PENDING, Consent.REQUESTED)

    @property
    def label_id(self) -> str:
        return _CONSENT_LABELS_ID[self]


_CONSENT_LABELS_ID = {
    Consent.PENDING: "Menunggu persetujuan pekerja",
    Consent.REQUESTED: "Menunggu persetujuan pekerja (sudah terdaftar)",
    Consent.GIVEN: "Disetujui pekerja (kode)",
    Consent.AWAITING_APPROVAL: "Menunggu persetujuan supervisor",
    Consent.ATTESTED: "Disetujui (pernyataan petugas)",
}


@dataclass(frozen=True, slots=True)
class Sponsorship:
    """Who pays for which worker, from which contribution month. It pays only once the worker
    consented (a code, or a staff attestation)."""

    id: str
    sponsor_id: str
    member_id: str
    from_month: Month
    until_month: Month | None
    created_at: dt.datetime
    consent: Consent = Consent.GIVEN
    consent_at: dt.datetime | None = None
    consent_by: str | None = None  # the account that attested or approved
    consent_reason: str = ""

    def is_active_in(self, month: Month) -> bool:
        return (
            self.consent.is_settled
            and self.from_month <= month
            and (self.until_month is None or month <= self.until_month)
        )

    def is_current_in(self, month: Month) -> bool:
        """Not ended by `month`, whether or not the worker has consented yet."""
        return self.from_month <= month and (self.until_month is None or month <= self.until_month)

    @property
    def has_ended(self) -> bool:
        """Ended by the worker or staff (`until_month` set). The sponsor still pays up to
        that month, but from the moment it is ended they no longer reach the worker's record
        (issue 12: a sponsor's access to a worker ends with the sponsorship)."""
        return self.until_month is not None
