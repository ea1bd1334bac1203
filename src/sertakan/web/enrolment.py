"""`/daftar`: enrol a worker ("Daftarkan pekerja"), with the monthly amount shown as you type.

GET shows the form (paid by a sponsor when `?sponsor=<id>`, otherwise "mandiri"); POST enrols
through the registry service and redirects to the member page, or shows the form again with
every message next to its field. `/daftar/rincian` is the live breakdown the form swaps in with
htmx whenever income, programmes or occupation change: it always answers 200 with either the
amounts or the reason there are none, so the panel never breaks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sertakan.access.permissions import Permission
from sertakan.access.roles import Role
from sertakan.bootstrap import Container
from sertakan.http.auth import Requires, client_ip, current_actor
from sertakan.kernel.errors import Conflict, ParameterMissing, RuleViolation, SertakanError
from sertakan.registry.errors import NikAlreadyEnrolled, SponsorNotFound
from sertakan.registry.model import Consent, Sponsor
from sertakan.registry.occupations import Occupation, all_occupations, occupation
from sertakan.registry.service import EnrolmentApplication
from sertakan.regulation.contributions import Sector, quote_bpu
from sertakan.web import forms
from sertakan.web.breakdown import Breakdown
from sertakan.web.error_pages import N_, render_error
from sertakan.web.forms import FormErrors
from sertakan.web.region_picker import DEFAULT_REGENCY, LEVELS, Level, RegionChoice
from sertakan.web.state import container_of, web_state

router = APIRouter()

MANDATORY_PROGRAMS = ("JKK", "JKM")  # R1 (docs/rules.md): JKK + JKM the base, JHT optional
OPTIONAL_PROGRAM = "JHT"
FIELDS = (
    "nik",
    "full_name",
    "birth_date",
    "sex",
    "phone",
    "region_code",
    "address",
    "occupation",
    "declared_income",
    "programs",
)
# The discount window follows from the occupation's sector: a sector rule belongs next to it.
ALIASES = {"sector": "occupation"}


@dataclass(frozen=True, slots=True)
class EnrolmentForm:
    """The enrolment form as typed, kept to fill it again after an error."""

    nik: str = ""
    full_name: str = ""
    birth_date: str = ""
    sex: str = ""
    phone: str = ""
    address: str = ""
    occupation: str = ""
    declared_income: str = ""
    programs: tuple[str, ...] = MANDATORY_PROGRAMS
    sponsor_id: str = ""

    @property
    def has_jht(self) -> bool:
        return OPTIONAL_PROGRAM in self.programs


@dataclass(frozen=True, slots=True)
class Panel:
    """What the live breakdown shows: the amounts, or why there are none."""

    breakdown: Breakdown | None = None
    messages: list[str] = field(default_factory=list)
    occupation_missing: bool = False
    sector: str = ""


@router.get(
    "/daftar",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(Requires(Permission.MEMBER_ENROL))],
)
def enrolment_form(request: Request) -> Response:
    container = container_of(request)
    state = web_state(request)
    sponsor_id = request.query_params.get("sponsor", "")[:40]
    sponsor = None
    if sponsor_id:
        sponsor = _sponsor(request, sponsor_id)
        if sponsor is None:
            return render_error(request, 404, [N_("Pemberi kerja tidak ditemukan")])
    # Open on the sponsor's regency (workers usually live near), else on the branch's own.
    region = RegionChoice.around(
        state.regions, sponsor.region_code[:5] if sponsor else DEFAULT_REGENCY
    )
    typed = EnrolmentForm(
        declared_income=str(_income_levels(container)[0]),
        sponsor_id=sponsor.id if sponsor else "",
    )
    if sponsor is None and current_actor(request).sponsor_id:
        # A signed-in sponsor enrols for themselves: the form opens as theirs.
        return RedirectResponse(f"/daftar?sponsor={current_actor(request).sponsor_id}", 303)
    return _render(request, typed, region, sponsor, FormErrors())


@router.post(
    "/daftar",
    include_in_schema=False,
    dependencies=[Depends(Requires(Permission.MEMBER_ENROL))],
)
async def enrol(request: Request) -> Response:
    container = container_of(request)
    state = web_state(request)
    lang = state.renderer.locale(request)
    form = await request.form()
    typed = EnrolmentForm(
        nik=forms.text(form, "nik", 40),
        full_name=forms.text(form, "full_name"),
        birth_date=forms.text(form, "birth_date", 20),
        sex=forms.text(form, "sex", 1),
        phone=forms.text(form, "phone", 30),
        address=forms.text(form, "address"),
        occupation=forms.text(form, "occupation", 40),
        declared_income=forms.text(form, "declared_income", 20),
        programs=_programs(forms.texts(form, "programs")),
        sponsor_id=forms.text(form, "sponsor_id", 40),
    )
    region = RegionChoice.build(
        state.regions, {level: forms.text(form, level.value, 20) for level in LEVELS}
    )
    errors = FormErrors()
    sponsor = None
    if typed.sponsor_id:
        sponsor = _sponsor(request, typed.sponsor_id)
        if sponsor is None:
            message = N_("Pemberi kerja tidak ditemukan")
            errors.general.append(state.renderer.gettext(request, message))
            return _render(request, typed, region, sponsor, errors, status_code=422)
    birth_date = forms.parse_date(typed.birth_date)
    if birth_date is None:
        message = (
            N_("Tanggal lahir wajib diisi")
            if not typed.birth_date
            else N_("Tanggal lahir tidak valid")
        )
        errors.add("birth_date", state.renderer.gettext(request, message))
    income = forms.parse_rupiah(typed.declared_income)
    if income is None:
        errors.add("declared_income", state.renderer.gettext(request, N_("Pilih penghasilan")))
    # A field the form could not read must not hide the other mistakes: the service checks
    # everything else and reports the unread field as missing; the form's own, more precise
    # message for that field is the one shown.
    unreadable = set(errors.fields)
    try:
        card = container.registry.enrol_member(
            current_actor(request),
            EnrolmentApplication(
                nik=typed.nik,
                full_name=typed.full_name,
                birth_date=birth_date,
                sex=typed.sex,
                phone=typed.phone,
                region_code=forms.text(form, Level.VILLAGE.value, 20),
                occupation=typed.occupation,
                declared_income=income,
                programs=typed.programs,
                address=typed.address,
                sponsor_id=sponsor.id if sponsor else None,
            ),
            client_ip=client_ip(request),
        )
    except RuleViolation as error:
        kept = [v for v in error.violations if v.field not in unreadable]
        errors.add_violations(kept, lang, FIELDS, ALIASES)
        errors.sort(FIELDS)
        return _render(request, typed, region, sponsor, errors, status_code=422)
    except NikAlreadyEnrolled as error:
        errors.general.append(error.message if lang == "en" else error.message_id)
        # Not a dead end (issue 16): a sponsor may ask to pay for the worker enrolled already.
        return _render(
            request,
            typed,
            region,
            sponsor,
            errors,
            status_code=409,
            existing_kpj=error.masked_kpj if sponsor else "",
        )
    actor = current_actor(request)
    sponsorship = card.sponsorship
    if sponsorship and sponsorship.consent is Consent.PENDING and actor.role is Role.SPONSOR:
        # The worker received a code: the sponsor enters it with them next.
        return RedirectResponse(f"/persetujuan/{sponsorship.id}", status_code=303)
    return RedirectResponse(f"/peserta/{card.member.id}", status_code=303)


@router.post(
    "/daftar/sponsori",
    include_in_schema=False,
    dependencies=[Depends(Requires(Permission.MEMBER_ENROL))],
)
async def sponsor_enrolled(request: Request) -> Response:
    """The sponsor pays for a worker enrolled already: the consent code goes to the phone on
    the member's record; the sponsor enters it with the worker next (issue 16)."""
    form = await request.form()
    renderer = web_state(request).renderer
    try:
        asked = container_of(request).registry.sponsor_enrolled(
            current_actor(request),
            forms.text(form, "sponsor_id", 40),
            forms.text(form, "nik", 40),
            client_ip=client_ip(request),
        )
    except RuleViolation as error:
        lang = renderer.locale(request)
        return render_error(request, 422, [forms.message_for(v, lang) for v in error.violations])
    except Conflict as taken:
        return render_error(request, 409, [taken.message_id])
    return RedirectResponse(f"/persetujuan/{asked.sponsorship.id}", status_code=303)


@router.get(
    "/daftar/rincian",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(Requires(Permission.PUBLIC))],
)
def breakdown_panel(request: Request) -> HTMLResponse:
    params = request.query_params
    panel = _panel(
        request,
        declared_income=params.get("declared_income", "")[:20],
        programs=_programs([p[:20] for p in params.getlist("programs")]),
        occupation_code=params.get("occupation", "")[:40],
    )
    return web_state(request).renderer.render(
        request, "partials/breakdown_panel.html", {"panel": panel}
    )


def _panel(
    request: Request, *, declared_income: str, programs: tuple[str, ...], occupation_code: str
) -> Panel:
    container = container_of(request)
    renderer = web_state(request).renderer
    lang = renderer.locale(request)
    income = forms.parse_rupiah(declared_income)
    if income is None:
        return Panel(messages=[renderer.gettext(request, N_("Pilih penghasilan"))])
    sector = Sector.OTHER
    missing = not occupation_code
    if occupation_code:
        try:
            sector = occupation(occupation_code).sector
        except RuleViolation as error:
            return Panel(messages=[forms.message_for(v, lang) for v in error.violations])
    try:
        quote = quote_bpu(
            container.params,
            declared_income=income,
            on=container.clock.today(),
            programs=programs,
            sector=sector,
        )
    except RuleViolation as error:
        return Panel(messages=[forms.message_for(v, lang) for v in error.violations])
    except ParameterMissing:
        return Panel(messages=[renderer.gettext(request, N_("Aturan untuk tanggal ini belum ada"))])
    except SertakanError:
        return Panel(messages=[renderer.gettext(request, N_("Iuran belum dapat dihitung"))])
    return Panel(Breakdown.of(quote), occupation_missing=missing, sector=str(sector))


def _render(
    request: Request,
    typed: EnrolmentForm,
    region: RegionChoice,
    sponsor: Sponsor | None,
    errors: FormErrors,
    *,
    status_code: int = 200,
    existing_kpj: str = "",
) -> HTMLResponse:
    container = container_of(request)
    state = web_state(request)
    context: dict[str, Any] = {
        "form": typed,
        "region": region,
        "sponsor": sponsor,
        "errors": errors,
        "occupations": _occupation_options(),
        "income_levels": _income_levels(container),
        "today": container.clock.today(),
        "mandatory_programs": MANDATORY_PROGRAMS,
        "existing_kpj": existing_kpj,
        "panel": _panel(
            request,
            declared_income=typed.declared_income,
            programs=typed.programs,
            occupation_code=typed.occupation,
        ),
    }
    return state.renderer.render(request, "enrol.html", context, status_code=status_code)


def _programs(typed: list[str]) -> tuple[str, ...]:
    """JKK + JKM always (their boxes are disabled: the hidden inputs carry them), JHT if ticked."""
    chosen = {p.strip().upper() for p in typed}
    return MANDATORY_PROGRAMS + ((OPTIONAL_PROGRAM,) if OPTIONAL_PROGRAM in chosen else ())


def _income_levels(container: Container) -> list[int]:
    """The declared incomes the regulation allows today."""
    levels = container.params.bpu.declared_income_levels.value_on(container.clock.today()).value
    return list(levels.levels())


def _occupation_options() -> tuple[Occupation, ...]:
    return all_occupations()


def _sponsor(request: Request, sponsor_id: str) -> Sponsor | None:
    """The sponsor paying; a sponsor not the actor's own is refused (403) by the registry."""
    try:
        return container_of(request).registry.sponsor_for_enrolment(
            current_actor(request), sponsor_id
        )
    except SponsorNotFound:
        return None
