"""A member's income level and programmes changed from next month (issue 16 point 2), at
`/peserta/{id}/iuran`: the form, then the price next month as it stands beside the new price
(PP 50/2025 discount as the quote applies it), then the confirmation. Who pays decides: the
consenting sponsor, the worker paying for herself, or the branch staff (`RegistryService`).
This month's invoice never changes."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sertakan.access.permissions import Permission
from sertakan.http.auth import Requires, current_actor
from sertakan.kernel.errors import RuleViolation
from sertakan.kernel.periods import Month
from sertakan.registry.errors import MemberNotFound
from sertakan.registry.model import Member, MemberTerms
from sertakan.registry.service import TermsPreview
from sertakan.web import forms
from sertakan.web.breakdown import Breakdown
from sertakan.web.enrolment import MANDATORY_PROGRAMS, OPTIONAL_PROGRAM
from sertakan.web.error_pages import N_, render_error
from sertakan.web.forms import FormErrors
from sertakan.web.state import container_of, web_state

router = APIRouter()

TERMS = Depends(Requires(Permission.MEMBER_TERMS))
FIELDS = ("declared_income", "programs")


@dataclass(frozen=True, slots=True)
class TermsForm:
    """What was chosen, kept to fill the form again (and carried through the preview)."""

    declared_income: str
    has_jht: bool


@router.get(
    "/peserta/{member_id}/iuran",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[TERMS],
)
def terms_form(request: Request, member_id: str) -> Response:
    container = container_of(request)
    try:
        card = container.registry.member_card(current_actor(request), member_id)
    except MemberNotFound:
        return render_error(request, 404, [N_("Peserta tidak ditemukan")])
    member = card.member
    # The form starts from what next month bills as it stands (a change made already, too).
    terms = member.terms_in(Month.of(container.clock.today()).next())
    typed = TermsForm(str(terms.declared_income), OPTIONAL_PROGRAM in terms.programs)
    return _render(request, member, typed, FormErrors())


@router.post("/peserta/{member_id}/iuran", include_in_schema=False, dependencies=[TERMS])
async def change_terms(request: Request, member_id: str) -> Response:
    """`konfirmasi=1` changes the terms; otherwise the preview is shown (nothing changes)."""
    container = container_of(request)
    actor = current_actor(request)
    form = await request.form()
    typed = TermsForm(
        declared_income=forms.text(form, "declared_income", 20),
        has_jht=OPTIONAL_PROGRAM in forms.texts(form, "programs", 5),
    )
    income = forms.parse_rupiah(typed.declared_income)
    terms = MemberTerms(
        income if income is not None else 0,
        MANDATORY_PROGRAMS + ((OPTIONAL_PROGRAM,) if typed.has_jht else ()),
    )
    confirmed = forms.text(form, "konfirmasi", 1) == "1"
    try:
        card = container.registry.member_card(actor, member_id)
        if confirmed:
            container.registry.change_terms(actor, member_id, terms)
            return RedirectResponse(f"/peserta/{member_id}?iuran_diubah=1", status_code=303)
        preview = container.registry.preview_terms(actor, member_id, terms)
    except MemberNotFound:
        return render_error(request, 404, [N_("Peserta tidak ditemukan")])
    except RuleViolation as error:
        errors = FormErrors()
        errors.add_violations(error.violations, web_state(request).renderer.locale(request), FIELDS)
        errors.sort(FIELDS)
        return _render(request, card.member, typed, errors, status_code=422)
    return _render(request, card.member, typed, FormErrors(), preview=preview)


def _render(
    request: Request,
    member: Member,
    typed: TermsForm,
    errors: FormErrors,
    *,
    preview: TermsPreview | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    container = container_of(request)
    levels = container.params.bpu.declared_income_levels.value_on(container.clock.today()).value
    context = {
        "member": member,
        "form": typed,
        "errors": errors,
        "income_levels": list(levels.levels()),
        "mandatory_programs": MANDATORY_PROGRAMS,
        "preview": preview,
        "current": Breakdown.of(preview.current) if preview else None,
        "new": Breakdown.of(preview.new) if preview else None,
    }
    return web_state(request).renderer.render(
        request, "member_terms.html", context, status_code=status_code
    )
