"""Signing in and out of the pages.

`/masuk`: staff and agents, username + password. `/masuk/hp`: workers and sponsors, their
phone number, then the code sent to it (`/masuk/kode`); a phone that is both a worker's and a
sponsor's is then asked "Masuk sebagai" (the same code, sent again with the choice). The phone
travels in the form body, never in a URL. A sign-in sets a server-side session in an HttpOnly,
SameSite cookie (Secure behind HTTPS). `/keluar` ends it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sertakan.access.actor import Actor
from sertakan.access.errors import AccountChoiceNeeded, SignInRefused
from sertakan.access.model import TokenKind
from sertakan.access.permissions import Permission
from sertakan.access.roles import Role
from sertakan.access.service import SignedIn
from sertakan.http.auth import SESSION_COOKIE, Requires, client_ip, current_actor
from sertakan.kernel.errors import RateLimited, RuleViolation, Unauthorized
from sertakan.registry.phones import normalize_mobile
from sertakan.web import forms
from sertakan.web.state import container_of, web_state

router = APIRouter()
PUBLIC = Depends(Requires(Permission.PUBLIC))
# The accounts a phone signs in to, in the order "Masuk sebagai" offers them.
PHONE_ROLES = (Role.WORKER.value, Role.SPONSOR.value)


def landing(actor: Actor) -> str:
    """Where each role starts after signing in."""
    if actor.member_id:
        return f"/peserta/{actor.member_id}"
    if actor.sponsor_id:
        return f"/sponsor/{actor.sponsor_id}"
    return {
        Role.AGENT: "/daftar",
        Role.OFFICER: "/cari",
        Role.SUPERVISOR: "/persetujuan",
        Role.AUDITOR: "/audit",
        Role.ADMIN: "/admin/akun",
    }.get(actor.role, "/")


@router.get("/masuk", response_class=HTMLResponse, include_in_schema=False, dependencies=[PUBLIC])
def staff_form(request: Request) -> HTMLResponse:
    return _render(request, "sign_in.html", {"username": "", "error": ""})


@router.post("/masuk", include_in_schema=False, dependencies=[PUBLIC])
async def staff_sign_in(request: Request) -> Response:
    form = await request.form()
    username = forms.text(form, "username", 40)
    password = forms.text(form, "password", 128)
    access = container_of(request).access
    try:
        signed = await asyncio.to_thread(
            access.sign_in_with_password,
            username,
            password,
            kind=TokenKind.SESSION,
            client=current_actor(request),
        )
    except SignInRefused as refused:
        # The delay brakes password guessing (OWASP Authentication Cheat Sheet).
        await asyncio.sleep(refused.delay.total_seconds())
        message = web_state(request).renderer.gettext(request, refused.message_id)
        return _render(
            request, "sign_in.html", {"username": username, "error": message}, status_code=401
        )
    return _signed_in(request, signed)


@router.get(
    "/masuk/hp", response_class=HTMLResponse, include_in_schema=False, dependencies=[PUBLIC]
)
def phone_form(request: Request) -> HTMLResponse:
    context = {
        "step": "phone",
        "phone": "",
        "error": "",
        "registered": request.query_params.get("terdaftar") == "1",
    }
    return _render(request, "sign_in_phone.html", context)


@router.post("/masuk/hp", include_in_schema=False, dependencies=[PUBLIC])
async def send_code(request: Request) -> Response:
    form = await request.form()
    typed = forms.text(form, "phone", 30)
    renderer = web_state(request).renderer
    try:
        phone = normalize_mobile(typed)
        container_of(request).access.request_sign_in_code(
            phone, client=current_actor(request), client_ip=client_ip(request)
        )
    except RuleViolation as error:
        message = renderer.gettext(request, error.violations[0].message_id)
        return _render(
            request,
            "sign_in_phone.html",
            {"step": "phone", "phone": typed, "error": message, "registered": False},
            status_code=422,
        )
    except RateLimited as error:
        return _render(
            request,
            "sign_in_phone.html",
            {
                "step": "phone",
                "phone": typed,
                "error": renderer.gettext(request, error.message_id),
                "registered": False,
            },
            status_code=429,
        )
    context = {"step": "code", "phone": phone, "error": "", "registered": False}
    return _render(request, "sign_in_phone.html", context)


@router.post("/masuk/kode", include_in_schema=False, dependencies=[PUBLIC])
async def check_code(request: Request) -> Response:
    form = await request.form()
    typed_phone = forms.text(form, "phone", 30)
    code = forms.text(form, "code", 12)
    chosen = forms.text(form, "role", 10)
    renderer = web_state(request).renderer
    role = Role(chosen) if chosen in PHONE_ROLES else None
    try:
        phone = normalize_mobile(typed_phone)
        signed = container_of(request).access.sign_in_with_code(
            phone, code, kind=TokenKind.SESSION, client=current_actor(request), role=role
        )
    except AccountChoiceNeeded as choice:
        # The code was right and is still unused: the same form asks which account, and
        # sends the code again with the choice (no second SMS).
        return _render(
            request,
            "sign_in_phone.html",
            {
                "step": "role",
                "phone": phone,
                "code": code,
                "roles": [r for r in PHONE_ROLES if r in choice.roles],
                "registered": False,
                "error": "",
            },
        )
    except (RuleViolation, Unauthorized) as error:
        message_id = (
            error.violations[0].message_id if isinstance(error, RuleViolation) else error.message_id
        )
        return _render(
            request,
            "sign_in_phone.html",
            {
                "step": "code",
                "phone": typed_phone,
                "registered": False,
                "error": renderer.gettext(request, message_id),
            },
            status_code=401,
        )
    return _signed_in(request, signed)


@router.post(
    "/keluar",
    include_in_schema=False,
    dependencies=[Depends(Requires(Permission.SIGNED_IN))],
)
def sign_out(request: Request) -> Response:
    secret = request.cookies.get(SESSION_COOKIE, "")
    container_of(request).access.sign_out(secret, current_actor(request))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _signed_in(request: Request, signed: SignedIn) -> Response:
    container = container_of(request)
    actor = container.access.actor_for(signed.account)
    response = RedirectResponse(landing(actor), status_code=303)
    max_age = int((signed.expires_at - container.clock.now()).total_seconds())
    response.set_cookie(
        SESSION_COOKIE,
        signed.secret,
        max_age=max(max_age, 0),
        httponly=True,
        secure=container.settings.https,
        samesite="lax",
        path="/",
    )
    return response


def _render(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    return web_state(request).renderer.render(request, template, context, status_code=status_code)
