"""`/admin/akun`: the admin creates staff and agent accounts and changes their roles.

Workers' and sponsors' accounts are made by enrolment and sponsor registration (they sign in
with their phone); this page lists them but changes only staff roles. Every change is audited,
and a role change ends the account's open sessions at once.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sertakan.access.permissions import Permission
from sertakan.access.roles import ACCOUNT_ROLES, parse_role
from sertakan.http.auth import Requires, current_actor
from sertakan.kernel.errors import Conflict, Forbidden, RuleViolation
from sertakan.web import forms
from sertakan.web.error_pages import render_error
from sertakan.web.forms import FormErrors
from sertakan.web.state import container_of, web_state

router = APIRouter(dependencies=[Depends(Requires(Permission.ACCOUNT_MANAGE))])
PAGE_SIZE = 50
MAX_PAGE = 10_000
STAFF_ROLES = tuple(r for r in ACCOUNT_ROLES if not r.signs_in_with_phone)
FIELDS = ("username", "password", "role", "branch_code", "display_name")


@router.get("/admin/akun", response_class=HTMLResponse, include_in_schema=False)
def accounts_page(
    request: Request, halaman: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1
) -> HTMLResponse:
    return _render(request, halaman, {}, FormErrors())


@router.post("/admin/akun", include_in_schema=False)
async def create_account(request: Request) -> Response:
    form = await request.form()
    typed = {name: forms.text(form, name, 128) for name in FIELDS}
    errors = FormErrors()
    lang = web_state(request).renderer.locale(request)
    try:
        container_of(request).access.create_staff_account(
            current_actor(request),
            role=parse_role(typed["role"]),
            username=typed["username"],
            password=typed["password"],
            display_name=typed["display_name"],
            branch_code=typed["branch_code"] or None,
        )
    except RuleViolation as error:
        errors.add_violations(error.violations, lang, FIELDS)
        typed["password"] = ""  # never echo a password back
        return _render(request, 1, typed, errors, status_code=422)
    except Conflict as error:
        errors.add("username", error.message if lang == "en" else error.message_id)
        typed["password"] = ""
        return _render(request, 1, typed, errors, status_code=409)
    return RedirectResponse("/admin/akun?dibuat=1", status_code=303)


@router.post("/admin/akun/{account_id}/peran", include_in_schema=False)
async def change_role(request: Request, account_id: str) -> Response:
    form = await request.form()
    try:
        container_of(request).access.change_role(
            current_actor(request),
            account_id,
            parse_role(forms.text(form, "role", 20)),
            forms.text(form, "branch_code", 32) or None,
        )
    except (RuleViolation, Forbidden) as error:
        message_ids = (
            [v.message_id for v in error.violations]
            if isinstance(error, RuleViolation)
            else [error.message_id]
        )
        return render_error(request, 422, message_ids)
    return RedirectResponse("/admin/akun?diubah=1", status_code=303)


def _render(
    request: Request,
    page: int,
    typed: dict[str, str],
    errors: FormErrors,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    container = container_of(request)
    accounts = container.access.list_accounts(
        current_actor(request), limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    context: dict[str, Any] = {
        "accounts": accounts[:PAGE_SIZE],
        "page": page,
        "has_next": len(accounts) > PAGE_SIZE,
        "staff_roles": STAFF_ROLES,
        "branches": container.registry.branches(),
        "typed": typed,
        "errors": errors,
        "created": request.query_params.get("dibuat") == "1",
        "changed": request.query_params.get("diubah") == "1",
    }
    return web_state(request).renderer.render(
        request, "accounts.html", context, status_code=status_code
    )
