"""`/api/v1/sponsorships/{id}/...`: the worker's consent, a staff attestation, its approval,
and ending a sponsorship."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from sertakan.access.actor import Actor
from sertakan.access.permissions import Permission
from sertakan.api.schemas import Attestation, ConsentConfirm, SponsorshipRead
from sertakan.http.auth import Requires, client_ip, container_of
from sertakan.registry.model import Sponsorship

router = APIRouter(prefix="/sponsorships", tags=["sponsorships"])


def _read(request: Request, sponsorship: Sponsorship) -> SponsorshipRead:
    line = container_of(request).sponsorships.line(sponsorship.id)
    return SponsorshipRead.of(line.sponsorship, line.sponsor)


@router.post("/{sponsorship_id}/consent", response_model=SponsorshipRead)
def confirm_consent(
    request: Request,
    sponsorship_id: str,
    body: ConsentConfirm,
    actor: Annotated[Actor, Depends(Requires(Permission.CONSENT_CONFIRM))],
) -> SponsorshipRead:
    """The worker's consent: the code sent to their phone. Wrong, expired or reused: 401."""
    changed = container_of(request).sponsorships.confirm(actor, sponsorship_id, body.code)
    return _read(request, changed)


@router.post("/{sponsorship_id}/consent/resend", status_code=status.HTTP_202_ACCEPTED)
def resend_consent_code(
    request: Request,
    sponsorship_id: str,
    actor: Annotated[Actor, Depends(Requires(Permission.CONSENT_RESEND))],
) -> dict[str, str]:
    """A fresh consent code to the worker's phone: the sponsor of this sponsorship, the
    worker, or staff of the worker's branch (anyone else: 403)."""
    container_of(request).sponsorships.resend_code(actor, sponsorship_id, client_ip(request))
    return {"detail": "A new code was sent to the worker's phone"}


@router.post("/{sponsorship_id}/attest", response_model=SponsorshipRead)
def attest_consent(
    request: Request,
    sponsorship_id: str,
    body: Attestation,
    actor: Annotated[Actor, Depends(Requires(Permission.CONSENT_ATTEST))],
) -> SponsorshipRead:
    """Staff attest the worker's consent with a reason; an officer's waits for a supervisor."""
    changed = container_of(request).sponsorships.attest(actor, sponsorship_id, body.reason)
    return _read(request, changed)


@router.post("/{sponsorship_id}/approve", response_model=SponsorshipRead)
def approve_attestation(
    request: Request,
    sponsorship_id: str,
    actor: Annotated[Actor, Depends(Requires(Permission.CONSENT_APPROVE))],
) -> SponsorshipRead:
    changed = container_of(request).sponsorships.approve(actor, sponsorship_id)
    return _read(request, changed)


@router.post("/{sponsorship_id}/end", response_model=SponsorshipRead)
def end_sponsorship(
    request: Request,
    sponsorship_id: str,
    actor: Annotated[Actor, Depends(Requires(Permission.SPONSORSHIP_END))],
) -> SponsorshipRead:
    """End a sponsorship with the current month (the worker, or branch staff)."""
    changed = container_of(request).sponsorships.end(actor, sponsorship_id)
    return _read(request, changed)
