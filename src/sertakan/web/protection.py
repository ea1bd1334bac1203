"""Status perlindungan: is this worker protected now, until when, and what to pay if not.

`/perlindungan` is the signed-in worker's own; `/peserta/{id}/perlindungan` the same page for
staff, the worker's sponsor and the agent who enrolled them (the coverage service checks who
reaches whom). Built for the worker's phone: one big answer first ("Terlindungi sampai 31
Desember 2026" or "Tidak terlindungi" with the amount that brings protection back), then each
programme with its reason, then the last payments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response

from sertakan.access.permissions import Permission
from sertakan.access.roles import Role
from sertakan.billing.invoice_views import MonthState
from sertakan.billing.model import Invoice, PayerKind
from sertakan.billing.sight import is_payer
from sertakan.http.auth import Requires, current_actor
from sertakan.registry.errors import MemberNotFound
from sertakan.web.billing import moment_label, month_label, months_label
from sertakan.web.error_pages import N_, render_error
from sertakan.web.state import container_of, web_state

router = APIRouter()

READ = Depends(Requires(Permission.MEMBER_READ))
MemberId = Annotated[str, Path(max_length=64)]
LAST_PAYMENTS = 6


@dataclass(frozen=True, slots=True)
class OpenBill:
    invoice: Invoice
    month: str
    payer: str  # the sponsor's name, or "" when the member pays themselves
    # The reader pays it (or is staff): a worker whose sponsor pays sees their share and who
    # pays it, never a button for the sponsor's total (issue 16).
    payable: bool


@router.get(
    "/perlindungan", response_class=HTMLResponse, include_in_schema=False, dependencies=[READ]
)
def own_protection(request: Request) -> Response:
    actor = current_actor(request)
    if actor.member_id is None:  # a sponsor or staff: the page is per worker
        return web_state(request).renderer.render(request, "protection.html", {"cover": None})
    return _render(request, actor.member_id)


@router.get(
    "/peserta/{member_id}/perlindungan",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[READ],
)
def member_protection(request: Request, member_id: MemberId) -> Response:
    return _render(request, member_id)


def _render(request: Request, member_id: str) -> Response:
    container = container_of(request)
    actor = current_actor(request)
    renderer = web_state(request).renderer
    lang = renderer.locale(request)
    try:
        cover = container.coverage.member(actor, member_id)
    except MemberNotFound:
        return render_error(request, 404, [N_("Peserta tidak ditemukan")])
    bills = [
        OpenBill(
            invoice,
            month_label(invoice.month, lang),
            container.money.payer_name(invoice.payer_kind, invoice.payer_id)
            if invoice.payer_kind is PayerKind.SPONSOR
            else "",
            actor.role is not Role.WORKER or is_payer(actor, invoice),
        )
        for invoice in cover.open_invoices
    ]
    is_own = actor.member_id == member_id
    months = container.money.member_months(actor, member_id)
    this_month = months.this_month
    context: dict[str, Any] = {
        "cover": cover,
        "member": cover.member,
        "is_own": is_own,
        "bills": bills,
        "bill_months": months_label([bill.invoice.month for bill in bills], lang),
        # Every open bill is someone else's to pay (a sponsored worker reading): who pays.
        "others_pay": ", ".join(sorted({b.payer for b in bills}))
        if bills and not any(b.payable for b in bills)
        else "",
        "arrears": [month_label(month, lang) for month in cover.arrears],
        "payments": cover.settlements[:LAST_PAYMENTS],
        # This month on no invoice yet (enrolled after it was issued, or not issued): who
        # pays it, and a button that bills it and opens its pay form (three taps to paid).
        "unbilled": this_month is not None and this_month.state is MonthState.UNBILLED,
        "sponsor_name": months.sponsor_name,
        "bill_payer": (
            (PayerKind.SPONSOR.value, months.sponsor_id)
            if months.sponsor_id
            else (PayerKind.MEMBER.value, member_id)
        ),
        "may_bill": not (actor.role is Role.WORKER and months.sponsor_id),
        "month_name": lambda month: month_label(month, lang),
        "moment": lambda at: moment_label(at, lang),
        # The payer's own page for a worker or their sponsor; staff name the member.
        "invoices_url": "/tagihan"
        if is_own or actor.sponsor_id
        else f"/tagihan?{urlencode({'peserta': member_id})}",
    }
    return renderer.render(request, "protection.html", context)
