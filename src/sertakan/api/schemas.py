"""Pydantic schemas of the API: `...Create` comes in, `...Read` goes out."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from sertakan.registry.kpj import mask_kpj
from sertakan.registry.model import Member, Sponsor
from sertakan.registry.nik import mask_nik
from sertakan.registry.occupations import occupation
from sertakan.registry.service import MemberCard, SponsorSheet
from sertakan.regulation.contributions import BpuQuote, PuQuote, Reference


class DiscountRead(BaseModel):
    code: str
    description: str
    description_id: str
    programs: list[str]
    factor: str
    amount_off: int
    reference: str


class ReferenceRead(BaseModel):
    topic: str
    regulation: str
    source: str
    status: str

    @classmethod
    def of(cls, reference: Reference) -> ReferenceRead:
        return cls(
            topic=reference.program_or_topic,
            regulation=reference.regulation,
            source=reference.source,
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


class MemberRead(BaseModel):
    id: str
    kpj: str
    nik_masked: str
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
    status: str
    status_label: str
    sponsor: SponsorSummary | None
    monthly_contribution: BpuQuoteRead

    @classmethod
    def of(cls, card: MemberCard) -> MemberRead:
        m = card.member
        return cls(
            id=m.id,
            kpj=m.kpj,
            nik_masked=mask_nik(m.nik),
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
            status=m.status.value,
            status_label=m.status.label_id,
            sponsor=SponsorSummary.of(card.sponsor) if card.sponsor else None,
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


class SponsoredWorker(BaseModel):
    member_id: str
    kpj: str
    full_name: str
    occupation_label: str
    monthly: BpuQuoteRead


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
                )
                for card in sheet.workers
            ],
            monthly_total=sheet.monthly_total,
        )
