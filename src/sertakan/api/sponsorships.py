"""`/api/v1/sponsorships`: sponsoring a worker enrolled already; `/{id}/...`: the worker's
consent, a staff attestation, its approval, and ending a sponsorship."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from sertakan.access.actor import Actor
from sertakan.access.permissions import Permission
from sertakan.api.problems import responses
from sertakan.api.schemas import (
    Attestation,
    ConsentConfirm,
    SponsorshipEnd,
    SponsorshipEnding,
    SponsorshipRead,
    SponsorshipRequestCreate,
    SponsorshipRequestRead,
)
from sertakan.http.auth import Requires, client_ip, container_of
from sertakan.kernel.periods import Month
from sertakan.registry.model import Sponsorship

router = APIRouter(prefix="/sponsorships", tags=["sponsorships"])
MONTH = r"^20\d{2}-(0[1-9]|1[0-2])$"


def _read(request: Request, sponsorship: Sponsorship) -> SponsorshipRead:
    line = container_of(request).sponsorships.line(sponsorship.id)
    return SponsorshipRead.of(line.sponsorship, line.sponsor)


@router.post(
    "",
    response_model=SponsorshipRequestRead,
    status_code=status.HTTP_201_CREATED,
    responses=responses(409, 422, 429),
)
def request_sponsorship(
    request: Request,
    body: SponsorshipRequestCreate,
    actor: Annotated[Actor, Depends(Requires(Permission.MEMBER_ENROL))],
) -> SponsorshipRequestRead:
    """Sponsor a worker enrolled already (the enrolment answered 409 "already enrolled"):
    the worker's consent is asked with a code sent to the phone on their record; until then
    the sponsor sees nothing of the record but the masked KPJ."""
    asked = container_of(request).registry.sponsor_enrolled(
        actor, body.sponsor_id, body.nik, client_ip=client_ip(request)
    )
    return SponsorshipRequestRead(
        sponsorship=SponsorshipRead.of(asked.sponsorship, asked.sponsor),
        kpj_masked=asked.kpj_masked,
    )


@router.post(
    "/{sponsorship_id}/consent",
    response_model=SponsorshipRead,
    responses=responses(409, 422, 429, s401="The code is wrong, expired or used"),
)
def confirm_consent(
    request: Request,
    sponsorship_id: str,
    body: ConsentConfirm,
    actor: Annotated[Actor, Depends(Requires(Permission.CONSENT_CONFIRM))],
) -> SponsorshipRead:
    """The worker's consent: the code sent to their phone. Wrong, expired or reused: 401."""
    changed = container_of(request).sponsorships.confirm(actor, sponsorship_id, body.code)
    return _read(request, changed)


@router.post(
    "/{sponsorship_id}/consent/resend",
    status_code=status.HTTP_202_ACCEPTED,
    responses=responses(409, 429),
)
def resend_consent_code(
    request: Request,
    sponsorship_id: str,
    actor: Annotated[Actor, Depends(Requires(Permission.CONSENT_RESEND))],
) -> dict[str, str]:
    """A fresh consent code to the worker's phone: the sponsor of this sponsorship, the
    worker, or staff of the worker's branch (anyone else: 403)."""
    container_of(request).sponsorships.resend_code(actor, sponsorship_id, client_ip(request))
    return {"detail": "A new code was sent to the worker's phone"}


@router.post(
    "/{sponsorship_id}/attest", response_model=SponsorshipRead, responses=responses(409, 422)
)
def attest_consent(
    request: Request,
    sponsorship_id: str,
    body: Attestation,
    actor: Annotated[Actor, Depends(Requires(Permission.CONSENT_ATTEST))],
) -> SponsorshipRead:
    """Staff attest the worker's consent with a reason; an officer's waits for a supervisor."""
    changed = container_of(request).sponsorships.attest(actor, sponsorship_id, body.reason)
    return _read(request, changed)


@router.post(
    "/{sponsorship_id}/approve", response_model=SponsorshipRead, responses=responses(409, 422)
)
def approve_attestation(
    request: Request,
    sponsorship_id: str,
    actor: Annotated[Actor, Depends(Requires(Permission.CONSENT_APPROVE))],
) -> SponsorshipRead:
    changed = container_of(request).sponsorships.approve(actor, sponsorship_id)
    return _read(request, changed)


@router.get(
    "/{sponsorship_id}/end",
    response_model=SponsorshipEnding,
    responses=responses(409, 422),
)
def preview_end(
    request: Request,
    sponsorship_id: str,
    actor: Annotated[Actor, Depends(Requires(Permission.SPONSORSHIP_END))],
    from_month: Annotated[str | None, Query(pattern=MONTH)] = None,
) -> SponsorshipEnding:
    """What ending the sponsorship from `from_month` (default: next month) would do: the
    worker pays that month themselves by its deadline, or falls into arrears and lapses under
    the arrears rules. Nothing changes."""
    ending = container_of(request).sponsorships.ending(actor, sponsorship_id, _month(from_month))
    return SponsorshipEnding(
        sponsorship_id=sponsorship_id,
        from_month=str(ending.from_month),
        choices=[str(m) for m in ending.choices],
        worker_due_on=ending.due_on,
        grace_months=ending.grace_months,
        ends_after_unpaid_months=ending.ends_after,
        reference=ending.reference,
    )


@router.post("/{sponsorship_id}/end", response_model=SponsorshipRead, responses=responses(409, 422))
def end_sponsorship(
    request: Request,
    sponsorship_id: str,
    actor: Annotated[Actor, Depends(Requires(Permission.SPONSORSHIP_END))],
    body: SponsorshipEnd | None = None,
) -> SponsorshipRead:
    """End a sponsorship from `from_month` (this month or the next; default the next): the
    worker, or branch staff. The sponsor and the worker get an SMS; the sponsor's unpaid
    invoices drop the worker from that month (a paid or partly paid invoice never changes)."""
    month = _month(body.from_month if body is not None else None)
    changed = container_of(request).sponsorships.end(actor, sponsorship_id, month)
    return _read(request, changed)


def _month(text: str | None) -> Month | None:
    return Month.parse(text) if text else None
