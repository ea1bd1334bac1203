"""Sponsor (pemberi kerja) pages: register, the sponsor's sheet of workers, the list.

A sponsor is a household (perorangan, NIK) or a business/UMKM (NIB) that pays for the workers
around it. `/sponsor/baru` registers one; `/sponsor/{id}` shows who they pay for and the total
per month, with the way to enrol the next worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sertakan.access.permissions import Permission, allows
from sertakan.http.auth import Requires, current_actor
from sertakan.kernel.errors import RuleViolation
from sertakan.registry.errors import SponsorAlreadyRegistered, SponsorNotFound
from sertakan.registry.model import SponsorKind
from sertakan.registry.occupations import Occupation, occupation
from sertakan.registry.service import MemberCard, SponsorApplication
from sertakan.web import forms
from sertakan.web.breakdown import Breakdown
from sertakan.web.error_pages import N_, render_error
from sertakan.web.forms import FormErrors
from sertakan.web.region_picker import DEFAULT_REGENCY, LEVELS, Level, RegionChoice
from sertakan.web.state import container_of, web_state

router = APIRouter()

PAGE_SIZE = 20
FIELDS = ("kind", "nik", "nib", "name", "phone", "region_code", "address")
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


@dataclass(frozen=True, slots=True)
class WorkerLine:
    """One worker on the sponsor's sheet: who, doing what, for how much a month."""

    card: MemberCard
    occupation: Occupation
    breakdown: Breakdown


REGISTER = Depends(Requires(Permission.SPONSOR_REGISTER))


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
        request, SponsorForm(), RegionChoice.around(state.regions, DEFAULT_REGENCY), FormErrors()
    )


@router.post("/sponsor/baru", include_in_schema=False, dependencies=[REGISTER])
async def sponsor_register(request: Request) -> Response:
    state = web_state(request)
    form = await request.form()
    typed = SponsorForm(
        kind=forms.text(form, "kind", 20),
        nik=forms.text(form, "nik", 40),
        nib=forms.text(form, "nib", 40),
        name=forms.text(form, "name"),
        phone=forms.text(form, "phone", 30),
        address=forms.text(form, "address"),
    )
    region = RegionChoice.build(
        state.regions, {level: forms.text(form, level.value, 20) for level in LEVELS}
    )
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
            ),
        )
    except RuleViolation as error:
        errors.add_violations(error.violations, lang, FIELDS)
        errors.sort(FIELDS)
    except SponsorAlreadyRegistered as error:
        return _render_form(request, typed, region, errors, status_code=409, existing=error)
    else:
        if allows(actor.role, Permission.SPONSOR_READ):
            return RedirectResponse(f"/sponsor/{sponsor.id}", status_code=303)
        # A household that signed itself up signs in next, with a code sent to its phone.
        return RedirectResponse("/masuk/hp?terdaftar=1", status_code=303)
    return _render_form(request, typed, region, errors, status_code=422)


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
    status_code: int = 200,
    existing: SponsorAlreadyRegistered | None = None,
) -> HTMLResponse:
    state = web_state(request)
    context: dict[str, Any] = {
        "form": typed,
        "region": region,
        "errors": errors,
        "existing": existing,
    }
    return state.renderer.render(request, "sponsor_form.html", context, status_code=status_code)
