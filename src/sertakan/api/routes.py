"""The `/api/v1` routes. Each one is a thin translation between HTTP and a service call."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from sertakan.api.schemas import (
    BpuQuoteRead,
    MemberCreate,
    MemberHit,
    MemberRead,
    PuQuoteRead,
    SponsorCreate,
    SponsorRead,
)
from sertakan.bootstrap import Container
from sertakan.registry.service import EnrolmentApplication, SponsorApplication
from sertakan.regulation.contributions import quote_bpu, quote_pu

router = APIRouter(prefix="/api/v1")


def _container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def _programs(text: str) -> tuple[str, ...]:
    return tuple(part.strip().upper() for part in text.split(",") if part.strip())


@router.get("/contributions/bpu", response_model=BpuQuoteRead, tags=["contributions"])
def bpu_contribution(
    request: Request,
    declared_income: Annotated[int, Query(description="Declared monthly income, rupiah")],
    programs: Annotated[str, Query(description="Comma-separated: JKK,JKM or JKK,JKM,JHT")] = (
        "JKK,JKM"
    ),
    on: Annotated[dt.date | None, Query(description="Date the quote applies on")] = None,
    sector: Annotated[str, Query(description="transport or other (PP 50/2025)")] = "other",
    publicly_funded: Annotated[bool, Query(description="JKK+JKM paid from APBN/APBD")] = False,
) -> BpuQuoteRead:
    """What a BPU (informal) worker's cover costs per month, part by part, with its law."""
    container = _container(request)
    quote = quote_bpu(
        container.params,
        declared_income=declared_income,
        on=on or container.clock.today(),
        programs=_programs(programs),
        sector=sector,
        publicly_funded=publicly_funded,
    )
    return BpuQuoteRead.of(quote)


@router.get("/contributions/pu", response_model=PuQuoteRead, tags=["contributions"])
def pu_contribution(
    request: Request,
    wage: Annotated[int, Query(description="Monthly wage, rupiah")],
    risk_class: Annotated[str, Query(description="very_low|low|medium|high|very_high")],
    on: Annotated[dt.date | None, Query()] = None,
    in_jkp: Annotated[bool, Query(description="Registered in JKP (job-loss cover)")] = False,
) -> PuQuoteRead:
    """A wage earner's (PU) contributions: employer and worker shares per programme."""
    container = _container(request)
    quote = quote_pu(
        container.params,
        wage=wage,
        risk_class=risk_class,
        on=on or container.clock.today(),
        in_jkp=in_jkp,
    )
    return PuQuoteRead.of(quote)


@router.post(
    "/members",
    response_model=MemberRead,
    status_code=status.HTTP_201_CREATED,
    tags=["members"],
    responses={409: {"description": "NIK already enrolled"}, 422: {"description": "Rule broken"}},
)
def enrol_member(request: Request, body: MemberCreate) -> MemberRead:
    """Enrol a BPU worker, optionally paid for by a sponsor."""
    card = _container(request).registry.enrol_member(
        EnrolmentApplication(
            nik=body.nik,
            full_name=body.full_name,
            birth_date=body.birth_date,
            sex=body.sex,
            phone=body.phone,
            region_code=body.region_code,
            address=body.address,
            occupation=body.occupation,
            declared_income=body.declared_income,
            programs=tuple(p.upper() for p in body.programs),
            sponsor_id=body.sponsor_id,
            publicly_funded=body.publicly_funded,
        )
    )
    return MemberRead.of(card)


@router.get("/members", response_model=list[MemberHit], tags=["members"])
def find_members(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=100, description="NIK, KPJ or name")],
) -> list[MemberHit]:
    """Find members by NIK (16 digits), KPJ (11 digits) or part of the name."""
    return [MemberHit.of(m) for m in _container(request).registry.find_members(q)]


@router.get("/members/{member_id}", response_model=MemberRead, tags=["members"])
def get_member(request: Request, member_id: str) -> MemberRead:
    return MemberRead.of(_container(request).registry.member_card(member_id))


@router.post(
    "/sponsors",
    response_model=SponsorRead,
    status_code=status.HTTP_201_CREATED,
    tags=["sponsors"],
    responses={409: {"description": "Already registered"}, 422: {"description": "Rule broken"}},
)
def register_sponsor(request: Request, body: SponsorCreate) -> SponsorRead:
    """Register a sponsor: a person (NIK) or a business/UMKM (NIB) paying for workers."""
    registry = _container(request).registry
    sponsor = registry.register_sponsor(
        SponsorApplication(
            kind=body.kind,
            name=body.name,
            phone=body.phone,
            region_code=body.region_code,
            address=body.address,
            nik=body.nik,
            nib=body.nib,
        )
    )
    return SponsorRead.of(registry.sponsor_sheet(sponsor.id))


@router.get("/sponsors/{sponsor_id}", response_model=SponsorRead, tags=["sponsors"])
def get_sponsor(request: Request, sponsor_id: str) -> SponsorRead:
    """A sponsor, every worker they pay for with the monthly cost, and the monthly total."""
    return SponsorRead.of(_container(request).registry.sponsor_sheet(sponsor_id))
