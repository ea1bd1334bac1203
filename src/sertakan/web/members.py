"""Member (peserta) pages: one member's card, and the branch staff's search.

Branch staff correct a member's name, phone and address at `/peserta/{id}/koreksi`, with a
reason kept in the audit trail (issue 16).

The member page shows the full KPJ (it is the member's own card) and the NIK masked, except to
the counter staff who check identity; it lists who sponsors the worker, with the consent and
the actions the reader may take. The search is POSTed, so a NIK never lands in a URL or an
access log (issue 4); results list only a masked KPJ, read over shoulders at the counter.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sertakan.access.permissions import Permission, allows
from sertakan.access.roles import Role
from sertakan.access.scope import sees_full_nik
from sertakan.http.auth import Requires, current_actor
from sertakan.kernel.errors import RuleViolation
from sertakan.kernel.periods import Month
from sertakan.registry.errors import MemberNotFound
from sertakan.registry.kpj import KPJ_LENGTH, mask_kpj
from sertakan.registry.model import Member
from sertakan.registry.nik import NIK_LENGTH, mask_nik
from sertakan.registry.occupations import occupation
from sertakan.registry.regions import Village
from sertakan.registry.service import MemberCorrection
from sertakan.web import forms
from sertakan.web.breakdown import Breakdown
from sertakan.web.error_pages import N_, render_error
from sertakan.web.forms import FormErrors
from sertakan.web.region_picker import LEVELS, Level, RegionChoice
from sertakan.web.state import container_of, web_state

router = APIRouter()

MIN_NAME_QUERY = 2  # RegistryService.find_members searches names from 2 characters
MAX_QUERY = 100


@dataclass(frozen=True, slots=True)
class Hit:
    member: Member
    kpj_masked: str
    village: Village | None


@router.get(
    "/peserta/{member_id}",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(Requires(Permission.MEMBER_READ))],
)
def member_page(request: Request, member_id: str) -> Response:
    container = container_of(request)
    actor = current_actor(request)
    try:
        card = container.registry.member_card(actor, member_id)
        lines = container.sponsorships.for_member(actor, member_id)
        cover = container.coverage.member(actor, member_id)  # the protection line
    except MemberNotFound:
        return render_error(request, 404, [N_("Peserta tidak ditemukan")])
    member = card.member
    return web_state(request).renderer.render(
        request,
        "member.html",
        {
            "card": card,
            "member": member,
            "nik_masked": member.nik if sees_full_nik(actor) else mask_nik(member.nik),
            "sponsorships": lines,
            "may_end": allows(actor.role, Permission.SPONSORSHIP_END),
            "may_attest": allows(actor.role, Permission.CONSENT_ATTEST),
            "month_now": Month.of(card.quote.on),
            "occupation": occupation(member.occupation),
            "village": container.regions.village(member.region_code),
            "breakdown": Breakdown.of(card.quote),
            "cover": cover,
            "ended_from": _month(request.query_params.get("sponsor_berakhir", "")),
            "corrected": request.query_params.get("dikoreksi") == "1",
            "may_correct": allows(actor.role, Permission.MEMBER_CORRECT),
            # Who pays sets the terms: a sponsored worker's are her sponsor's to change.
            "may_change_terms": allows(actor.role, Permission.MEMBER_TERMS)
            and not (actor.role is Role.WORKER and card.sponsor is not None),
            "terms_changed": request.query_params.get("iuran_diubah") == "1",
        },
    )


def _month(text: str) -> Month | None:
    """The month a sponsorship was just ended from (the redirect after ending says it)."""
    try:
        return Month.parse(text[:7]) if text else None
    except ValueError:
        return None


CORRECT = Depends(Requires(Permission.MEMBER_CORRECT))
CORRECTION_FIELDS = ("full_name", "phone", "region_code", "address", "reason")


@dataclass(frozen=True, slots=True)
class CorrectionForm:
    """What the officer typed, kept to fill the form again after an error."""

    full_name: str
    phone: str
    address: str
    reason: str = ""


@router.get(
    "/peserta/{member_id}/koreksi",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[CORRECT],
)
def correction_form(request: Request, member_id: str) -> Response:
    """Branch staff correct a member's name, phone and address, with a reason (issue 16)."""
    try:
        member = container_of(request).registry.member_card(current_actor(request), member_id)
    except MemberNotFound:
        return render_error(request, 404, [N_("Peserta tidak ditemukan")])
    typed = CorrectionForm(member.member.full_name, member.member.phone, member.member.address)
    region = RegionChoice.around(web_state(request).regions, member.member.region_code)
    return _render_correction(request, member.member, typed, region, FormErrors())


@router.post("/peserta/{member_id}/koreksi", include_in_schema=False, dependencies=[CORRECT])
async def correct(request: Request, member_id: str) -> Response:
    container = container_of(request)
    state = web_state(request)
    actor = current_actor(request)
    form = await request.form()
    typed = CorrectionForm(
        full_name=forms.text(form, "full_name"),
        phone=forms.text(form, "phone", 30),
        address=forms.text(form, "address"),
        reason=forms.text(form, "reason", 300),
    )
    region = RegionChoice.build(
        state.regions, {level: forms.text(form, level.value, 20) for level in LEVELS}
    )
    try:
        card = container.registry.member_card(actor, member_id)
        changed = container.registry.correct_member(
            actor,
            member_id,
            MemberCorrection(
                full_name=typed.full_name,
                phone=typed.phone,
                region_code=forms.text(form, Level.VILLAGE.value, 20),
                address=typed.address,
                reason=typed.reason,
            ),
        )
    except MemberNotFound:
        return render_error(request, 404, [N_("Peserta tidak ditemukan")])
    except RuleViolation as error:
        errors = FormErrors()
        errors.add_violations(error.violations, state.renderer.locale(request), CORRECTION_FIELDS)
        errors.sort(CORRECTION_FIELDS)
        return _render_correction(request, card.member, typed, region, errors, 422)
    return RedirectResponse(f"/peserta/{changed.id}?dikoreksi=1", status_code=303)


def _render_correction(
    request: Request,
    member: Member,
    typed: CorrectionForm,
    region: RegionChoice,
    errors: FormErrors,
    status_code: int = 200,
) -> HTMLResponse:
    context = {"member": member, "form": typed, "region": region, "errors": errors}
    return web_state(request).renderer.render(
        request, "member_correction.html", context, status_code=status_code
    )


SEARCH = Depends(Requires(Permission.MEMBER_SEARCH))


@router.get("/cari", response_class=HTMLResponse, include_in_schema=False, dependencies=[SEARCH])
def search_form(request: Request) -> HTMLResponse:
    return web_state(request).renderer.render(
        request, "search.html", {"query": "", "hits": [], "problem": "", "searched": False}
    )


@router.post("/cari", response_class=HTMLResponse, include_in_schema=False, dependencies=[SEARCH])
async def search(request: Request) -> HTMLResponse:
    container = container_of(request)
    form = await request.form()
    q = form.get("q")
    q = q if isinstance(q, str) else ""
    query = " ".join(q[:MAX_QUERY].split())
    compact = query.replace(" ", "").replace("-", "")
    problem = ""
    hits: list[Hit] = []
    searched = False
    if not query:
        problem = "empty"
    elif compact.isdigit() and len(compact) not in (NIK_LENGTH, KPJ_LENGTH):
        problem = "digits"  # a number that is neither a NIK nor a KPJ
    elif not compact.isdigit() and len(query) < MIN_NAME_QUERY:
        problem = "short"
    else:
        searched = True
        hits = [
            Hit(m, mask_kpj(m.kpj), container.regions.village(m.region_code))
            for m in container.registry.find_members(current_actor(request), query)
        ]
    return web_state(request).renderer.render(
        request,
        "search.html",
        {"query": query, "hits": hits, "problem": problem, "searched": searched},
    )
