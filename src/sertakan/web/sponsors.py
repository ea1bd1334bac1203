"""Sponsor (pemberi kerja) pages: register, the sponsor's sheet of workers, the list.

A sponsor is a household (perorangan, NIK) or a business/UMKM (NIB) that pays for the workers
around it. `/sponsor/baru` registers one in two steps: the phone number, to which a code is
sent (`/sponsor/baru/kode`), then the form with that code, so the phone is proven to be the
sponsor's (issue 12); `/sponsor/{id}` shows who they pay for and the total per month, with the
way to enrol the next worker.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from sertakan.access.errors import CodeRefused
from sertakan.access.permissions import Permission, allows
from sertakan.http.auth import Requires, client_ip, current_actor
from sertakan.kernel.errors import RateLimited, RuleViolation
from sertakan.registry.errors import SponsorAlreadyRegistered, SponsorNotFound
from sertakan.registry.model import SponsorKind
from sertakan.registry.occupations import Occupation, occupation
from sertakan.registry.phones import normalize_mobile
from sertakan.registry.service import MemberCard, SponsorApplication
from sertakan.web import forms
from sertakan.web.breakdown import Breakdown
from sertakan.web.error_pages import N_, render_error
from sertakan.web.forms import FormErrors
from sertakan.web.region_picker import DEFAULT_REGENCY, LEVELS, Level, RegionChoice
from sertakan.web.state import container_of, web_state

router = APIRouter()

PAGE_SIZE = 20
FIELDS = ("phone", "phone_code", "kind", "nik", "nib", "name", "region_code", "address")
MAX_PAGE = 10_000


@dataclass(frozen=True, slots=True)
class SponsorForm:
    """What was typed on the sponsor form, kept to fill it again after an error."""

    kind: str = SponsorKind.PERSON.value
    nik: str = ""
    nib: str = ""
    name: str = ""
    phone: str = ""
    address: str = ""
    phone_code: str = ""


@dataclass(frozen=True, slots=True)
class WorkerLine:
    """One worker on the sponsor's sheet: who, doing what, for how much a month."""

    card: MemberCard
    occupation: Occupation
    breakdown: Breakdown


REGISTER = Depends(Requires(Permission.SPONSOR_REGISTER))
STEP_PHONE = "phone"  # the phone number, to send the code to
STEP_DETAILS = "details"  # the code, with the rest of the form


@router.get(
    "/sponsor",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(Requires(Permission.SPONSOR_LIST))],
)
def sponsor_list(
    request: Request, halaman: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1
) -> HTMLResponse:
    registry = container_of(request).registry
    found = registry.list_sponsors(
        current_actor(request), limit=PAGE_SIZE + 1, offset=(halaman - 1) * PAGE_SIZE
    )
    return web_state(request).renderer.render(
        request,
        "sponsor_list.html",
        {
            "sponsors": found[:PAGE_SIZE],
            "page": halaman,
            "has_next": len(found) > PAGE_SIZE,
            "village_of": container_of(request).regions.village,
        },
    )


@router.get(
    "/sponsor/baru", response_class=HTMLResponse, include_in_schema=False, dependencies=[REGISTER]
)
def sponsor_form(request: Request) -> HTMLResponse:
    state = web_state(request)
    return _render_form(
        request,
        SponsorForm(),
        RegionChoice.around(state.regions, DEFAULT_REGENCY),
        FormErrors(),
        step=STEP_PHONE,
    )


@router.post("/sponsor/baru/kode", include_in_schema=False, dependencies=[REGISTER])
async def sponsor_phone_code(request: Request) -> Response:
    """Step 1 (and "send again"): the code that proves the phone goes to it by SMS; the rest
    of the form comes next, with whatever was typed already kept."""
    state = web_state(request)
    form = await request.form()
    typed, region = _typed(request, form)
    errors = FormErrors()
    try:
        phone = normalize_mobile(typed.phone)
        container_of(request).access.request_phone_proof(
            phone, client=current_actor(request), client_ip=client_ip(request)
        )
    except RuleViolation as error:
        errors.add_violations(error.violations, state.renderer.locale(request), FIELDS)
        return _render_form(request, typed, region, errors, step=STEP_PHONE, status_code=422)
    except RateLimited as error:
        return _limited(request, typed, region, error, step=STEP_PHONE)
    return _render_form(request, typed, region, errors, step=STEP_DETAILS, code_sent=True)


@router.post("/sponsor/baru", include_in_schema=False, dependencies=[REGISTER])
async def sponsor_register(request: Request) -> Response:
    state = web_state(request)
    form = await request.form()
    typed, region = _typed(request, form)
    is_person = typed.kind == SponsorKind.PERSON.value
    errors = FormErrors()
    lang = state.renderer.locale(request)
    try:
        actor = current_actor(request)
        sponsor = container_of(request).registry.register_sponsor(
            actor,
            SponsorApplication(
                kind=typed.kind,
                name=typed.name,
                phone=typed.phone,
                region_code=forms.text(form, Level.VILLAGE.value, 20),
                address=typed.address,
                nik=typed.nik if is_person else None,
                nib=None if is_person else typed.nib,
                phone_code=typed.phone_code,
            ),
            client_ip=client_ip(request),
        )
    except RuleViolation as error:
        errors.add_violations(error.violations, lang, FIELDS)
        errors.sort(FIELDS)
    except CodeRefused as refused:
        # Wrong, expired, used or worn out: said at the code field; a new one is a click away.
        errors.add("phone_code", refused.message if lang == "en" else refused.message_id)
        typed = replace(typed, phone_code="")
        return _render_form(request, typed, region, errors, step=STEP_DETAILS, status_code=401)
    except RateLimited as error:
        return _limited(request, typed, region, error, step=STEP_DETAILS)
    except SponsorAlreadyRegistered as error:
        return _render_form(
            request, typed, region, errors, step=STEP_DETAILS, status_code=409, existing=error
        )
    else:
        if allows(actor.role, Permission.SPONSOR_READ):
            return RedirectResponse(f"/sponsor/{sponsor.id}", status_code=303)
        # A household that signed itself up signs in next, with a code sent to its phone.
        return RedirectResponse("/masuk/hp?terdaftar=1", status_code=303)
    return _render_form(request, typed, region, errors, step=STEP_DETAILS, status_code=422)


def _typed(request: Request, form: FormData) -> tuple[SponsorForm, RegionChoice]:
    typed = SponsorForm(
        kind=forms.text(form, "kind", 20) or SponsorKind.PERSON.value,
        nik=forms.text(form, "nik", 40),
        nib=forms.text(form, "nib", 40),
        name=forms.text(form, "name"),
        phone=forms.text(form, "phone", 30),
        address=forms.text(form, "address"),
        phone_code=forms.text(form, "phone_code", 12),
    )
    levels = {level: forms.text(form, level.value, 20) for level in LEVELS}
    regions = web_state(request).regions
    region = (
        RegionChoice.build(regions, levels)
        if any(levels.values())
        else RegionChoice.around(regions, DEFAULT_REGENCY)
    )
    return typed, region


def _limited(
    request: Request, typed: SponsorForm, region: RegionChoice, error: RateLimited, *, step: str
) -> HTMLResponse:
    errors = FormErrors()
    lang = web_state(request).renderer.locale(request)
    errors.general.append(error.message if lang == "en" else error.message_id)
    response = _render_form(request, typed, region, errors, step=step, status_code=429)
    response.headers["Retry-After"] = str(error.retry_after_seconds)
    return response


@router.get(
    "/sponsor/{sponsor_id}",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(Requires(Permission.SPONSOR_READ))],
)
def sponsor_page(request: Request, sponsor_id: str) -> Response:
    state = web_state(request)
    try:
        sheet = container_of(request).registry.sponsor_sheet(current_actor(request), sponsor_id)
    except SponsorNotFound:
        return render_error(request, 404, [N_("Pemberi kerja tidak ditemukan")])
    workers = [
        WorkerLine(card, occupation(card.member.occupation), Breakdown.of(card.quote))
        for card in sheet.workers
    ]
    return state.renderer.render(
        request,
        "sponsor.html",
        {
            "sheet": sheet,
            "workers": workers,
            "village": container_of(request).regions.village(sheet.sponsor.region_code),
            "full_total": sum(
                worker.breakdown.full_total
                for worker in workers
                if worker.card.sponsorship and worker.card.sponsorship.consent.is_settled
            ),
        },
    )


def _render_form(
    request: Request,
    typed: SponsorForm,
    region: RegionChoice,
    errors: FormErrors,
    *,
    step: str,
    status_code: int = 200,
    existing: SponsorAlreadyRegistered | None = None,
    code_sent: bool = False,
) -> HTMLResponse:
    state = web_state(request)
    context: dict[str, Any] = {
        "form": typed,
        "region": region,
        "errors": errors,
        "existing": existing,
        "step": step,
        "code_sent": code_sent,
        "code_minutes": container_of(request).access.code_minutes(),
    }
    return state.renderer.render(request, "sponsor_form.html", context, status_code=status_code)
