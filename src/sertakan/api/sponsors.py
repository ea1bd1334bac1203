"""`/api/v1/sponsors`: register a sponsor, read a sponsor's sheet of workers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from sertakan.access.actor import Actor
from sertakan.access.permissions import Permission
from sertakan.api.problems import responses
from sertakan.api.schemas import SponsorCreate, SponsorRead
from sertakan.http.auth import Requires, container_of
from sertakan.registry.service import SponsorApplication, SponsorSheet

router = APIRouter(prefix="/sponsors", tags=["sponsors"])


@router.post(
    "",
    response_model=SponsorRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(422, 429, s409="The sponsor is registered already"),
)
def register_sponsor(
    request: Request,
    body: SponsorCreate,
    actor: Annotated[Actor, Depends(Requires(Permission.SPONSOR_REGISTER))],
) -> SponsorRead:
    """Register a sponsor: a person (NIK) or a business/UMKM (NIB) paying for workers. The
    sponsor signs in afterwards with a code sent to the phone given here."""
    registry = container_of(request).registry
    sponsor = registry.register_sponsor(
        actor,
        SponsorApplication(
            kind=body.kind,
            name=body.name,
            phone=body.phone,
            region_code=body.region_code,
            address=body.address,
            nik=body.nik,
            nib=body.nib,
        ),
    )
    return SponsorRead.of(SponsorSheet(sponsor, (), 0))  # a new sponsor pays for no one yet


@router.get("/{sponsor_id}", response_model=SponsorRead)
def get_sponsor(
    request: Request,
    sponsor_id: str,
    actor: Annotated[Actor, Depends(Requires(Permission.SPONSOR_READ))],
) -> SponsorRead:
    """A sponsor, every worker they pay for with the monthly cost, and the monthly total."""
    return SponsorRead.of(container_of(request).registry.sponsor_sheet(actor, sponsor_id))
