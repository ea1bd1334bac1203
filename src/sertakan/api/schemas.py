"""Pydantic schemas of the API: `...Create` comes in, `...Read` goes out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sertakan.access.model import Account
from sertakan.audit.model import AuditEvent
from sertakan.registry.kpj import mask_kpj
from sertakan.registry.model import Member, Sponsor, Sponsorship
from sertakan.registry.nik import mask_nik
from sertakan.registry.occupations import occupation
from sertakan.registry.service import MemberCard, SponsorSheet, TermsPreview
from sertakan.regulation.contributions import BpuQuote, PuQuote, Reference
from sertakan.regulation.sources import load_sources
from sertakan.regulation.standing import MembershipStatus

# A day as the API reads it, in this century: the JSON schema says so (a `date` alone would
# let a client send year 1 or 9999), and the services refuse the rest with 422.
DAY_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
DAY = {"pattern": DAY_PATTERN}


class DiscountRead(BaseModel):
    code: str
    description: str
    description_id: str
    programs: list[str]
    factor: str
    amount_off: int
    reference: str


class SourceRead(BaseModel):
    """Where the project saw the figure stated (`regulation/sources.yaml`)."""

    key: str
    title: str
    url: str | None
    kind: str


class ReferenceRead(BaseModel):
    topic: str
    regulation: str
    source: str = Field(description="The source keys, e.g. [S-cnbc-2023]; see `sources`")
    sources: list[SourceRead]
    status: str

    @classmethod
    def of(cls, reference: Reference) -> ReferenceRead:
        return cls(
            topic=reference.program_or_topic,
            regulation=reference.regulation,
            source=reference.source,
            sources=[
                SourceRead(key=s.key, title=s.title, url=s.url, kind=s.kind)
                for s in load_sources().resolve(reference.source_keys)
            ],
            status=reference.status,
        )


class BpuQuoteRead(BaseModel):
    declared_income: int
    on: dt.date
    programs: list[str]
    sector: str
    publicly_funded: bool
    parts: dict[str, int]
    parts_before_discount: dict[str, int]
    total: int
    discounts: list[DiscountRead]
    references: list[ReferenceRead]

    @classmethod
    def of(cls, quote: BpuQuote) -> BpuQuoteRead:
        return cls(
            declared_income=quote.declared_income,
            on=quote.on,
            programs=list(quote.programs),
            sector=str(quote.sector),
            publicly_funded=quote.publicly_funded,
            parts=dict(quote.parts),
            parts_before_discount=dict(quote.full_parts),
            total=quote.total,
            discounts=[
                DiscountRead(
                    code=d.code,
                    description=d.description_en,
                    description_id=d.description_id,
                    programs=list(d.programs),
                    factor=str(d.factor),
                    amount_off=d.amount_off,
                    reference=d.reference,
                )
                for d in quote.discounts
            ],
            references=[ReferenceRead.of(r) for r in quote.references],
        )


class PuShareRead(BaseModel):
    employer: int
    worker: int
    government: int
    recomposed: dict[str, int] = Field(
        default_factory=dict,
        description="JKP funding moved from other programmes (PP 49/2023 art. 16A, PP 6/2025)",
    )
    total: int


class PuQuoteRead(BaseModel):
    wage: int
    on: dt.date
    risk_class: str
    in_jkp: bool
    jp_wage_base: int
    parts: dict[str, PuShareRead]
    employer_total: int
    worker_total: int
    references: list[ReferenceRead]

    @classmethod
    def of(cls, quote: PuQuote) -> PuQuoteRead:
        return cls(
            wage=quote.wage,
            on=quote.on,
            risk_class=quote.risk_class,
            in_jkp=quote.in_jkp,
            jp_wage_base=quote.jp_wage_base,
            parts={
                name: PuShareRead(
                    employer=share.employer,
                    worker=share.worker,
                    government=share.government,
                    recomposed=dict(share.recomposed),
                    total=share.total,
                )
                for name, share in quote.parts.items()
            },
            employer_total=quote.employer_total,
            worker_total=quote.worker_total,
            references=[ReferenceRead.of(r) for r in quote.references],
        )


class MemberCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nik: str = Field(max_length=40, examples=["3271011708900001"])
    full_name: str = Field(max_length=200, examples=["Siti Rahmawati"])
    birth_date: dt.date
    sex: str = Field(max_length=1, description="M or F", examples=["F"])
    phone: str = Field(max_length=30, examples=["0812-3456-7890"])
    region_code: str = Field(max_length=20, examples=["32.71.01.1001"])
    address: str = Field(default="", max_length=200)
    occupation: str = Field(max_length=40, examples=["household_helper"])
    declared_income: int = Field(strict=True, examples=[1000000])
    programs: list[str] = Field(max_length=5, examples=[["JKK", "JKM", "JHT"]])
    sponsor_id: str | None = Field(default=None, max_length=40)
    publicly_funded: bool = False


class SponsorSummary(BaseModel):
    id: str
    kind: str
    name: str

    @classmethod
    def of(cls, sponsor: Sponsor) -> SponsorSummary:
        return cls(id=sponsor.id, kind=sponsor.kind.value, name=sponsor.name)


class SponsorshipRead(BaseModel):
    id: str
    sponsor: SponsorSummary
    member_id: str
    from_month: str
    until_month: str | None
    consent: str = Field(description="pending | given | awaiting_approval | attested")
    consent_label: str

    @classmethod
    def of(cls, sponsorship: Sponsorship, sponsor: Sponsor) -> SponsorshipRead:
        return cls(
            id=sponsorship.id,
            sponsor=SponsorSummary.of(sponsor),
            member_id=sponsorship.member_id,
            from_month=str(sponsorship.from_month),
            until_month=str(sponsorship.until_month) if sponsorship.until_month else None,
            consent=sponsorship.consent.value,
            consent_label=sponsorship.consent.label_id,
        )


class MemberRead(BaseModel):
    id: str
    kpj: str
    nik_masked: str
    nik: str | None = Field(
        default=None, description="The NIK in full: only for roles that check identity"
    )
    full_name: str
    birth_date: dt.date
    sex: str
    phone: str
    region_code: str
    address: str
    occupation: str
    occupation_label: str
    declared_income: int
    programs: list[str]
    publicly_funded: bool
    branch_code: str | None
    enrolled_on: dt.date
    status: str = Field(
        description="The membership today, from what was paid (Perdir 22/PERDIR.02/072022, "
        "`bpu/arrears.yaml`): menunggu (first payment not settled), aktif, menunggak (in the "
        "arrears window), berakhir, nonaktif; per programme and at any moment: "
        "GET /members/{id}/coverage"
    )
    status_label: str
    sponsor: SponsorSummary | None
    sponsorship: SponsorshipRead | None
    monthly_contribution: BpuQuoteRead

    @classmethod
    def of(
        cls, card: MemberCard, status: MembershipStatus, *, full_nik: bool = False
    ) -> MemberRead:
        m = card.member
        return cls(
            id=m.id,
            kpj=m.kpj,
            nik_masked=mask_nik(m.nik),
            nik=m.nik if full_nik else None,
            full_name=m.full_name,
            birth_date=m.birth_date,
            sex=m.sex.value,
            phone=m.phone,
            region_code=m.region_code,
            address=m.address,
            occupation=m.occupation,
            occupation_label=occupation(m.occupation).label_id,
            declared_income=m.declared_income,
            programs=list(m.programs),
            publicly_funded=m.publicly_funded,
            branch_code=m.branch_code,
            enrolled_on=m.enrolled_on,
            status=status.value,
            status_label=status.label_id,
            sponsor=SponsorSummary.of(card.sponsor) if card.sponsor else None,
            sponsorship=(
                SponsorshipRead.of(card.sponsorship, card.sponsor)
                if card.sponsorship and card.sponsor
                else None
            ),
            monthly_contribution=BpuQuoteRead.of(card.quote),
        )


class MemberHit(BaseModel):
    id: str
    kpj_masked: str
    full_name: str
    region_code: str

    @classmethod
    def of(cls, member: Member) -> MemberHit:
        return cls(
            id=member.id,
            kpj_masked=mask_kpj(member.kpj),
            full_name=member.full_name,
            region_code=member.region_code,
        )


class SponsorCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(max_length=10, description="person (NIK) or business (NIB)")
    name: str = Field(max_length=200)
    phone: str = Field(max_length=30)
    region_code: str = Field(max_length=20)
    address: str = Field(default="", max_length=200)
    nik: str | None = Field(default=None, max_length=40)
    nib: str | None = Field(default=None, max_length=40)
    phone_code: str = Field(
        max_length=12,
        description=(
            "The code sent to `phone` by POST /api/v1/sponsors/phone-code: proves the phone "
            "belongs to the sponsor (single use, expires after 5 minutes)"
        ),
    )


class SponsoredWorker(BaseModel):
    member_id: str
    kpj: str
    full_name: str
    occupation_label: str
    monthly: BpuQuoteRead
    sponsorship_id: str | None
    consent: str | None


class SponsorRead(BaseModel):
    id: str
    kind: str
    name: str
    phone: str
    region_code: str
    address: str
    workers: list[SponsoredWorker]
    monthly_total: int

    @classmethod
    def of(cls, sheet: SponsorSheet) -> SponsorRead:
        s = sheet.sponsor
        return cls(
            id=s.id,
            kind=s.kind.value,
            name=s.name,
            phone=s.phone,
            region_code=s.region_code,
            address=s.address,
            workers=[
                SponsoredWorker(
                    member_id=card.member.id,
                    kpj=card.member.kpj,
                    full_name=card.member.full_name,
                    occupation_label=occupation(card.member.occupation).label_id,
                    monthly=BpuQuoteRead.of(card.quote),
                    sponsorship_id=card.sponsorship.id if card.sponsorship else None,
                    consent=card.sponsorship.consent.value if card.sponsorship else None,
                )
                for card in sheet.workers
            ],
            monthly_total=sheet.monthly_total,
        )


class MemberSearch(BaseModel):
    """A search is POSTed, so a NIK typed into it never lands in a URL or an access log."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(min_length=1, max_length=100, description="NIK, KPJ or part of a name")


class TokenRead(BaseModel):
    """OAuth2 access token response (RFC 6749 §5.1)."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class CodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str = Field(max_length=30, examples=["0812-3456-7890"])


class CodeSignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str = Field(max_length=30)
    code: str = Field(max_length=12)
    role: str | None = Field(default=None, max_length=10, description="worker or sponsor")


class ConsentConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(max_length=12)


class Attestation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=300)


class MemberCorrectionCreate(BaseModel):
    """An officer's correction of a member's name, phone and address, with the reason (kept
    in the audit trail). Every field is checked as at enrolment."""

    model_config = ConfigDict(extra="forbid")

    full_name: str = Field(max_length=100)
    phone: str = Field(max_length=30)
    region_code: str = Field(max_length=20, description="Village (desa/kelurahan) code")
    address: str = Field(default="", max_length=200)
    reason: str = Field(max_length=300)


class MemberCorrected(BaseModel):
    """The member's corrected details (the phone as written, E.164)."""

    id: str
    full_name: str
    phone: str
    region_code: str
    address: str
    branch_code: str | None

    @classmethod
    def of(cls, member: Member) -> MemberCorrected:
        return cls(
            id=member.id,
            full_name=member.full_name,
            phone=member.phone,
            region_code=member.region_code,
            address=member.address,
            branch_code=member.branch_code,
        )


class TermsCreate(BaseModel):
    """A member's new income level and programmes, from next month (this month's invoice
    keeps its terms)."""

    model_config = ConfigDict(extra="forbid")

    declared_income: int = Field(strict=True, examples=[1000000])
    programs: list[str] = Field(max_length=5, examples=[["JKK", "JKM", "JHT"]])


class TermsRead(BaseModel):
    """What next month costs as things stand (`current`) and with the new terms (`new`), each
    with the PP 50/2025 discount as the quote applies it; `from_month` is when they apply."""

    member_id: str
    from_month: str = Field(description="YYYY-MM")
    current: BpuQuoteRead
    new: BpuQuoteRead

    @classmethod
    def of(cls, preview: TermsPreview) -> TermsRead:
        return cls(
            member_id=preview.member.id,
            from_month=str(preview.from_month),
            current=BpuQuoteRead.of(preview.current),
            new=BpuQuoteRead.of(preview.new),
        )


class SponsorshipRequestCreate(BaseModel):
    """Sponsor a worker whose NIK is enrolled already: the consent code goes to the phone on
    the member's record, as at enrolment (a sponsor: only as themselves)."""

    model_config = ConfigDict(extra="forbid")

    sponsor_id: str = Field(max_length=40)
    nik: str = Field(max_length=24)


class SponsorshipRequestRead(BaseModel):
    sponsorship: SponsorshipRead
    kpj_masked: str = Field(description="The member's KPJ, masked")


class SponsorshipEnd(BaseModel):
    """Ending a sponsorship: from which month the sponsor no longer pays (this month or the
    next; never the sponsorship's first month). Left out: the next month."""

    model_config = ConfigDict(extra="forbid")

    from_month: str | None = Field(
        default=None, pattern=r"^20\d{2}-(0[1-9]|1[0-2])$", examples=["2026-12"]
    )


class SponsorshipEnding(BaseModel):
    """What ending a sponsorship would do, before it is confirmed."""

    sponsorship_id: str
    from_month: str = Field(description="The first month the worker pays themselves")
    choices: list[str] = Field(description="The months it may end from")
    worker_due_on: dt.date = Field(description="The deadline of that month's contribution")
    grace_months: int = Field(description="Arrears payable for at most this many months")
    ends_after_unpaid_months: int = Field(
        description="More consecutive unpaid months than this end the membership"
    )
    reference: str


USERNAME_MAX = 40
PASSWORD_MAX = 128  # NIST SP 800-63B §5.1.1.2: at least 64 allowed


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str = Field(max_length=20, description="agent | officer | supervisor | auditor | admin")
    username: str = Field(max_length=USERNAME_MAX)
    password: str = Field(max_length=PASSWORD_MAX)
    display_name: str = Field(default="", max_length=100)
    branch_code: str | None = Field(default=None, max_length=32)


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str = Field(max_length=20)
    branch_code: str | None = Field(default=None, max_length=32)


class AccountRead(BaseModel):
    id: str
    role: str
    display_name: str
    username: str | None
    branch_code: str | None
    is_active: bool

    @classmethod
    def of(cls, account: Account) -> AccountRead:
        return cls(
            id=account.id,
            role=account.role.value,
            display_name=account.display_name,
            username=account.username,
            branch_code=account.branch_code,
            is_active=account.is_active,
        )


class Me(BaseModel):
    account_id: str
    role: str
    display_name: str
    branch_code: str | None
    member_id: str | None
    sponsor_id: str | None


class AuditEventRead(BaseModel):
    id: str = Field(description="UUIDv7 as 32 hex digits: unique across branches, time-ordered")
    at: dt.datetime
    action: str
    entity_type: str
    entity_id: str
    actor_account_id: str | None
    actor_role: str
    request_id: str
    outcome: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str

    @classmethod
    def of(cls, e: AuditEvent) -> AuditEventRead:
        return cls(
            id=e.id,
            at=e.at,
            action=e.action,
            entity_type=e.entity_type,
            entity_id=e.entity_id,
            actor_account_id=e.actor_account_id,
            actor_role=e.actor_role,
            request_id=e.request_id,
            outcome=e.outcome.value,
            before=dict(e.before) if e.before is not None else None,
            after=dict(e.after) if e.after is not None else None,
            reason=e.reason,
        )
