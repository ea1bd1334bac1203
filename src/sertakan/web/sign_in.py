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

from sertakan.access.errors import AccountChoiceNeeded, SignInLocked, SignInRefused
from sertakan.access.model import TokenKind
from sertakan.access.permissions import Permission
from sertakan.access.roles import Role
from sertakan.access.service import SignedIn
from sertakan.http.auth import SESSION_COOKIE, Requires, client_ip, current_actor
from sertakan.kernel.errors import RateLimited, RuleViolation, Unauthorized
from sertakan.registry.phones import normalize_mobile
from sertakan.web import forms
from sertakan.web.next_target import NEXT_FIELD, landing, safe_next, sign_in_url
from sertakan.web.state import container_of, web_state

router = APIRouter()
PUBLIC = Depends(Requires(Permission.PUBLIC))
# The accounts a phone signs in to, in the order "Masuk sebagai" offers them.
PHONE_ROLES = (Role.WORKER.value, Role.SPONSOR.value)


@router.get("/masuk", response_class=HTMLResponse, include_in_schema=False, dependencies=[PUBLIC])
def staff_form(request: Request) -> HTMLResponse:
    context = {"username": "", "error": "", **_carried(request.query_params.get(NEXT_FIELD))}
    return _render(request, "sign_in.html", context)


@router.post("/masuk", include_in_schema=False, dependencies=[PUBLIC])
async def staff_sign_in(request: Request) -> Response:
    form = await request.form()
    username = forms.text(form, "username", 40)
    password = forms.text(form, "password", 128)
    carried = _carried(forms.text(form, NEXT_FIELD, 600))
    access = container_of(request).access
    try:
        signed = await asyncio.to_thread(
            access.sign_in_with_password,
            username,
            password,
            kind=TokenKind.SESSION,
            client=current_actor(request),
            client_ip=client_ip(request),
        )
    except SignInLocked as locked:
        # Locked for this address (or the whole account) for a while: 423, and when to return.
        context = {"username": username, **carried}
        return _refused(request, "sign_in.html", context, locked, 423)
    except SignInRefused as refused:
        # The delay brakes password guessing (OWASP Authentication Cheat Sheet).
        await asyncio.sleep(refused.delay.total_seconds())
        message = web_state(request).renderer.gettext(request, refused.message_id)
        return _render(
            request,
            "sign_in.html",
            {"username": username, "error": message, **carried},
            status_code=401,
        )
    except RateLimited as limited:
        context = {"username": username, **carried}
        return _refused(request, "sign_in.html", context, limited, 429)
    return _signed_in(request, signed, carried["next"])


@router.get(
    "/masuk/hp", response_class=HTMLResponse, include_in_schema=False, dependencies=[PUBLIC]
)
def phone_form(request: Request) -> HTMLResponse:
    context = {
        "step": "phone",
        "phone": "",
        "error": "",
        "registered": request.query_params.get("terdaftar") == "1",
        **_carried(request.query_params.get(NEXT_FIELD)),
    }
    return _render(request, "sign_in_phone.html", context)


@router.post("/masuk/hp", include_in_schema=False, dependencies=[PUBLIC])
async def send_code(request: Request) -> Response:
    form = await request.form()
    typed = forms.text(form, "phone", 30)
    carried = _carried(forms.text(form, NEXT_FIELD, 600))
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
            {
                "step": "phone",
                "phone": typed,
                "error": message,
                "registered": False,
                **carried,
            },
            status_code=422,
        )
    except RateLimited as error:
        context = {"step": "phone", "phone": typed, "registered": False, **carried}
        return _refused(request, "sign_in_phone.html", context, error, 429)
    context = {"step": "code", "phone": phone, "error": "", "registered": False, **carried}
    return _render(request, "sign_in_phone.html", context)


@router.post("/masuk/kode", include_in_schema=False, dependencies=[PUBLIC])
async def check_code(request: Request) -> Response:
    form = await request.form()
    typed_phone = forms.text(form, "phone", 30)
    code = forms.text(form, "code", 12)
    chosen = forms.text(form, "role", 10)
    carried = _carried(forms.text(form, NEXT_FIELD, 600))
    renderer = web_state(request).renderer
    role = Role(chosen) if chosen in PHONE_ROLES else None
    try:
        phone = normalize_mobile(typed_phone)
        signed = container_of(request).access.sign_in_with_code(
            phone,
            code,
            kind=TokenKind.SESSION,
            client=current_actor(request),
            role=role,
            client_ip=client_ip(request),
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
                **carried,
            },
        )
    except RateLimited as limited:
        context = {"step": "code", "phone": typed_phone, "registered": False, **carried}
        return _refused(request, "sign_in_phone.html", context, limited, 429)
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
                **carried,
            },
            status_code=401,
        )
    return _signed_in(request, signed, carried["next"])


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


def _carried(value: str | None) -> dict[str, str]:
    """What the sign-in forms carry along: `next` (empty when unsafe) and the other sign-in
    page's address with the same `next`."""
    target = safe_next(value) or ""
    return {
        "next": target,
        "phone_url": sign_in_url(target, phone=True),
        "staff_url": sign_in_url(target, phone=False),
    }


def _signed_in(request: Request, signed: SignedIn, target: str = "") -> Response:
    """To where the visitor was going (`next`, checked again), else the role's landing page."""
    container = container_of(request)
    actor = container.access.actor_for(signed.account)
    response = RedirectResponse(safe_next(target) or landing(actor), status_code=303)
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


def _refused(
    request: Request,
    template: str,
    context: dict[str, Any],
    error: RateLimited | SignInLocked,
    status_code: int,
) -> Response:
    """The form again with why it was refused, and Retry-After (RFC 9110 §10.2.3)."""
    message = web_state(request).renderer.gettext(request, error.message_id)
    response = _render(request, template, {**context, "error": message}, status_code=status_code)
    response.headers["Retry-After"] = str(max(error.retry_after_seconds, 1))
    return response


def _render(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    return web_state(request).renderer.render(request, template, context, status_code=status_code)
