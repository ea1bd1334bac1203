"""`/api/v1/sponsors`: register a sponsor, read a sponsor's sheet of workers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from sertakan.access.actor import Actor
from sertakan.access.permissions import Permission
from sertakan.api.schemas import CodeRequest, SponsorCreate, SponsorRead
from sertakan.http.auth import Requires, client_ip, container_of
from sertakan.registry.phones import normalize_mobile
from sertakan.registry.service import SponsorApplication, SponsorSheet

router = APIRouter(prefix="/sponsors", tags=["sponsors"])


@router.post(
    "/phone-code",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        422: {"description": "Not a mobile number"},
        429: {"description": "Too many sign-ups from this address or for this phone"},
    },
)
def request_phone_code(
    request: Request,
    body: CodeRequest,
    actor: Annotated[Actor, Depends(Requires(Permission.SPONSOR_REGISTER))],
) -> dict[str, str]:
    """Step 1 of registering a sponsor: send the code that proves the phone by SMS. The
    person registering (or the officer at the counter, from them) passes it as `phone_code`
    to `POST /api/v1/sponsors`. Braked per client address (per account when signed in) and
    per phone: 429 with Retry-After."""
    phone = normalize_mobile(body.phone)
    container_of(request).access.request_phone_proof(
        phone, client=actor, client_ip=client_ip(request)
    )
    return {"detail": "A code was sent to this phone"}


@router.post(
    "",
    response_model=SponsorRead,
    status_code=status.HTTP_201_CREATED,
    responses={
        401: {"description": "The phone's code is wrong, expired or used (rule access.code.*)"},
        409: {"description": "Already registered"},
        422: {"description": "Rule broken (phone_code missing: access.phone_proof.required)"},
        429: {"description": "Too many sign-ups from this address or for this phone"},
    },
)
def register_sponsor(
    request: Request,
    body: SponsorCreate,
    actor: Annotated[Actor, Depends(Requires(Permission.SPONSOR_REGISTER))],
) -> SponsorRead:
    """Register a sponsor: a person (NIK) or a business/UMKM (NIB) paying for workers.
    Step 2, with `phone_code`, the code `POST /api/v1/sponsors/phone-code` sent to the
    phone: a phone belongs to those who proved it. The sponsor signs in afterwards with a
    code sent to that phone."""
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
            phone_code=body.phone_code,
        ),
        client_ip=client_ip(request),
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
