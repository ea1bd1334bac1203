"""`/api/v1/members`: enrol, search (POST: a NIK never goes into a URL), read, sponsorships."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from starlette.concurrency import run_in_threadpool

from sertakan.access.actor import Actor
from sertakan.access.permissions import Permission
from sertakan.access.scope import sees_full_nik
from sertakan.api.problems import responses
from sertakan.api.schemas import (
    MemberCorrected,
    MemberCorrectionCreate,
    MemberCreate,
    MemberHit,
    MemberRead,
    MemberSearch,
    SponsorshipRead,
    TermsCreate,
    TermsRead,
)
from sertakan.http.auth import Authorize, Requires, RequiresOnThread, client_ip, container_of
from sertakan.registry.model import MemberTerms
from sertakan.registry.service import EnrolmentApplication, MemberCorrection
from sertakan.regulation.standing import MembershipStatus

router = APIRouter(prefix="/members", tags=["members"])


@router.post(
    "",
    response_model=MemberRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(404, 422, 429, s409="The NIK is enrolled already"),
)
def enrol_member(
    request: Request,
    body: MemberCreate,
    actor: Annotated[Actor, Depends(Requires(Permission.MEMBER_ENROL))],
) -> MemberRead:
    """Enrol a BPU worker. With `sponsor_id`, a consent code goes to the worker's phone."""
    card = container_of(request).registry.enrol_member(
        actor,
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
        ),
        client_ip=client_ip(request),
    )
    # Enrolled just now: nothing is paid yet (cover starts at the first payment, policy P4).
    return MemberRead.of(card, MembershipStatus.MENUNGGU, full_nik=sees_full_nik(actor))


@router.post("/search", response_model=list[MemberHit], responses=responses(422))
def find_members(
    request: Request,
    body: MemberSearch,
    actor: Annotated[Actor, Depends(Requires(Permission.MEMBER_SEARCH))],
) -> list[MemberHit]:
    """Find members by NIK (16 digits), KPJ (11 digits) or part of the name (staff: their
    branch only)."""
    return [MemberHit.of(m) for m in container_of(request).registry.find_members(actor, body.q)]


@router.get("/{member_id}", response_model=MemberRead)
async def get_member(
    request: Request,
    member_id: str,
    authorize: Annotated[Authorize, Depends(RequiresOnThread(Permission.MEMBER_READ))],
) -> MemberRead:
    container = container_of(request)

    def read() -> MemberRead:
        actor = authorize()  # the token, its account and the permission, on this thread
        # The card (it checks the actor's scope) and the status, in one read-only transaction.
        card, status = container.coverage.card(actor, member_id, container.registry)
        return MemberRead.of(card, status, full_nik=sees_full_nik(actor))

    # The busiest read (issue 12): one thread hop for the sign-in and the read together, where
    # an async permission check and a sync route took one each.
    return await run_in_threadpool(read)


@router.get("/{member_id}/sponsorships", response_model=list[SponsorshipRead])
def member_sponsorships(
    request: Request,
    member_id: str,
    actor: Annotated[Actor, Depends(Requires(Permission.MEMBER_READ))],
) -> list[SponsorshipRead]:
    """Who sponsors (or sponsored) this worker, newest first, with the consent status."""
    lines = container_of(request).sponsorships.for_member(actor, member_id)
    return [SponsorshipRead.of(line.sponsorship, line.sponsor) for line in lines]


@router.post("/{member_id}/correction", response_model=MemberCorrected, responses=responses(422))
def correct_member(
    request: Request,
    member_id: str,
    body: MemberCorrectionCreate,
    actor: Annotated[Actor, Depends(Requires(Permission.MEMBER_CORRECT))],
) -> MemberCorrected:
    """Branch staff correct a member's name, phone and address with a reason (audited before
    and after); the worker's account follows the corrected phone."""
    changed = container_of(request).registry.correct_member(
        actor,
        member_id,
        MemberCorrection(
            full_name=body.full_name,
            phone=body.phone,
            region_code=body.region_code,
            address=body.address,
            reason=body.reason,
        ),
    )
    return MemberCorrected.of(changed)


@router.get("/{member_id}/terms", response_model=TermsRead, responses=responses(404, 422))
def preview_terms(
    request: Request,
    member_id: str,
    actor: Annotated[Actor, Depends(Requires(Permission.MEMBER_TERMS))],
    income_level: Annotated[int, Query(description="The new declared income, rupiah")],
    programmes: Annotated[
        list[str], Query(max_length=5, description="The new programmes (JKK and JKM, JHT optional)")
    ],
) -> TermsRead:
    """The price of a change of income level or programmes from next month, beside next
    month's price as things stand; nothing changes."""
    preview = container_of(request).registry.preview_terms(
        actor, member_id, MemberTerms(income_level, tuple(programmes))
    )
    return TermsRead.of(preview)


@router.post("/{member_id}/terms", response_model=TermsRead, responses=responses(404, 422))
def change_terms(
    request: Request,
    member_id: str,
    body: TermsCreate,
    actor: Annotated[Actor, Depends(Requires(Permission.MEMBER_TERMS))],
) -> TermsRead:
    """Change the income level and programmes from next month: the sponsor who pays, the
    worker paying for themselves, or the member's branch staff (audited before and after).
    This month's invoice keeps its terms."""
    changed = container_of(request).registry.change_terms(
        actor, member_id, MemberTerms(body.declared_income, tuple(body.programs))
    )
    return TermsRead.of(changed)
