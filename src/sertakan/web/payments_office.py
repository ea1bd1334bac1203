"""The branch office's payment pages: arrears per village, and the suspense list.

`/tunggakan` groups the open invoices past their due date by the village each worker lives
in, with totals, so an officer knows where to go knocking. `/suspense` lists money that came
in but could not be applied as it came (unknown invoice number, wrong amount, a cancelled or
already paid invoice); an officer allocates it to the invoice the payer meant, or marks it to
be refunded with a note. A mistake is shown on the page in Indonesian, next to the item, with
what was typed: nothing is lost. The auditor reads both lists and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sertakan.access.permissions import Permission
from sertakan.billing.channels import channel_label
from sertakan.billing.errors import InvoiceNotFound, SuspenseNotFound
from sertakan.billing.model import Invoice, PayerKind, SuspenseItem
from sertakan.bootstrap import Container
from sertakan.http.auth import Requires, current_actor
from sertakan.kernel.errors import Conflict, RuleViolation
from sertakan.kernel.periods import Month
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


@dataclass(frozen=True, slots=True)
class ArrearsRow:
    """One worker on one overdue invoice."""

    member_id: str
    name: str
    invoice: Invoice
    months: str
    amount: int
    payer: str  # the sponsor's name, or "" when the worker pays themselves


@dataclass
class VillageArrears:
    code: str
    name: str
    place: str  # "Kec. Bogor Selatan, Kota Bogor"
    rows: list[ArrearsRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(row.amount for row in self.rows)

    @property
    def members(self) -> int:
        return len({row.member_id for row in self.rows})


@router.get(
    "/tunggakan", response_class=HTMLResponse, include_in_schema=False, dependencies=[REVIEW]
)
def arrears_page(request: Request) -> HTMLResponse:
    container = container_of(request)
    renderer = web_state(request).renderer
    lang = renderer.locale(request)
    overdue = container.invoices.arrears(current_actor(request))  # the officer's branch
    villages = _by_village(container, overdue, lang, renderer.gettext(request, UNKNOWN_VILLAGE))
    return renderer.render(
        request,
        "arrears.html",
        {
            "villages": villages,
            "invoices": len(overdue),
            "total": sum(invoice.total for invoice in overdue),
            "members": sum(village.members for village in villages),
            "today": container.clock.today(),
        },
    )


def _by_village(
    container: Container, overdue: list[Invoice], lang: str, unknown: str
) -> list[VillageArrears]:
    """The overdue invoices' workers, grouped by the village they live in (a sponsor's
    invoice may span villages: each worker's share is counted where they live)."""
    villages: dict[str, VillageArrears] = {}
    # The service listed these invoices for this reader; names and places are read beside.
    with container.uow() as uow:
        payers: dict[str, str] = {}
        for invoice in overdue:
            if invoice.payer_kind is PayerKind.SPONSOR and invoice.payer_id not in payers:
                sponsor = uow.sponsors.get(invoice.payer_id)
                payers[invoice.payer_id] = sponsor.name if sponsor else ""
            per_member: dict[str, list[tuple[Month, int]]] = defaultdict(list)
            for line in uow.invoices.lines(invoice.id):
                per_member[line.member_id].append((line.month, line.total))
            for member_id, parts in per_member.items():
                member = uow.members.get(member_id)
                code = member.region_code if member else ""
                village = villages.get(code)
                if village is None:
                    found = container.regions.village(code) if code else None
                    village = VillageArrears(
                        code,
                        found.name if found else unknown,
                        f"{found.district.name}, {found.regency.name}" if found else code,
                    )
                    villages[code] = village
                village.rows.append(
                    ArrearsRow(
                        member_id=member_id,
                        name=member.full_name if member else member_id,
                        invoice=invoice,
                        months=months_label([month for month, _ in parts], lang),
                        amount=sum(amount for _, amount in parts),
                        payer=payers.get(invoice.payer_id, ""),
                    )
                )
    for village in villages.values():
        village.rows.sort(key=lambda row: (row.name, row.invoice.month))
    return sorted(villages.values(), key=lambda v: (-v.total, v.name))


# -- suspense ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SuspenseRow:
    item: SuspenseItem
    invoice_number: str  # as the notice named it
    channel: str
    paid_at: dt.datetime | None
    transaction_id: str
    invoice: Invoice | None  # the invoice the notice named, when it exists
    payer: str


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
    container = container_of(request)
    items = container.payments.suspense(current_actor(request))  # the officer's branch
    rows: list[SuspenseRow] = []
    with container.uow() as uow:  # the notice and invoice behind each item, read beside
        for item in items:
            notice = uow.notices.get(item.notice_id)
            invoice = uow.invoices.get(item.invoice_id) if item.invoice_id else None
            payer = ""
            if invoice is not None and invoice.payer_kind is PayerKind.SPONSOR:
                sponsor = uow.sponsors.get(invoice.payer_id)
                payer = sponsor.name if sponsor else ""
            elif invoice is not None:
                member = uow.members.get(invoice.payer_id)
                payer = member.full_name if member else ""
            rows.append(
                SuspenseRow(
                    item=item,
                    invoice_number=notice.invoice_number if notice else "",
                    channel=channel_label(notice.channel) if notice else "",
                    paid_at=notice.paid_at if notice else None,
                    transaction_id=notice.transaction_id if notice else "",
                    invoice=invoice,
                    payer=payer,
                )
            )
    return rows
