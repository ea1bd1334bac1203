"""The worker's consent to a sponsorship, on pages (issue 4 "Consent").

`/persetujuan/{id}`: the code sent to the worker's phone is entered here (by the worker, or by
the sponsor with the worker beside them). The page shows only the sponsor's name and the
worker's first name: holding the link is not holding the code. Staff attest consent with a
reason; a supervisor approves an officer's attestation at `/persetujuan`. A worker (or staff)
ends a sponsorship from the member page, through `/persetujuan/{id}/akhiri`, which asks first
and says what happens next (issue 16).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sertakan.access.permissions import Permission
from sertakan.http.auth import Requires, client_ip, current_actor
from sertakan.kernel.errors import Conflict, RuleViolation, Unauthorized
from sertakan.kernel.periods import Month
from sertakan.registry.sponsorships import SponsorshipLine, SponsorshipNotFound
from sertakan.web import forms
from sertakan.web.error_pages import N_, render_error
from sertakan.web.state import container_of, web_state

router = APIRouter()
CONFIRM = Depends(Requires(Permission.CONSENT_CONFIRM))


def _line(request: Request, sponsorship_id: str) -> SponsorshipLine | None:
    try:
        return container_of(request).sponsorships.line(sponsorship_id)
    except SponsorshipNotFound:
        return None


@router.get(
    "/persetujuan/{sponsorship_id}",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[CONFIRM],
)
def consent_form(request: Request, sponsorship_id: str) -> Response:
    line = _line(request, sponsorship_id)
    if line is None:
        return render_error(request, 404, [N_("Data tidak ditemukan")])
    return _render(request, line, "")


@router.post("/persetujuan/{sponsorship_id}", include_in_schema=False, dependencies=[CONFIRM])
async def confirm(request: Request, sponsorship_id: str) -> Response:
    form = await request.form()
    line = _line(request, sponsorship_id)
    if line is None:
        return render_error(request, 404, [N_("Data tidak ditemukan")])
    renderer = web_state(request).renderer
    try:
        container_of(request).sponsorships.confirm(
            current_actor(request), sponsorship_id, forms.text(form, "code", 12)
        )
    except Unauthorized as refused:
        return _render(request, line, renderer.gettext(request, refused.message_id), 401)
    except Conflict as settled:
        return _render(request, line, renderer.gettext(request, settled.message_id), 409)
    return RedirectResponse(f"/persetujuan/{sponsorship_id}", status_code=303)


@router.post(
    "/persetujuan/{sponsorship_id}/kirim-ulang",
    include_in_schema=False,
    dependencies=[Depends(Requires(Permission.CONSENT_RESEND))],
)
def resend(request: Request, sponsorship_id: str) -> Response:
    container_of(request).sponsorships.resend_code(
        current_actor(request), sponsorship_id, client_ip(request)
    )
    return RedirectResponse(f"/persetujuan/{sponsorship_id}?dikirim=1", status_code=303)


@router.post(
    "/persetujuan/{sponsorship_id}/pernyataan",
    include_in_schema=False,
    dependencies=[Depends(Requires(Permission.CONSENT_ATTEST))],
)
async def attest(request: Request, sponsorship_id: str) -> Response:
    form = await request.form()
    service = container_of(request).sponsorships
    try:
        changed = service.attest(
            current_actor(request), sponsorship_id, forms.text(form, "reason", 300)
        )
    except RuleViolation as error:
        return render_error(request, 422, [v.message_id for v in error.violations])
    return RedirectResponse(f"/peserta/{changed.member_id}", status_code=303)


@router.get(
    "/persetujuan",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(Requires(Permission.CONSENT_APPROVE))],
)
def approvals(request: Request) -> HTMLResponse:
    lines = container_of(request).sponsorships.awaiting_approval(current_actor(request))
    return web_state(request).renderer.render(request, "approvals.html", {"lines": lines})


@router.post(
    "/persetujuan/{sponsorship_id}/setujui",
    include_in_schema=False,
    dependencies=[Depends(Requires(Permission.CONSENT_APPROVE))],
)
def approve(request: Request, sponsorship_id: str) -> Response:
    container_of(request).sponsorships.approve(current_actor(request), sponsorship_id)
    return RedirectResponse("/persetujuan", status_code=303)


END = Depends(Requires(Permission.SPONSORSHIP_END))


@router.get(
    "/persetujuan/{sponsorship_id}/akhiri",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[END],
)
def end_form(request: Request, sponsorship_id: str) -> Response:
    """Ending asks first (issue 16): from which month, and what the worker then owes."""
    return _end_page(request, sponsorship_id, None, "")


@router.post("/persetujuan/{sponsorship_id}/akhiri", include_in_schema=False, dependencies=[END])
async def end(request: Request, sponsorship_id: str) -> Response:
    form = await request.form()
    month = _month(forms.text(form, "mulai", 7))
    if month is None:  # not sent from the page that asks first: ask
        return _end_page(request, sponsorship_id, None, N_("Pilih bulan sponsor berakhir"), 422)
    try:
        changed = container_of(request).sponsorships.end(
            current_actor(request), sponsorship_id, month
        )
    except RuleViolation as error:
        lang = web_state(request).renderer.locale(request)
        return _end_page(
            request, sponsorship_id, None, forms.message_for(error.violations[0], lang), 422
        )
    return RedirectResponse(
        f"/peserta/{changed.member_id}?sponsor_berakhir={month}", status_code=303
    )


def _end_page(
    request: Request, sponsorship_id: str, month: Month | None, error: str, status_code: int = 200
) -> Response:
    service = container_of(request).sponsorships
    actor = current_actor(request)
    try:
        first = service.ending(actor, sponsorship_id, month)
    except SponsorshipNotFound:
        return render_error(request, 404, [N_("Data tidak ditemukan")])
    except Conflict as ended:
        return render_error(request, 409, [ended.message_id])
    endings = [
        first if choice == first.from_month else service.ending(actor, sponsorship_id, choice)
        for choice in first.choices
    ]
    context: dict[str, Any] = {
        "line": first.line,
        "endings": endings,
        "chosen": first.from_month,
        "error": error,
    }
    return web_state(request).renderer.render(
        request, "sponsorship_end.html", context, status_code=status_code
    )


def _month(text: str) -> Month | None:
    try:
        return Month.parse(text) if text else None
    except ValueError:
        return None


def _render(
    request: Request, line: SponsorshipLine, error: str, status_code: int = 200
) -> HTMLResponse:
    context: dict[str, Any] = {
        "line": line,
        "first_name": line.member.full_name.split()[0],
        "error": error,
        "resent": request.query_params.get("dikirim") == "1",
    }
    return web_state(request).renderer.render(
        request, "consent.html", context, status_code=status_code
    )
