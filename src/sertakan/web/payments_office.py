"""The branch office's payment pages: arrears per village, and the suspense list.

`/tunggakan` groups the open invoices past their due date by the village each worker lives
in, with totals, so an officer knows where to go knocking. `/suspense` lists money that came
in but could not be applied as it came (unknown invoice number, wrong amount, a cancelled or
already paid invoice); an officer allocates it to the invoice the payer meant, or marks it to
be refunded with a note. A mistake is shown on the page in Indonesian, next to the item, with
what was typed: nothing is lost. The auditor reads both lists and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sertakan.access.permissions import Permission
from sertakan.billing.errors import InvoiceNotFound, SuspenseNotFound
from sertakan.billing.views import SuspenseRow
from sertakan.http.auth import Requires, current_actor
from sertakan.kernel.errors import Conflict, RuleViolation
from sertakan.web import forms
from sertakan.web.billing import moment_label, month_label, months_label
from sertakan.web.error_pages import N_
from sertakan.web.state import container_of, web_state

router = APIRouter()

REVIEW = Depends(Requires(Permission.PAYMENT_REVIEW))
RESOLVE = Depends(Requires(Permission.PAYMENT_RESOLVE))
ItemId = Annotated[str, Path(max_length=64)]

UNKNOWN_VILLAGE = N_("Desa/kelurahan tidak dikenal")
INVOICE_UNKNOWN = N_("Nomor tagihan tidak ditemukan")
ITEM_UNKNOWN = N_("Dana ini tidak ada di daftar suspense")
ALLOCATED = N_("Dana sudah dialokasikan ke tagihan %(number)s.")
REFUNDED = N_("Dana ditandai untuk dikembalikan ke pembayar.")


# -- arrears ----------------------------------------------------------------------------------


@router.get(
    "/tunggakan", response_class=HTMLResponse, include_in_schema=False, dependencies=[REVIEW]
)
def arrears_page(request: Request) -> HTMLResponse:
    container = container_of(request)
    renderer = web_state(request).renderer
    lang = renderer.locale(request)
    arrears = container.billing_views.arrears_by_village(current_actor(request))
    return renderer.render(
        request,
        "arrears.html",
        {
            "villages": arrears.villages,
            "invoices": len(arrears.invoices),
            "total": arrears.total,
            "members": arrears.members,
            "today": container.clock.today(),
            "unknown_village": renderer.gettext(request, UNKNOWN_VILLAGE),
            "months_label": lambda months: months_label(months, lang),
        },
    )


# -- suspense ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Typed:
    """What an officer typed for one item, kept when the page comes back with an error."""

    invoice_number: str = ""
    note: str = ""
    refund_note: str = ""


@router.get(
    "/suspense", response_class=HTMLResponse, include_in_schema=False, dependencies=[REVIEW]
)
def suspense_page(request: Request) -> HTMLResponse:
    done = request.query_params.get("selesai", "")
    renderer = web_state(request).renderer
    notes: list[str] = []
    if done == "alokasi":
        number = request.query_params.get("tagihan", "")[:64]
        notes.append(renderer.gettext(request, ALLOCATED) % {"number": number})
    elif done == "kembalikan":
        notes.append(renderer.gettext(request, REFUNDED))
    return _render_suspense(request, notes=notes)


@router.post("/suspense/{item_id}/alokasi", include_in_schema=False, dependencies=[RESOLVE])
async def allocate(request: Request, item_id: ItemId) -> Response:
    form = await request.form()
    typed = Typed(
        invoice_number=forms.text(form, "invoice_number", 64).strip(),
        note=forms.text(form, "note", 300),
    )
    try:
        invoice = container_of(request).payments.allocate(
            current_actor(request), item_id, typed.invoice_number, typed.note
        )
    except (RuleViolation, Conflict, InvoiceNotFound, SuspenseNotFound) as error:
        return _render_failure(request, item_id, typed, error)
    query = urlencode({"selesai": "alokasi", "tagihan": invoice.number})
    return RedirectResponse(f"/suspense?{query}", status_code=303)


@router.post("/suspense/{item_id}/kembalikan", include_in_schema=False, dependencies=[RESOLVE])
async def refund(request: Request, item_id: ItemId) -> Response:
    form = await request.form()
    typed = Typed(refund_note=forms.text(form, "note", 300))
    try:
        container_of(request).payments.refund(current_actor(request), item_id, typed.refund_note)
    except (RuleViolation, Conflict, InvoiceNotFound, SuspenseNotFound) as error:
        return _render_failure(request, item_id, typed, error)
    return RedirectResponse("/suspense?selesai=kembalikan", status_code=303)


def _render_failure(
    request: Request,
    item_id: str,
    typed: Typed,
    error: RuleViolation | Conflict | InvoiceNotFound | SuspenseNotFound,
) -> HTMLResponse:
    renderer = web_state(request).renderer
    if isinstance(error, RuleViolation):
        message, status = forms.message_for(error.violations[0], renderer.locale(request)), 422
    elif isinstance(error, Conflict):
        message, status = renderer.gettext(request, error.message_id), 409
    elif isinstance(error, InvoiceNotFound):  # a number nobody issued: mistyped
        message, status = renderer.gettext(request, INVOICE_UNKNOWN), 422
    else:  # allocated or refunded from another screen meanwhile, or never there
        message, status = renderer.gettext(request, ITEM_UNKNOWN), 404
    return _render_suspense(
        request, errors={item_id: message}, typed={item_id: typed}, status_code=status
    )


def _render_suspense(
    request: Request,
    *,
    notes: list[str] | None = None,
    errors: dict[str, str] | None = None,
    typed: dict[str, Typed] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    lang = web_state(request).renderer.locale(request)
    context: dict[str, Any] = {
        "rows": _rows(request),
        "notes": notes or [],
        "errors": errors or {},
        "typed": typed or {},
        "blank": Typed(),
        "moment": lambda at: moment_label(at, lang),
        "month_name": lambda month: month_label(month, lang),
    }
    return web_state(request).renderer.render(
        request, "suspense.html", context, status_code=status_code
    )


def _rows(request: Request) -> list[SuspenseRow]:
    # The officer's branch, with the notice and invoice behind each item (`billing.views`).
    return container_of(request).billing_views.suspense_rows(current_actor(request))
