"""The sandbox gateway's "bank" page, where a payer pretends to pay (only with the sandbox).

`pages.setup` includes this router only when the container's gateway is the sandbox: a real
gateway has its own pages. Every page says plainly that it is a simulation. After paying, the
page links back to `return_url`, which must be a path on this site (never another site: an
open redirect would let a link that looks like ours send payers anywhere).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sertakan.access.permissions import Permission
from sertakan.billing.channels import channel_label
from sertakan.gateways.sandbox import PAY_PATH, SandboxGateway
from sertakan.gateways.sandbox_charges import Charge, ChargeExpired, ChargeNotFound
from sertakan.http.auth import Requires
from sertakan.kernel.clock import WIB
from sertakan.kernel.errors import NotFound
from sertakan.web import forms
from sertakan.web.error_pages import N_, render_error
from sertakan.web.money import qr_svg
from sertakan.web.state import container_of, web_state

router = APIRouter(dependencies=[Depends(Requires(Permission.PUBLIC))])

MAX_RETURN_URL = 500
Reference = Annotated[str, Path(max_length=40)]
CHARGE_NOT_FOUND = N_("Tagihan pembayaran tidak ditemukan")
BAD_RETURN_URL = N_("Alamat kembali tidak sah: hanya halaman Sertakan yang diizinkan")


def safe_return_path(value: str) -> str | None:
    """`value` when it is a path on this site ("/tagihan/..."), None for anything else:
    another host ("//evil.example", "https://..."), a backslash some browsers read as a slash,
    or control characters."""
    if not value.startswith("/") or value.startswith("//") or len(value) > MAX_RETURN_URL:
        return None
    if "\\" in value or any(ord(char) <= 0x20 or ord(char) == 0x7F for char in value):
        return None
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else None


@router.get(PAY_PATH + "{reference}", response_class=HTMLResponse, include_in_schema=False)
def pay_page(
    request: Request,
    reference: Reference,
    return_url: Annotated[str | None, Query(max_length=MAX_RETURN_URL)] = None,
) -> Response:
    back_url = safe_return_path(return_url) if return_url else None
    if return_url and back_url is None:
        return render_error(request, 400, [BAD_RETURN_URL])
    charge = _gateway(request).find(reference)
    if charge is None:
        return render_error(request, 404, [CHARGE_NOT_FOUND])
    return _render(request, charge, back_url)


@router.post(PAY_PATH + "{reference}", include_in_schema=False)
async def pay(request: Request, reference: Reference) -> Response:
    typed = forms.text(await request.form(), "return_url", MAX_RETURN_URL)
    back_url = safe_return_path(typed) if typed else None
    if typed and back_url is None:
        return render_error(request, 400, [BAD_RETURN_URL])
    gateway = _gateway(request)
    try:
        await run_in_threadpool(gateway.pay, reference, container_of(request).clock.now())
    except ChargeNotFound:
        return render_error(request, 404, [CHARGE_NOT_FOUND])
    except ChargeExpired:
        charge = await run_in_threadpool(gateway.find, reference)
        assert charge is not None
        return _render(request, charge, back_url, status_code=409)
    query = f"?{urlencode({'return_url': back_url})}" if back_url else ""
    return RedirectResponse(f"{PAY_PATH}{reference}{query}", status_code=303)


def _render(
    request: Request, charge: Charge, back_url: str | None, *, status_code: int = 200
) -> HTMLResponse:
    now = container_of(request).clock.now()
    return web_state(request).renderer.render(
        request,
        "sandbox_pay.html",
        {
            "charge": charge,
            "channel_label": channel_label(charge.channel),
            # QRIS is scanned, not typed: the payload as a QR image (the text stays below it).
            "qris_svg": qr_svg(charge.qris_payload, "QRIS") if charge.qris_payload else None,
            "expires_at": charge.expires_at.astimezone(WIB),
            "is_expired": not charge.is_payable_at(now),
            "back_url": back_url,
            "action": f"{PAY_PATH}{charge.reference}",
        },
        status_code=status_code,
    )


def _gateway(request: Request) -> SandboxGateway:
    gateway = container_of(request).gateway  # only the sandbox has these pages
    if not isinstance(gateway, SandboxGateway):
        raise NotFound("the sandbox gateway is not in use")
    return gateway
