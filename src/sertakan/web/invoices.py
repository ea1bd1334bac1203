"""Tagihan pages: a payer's invoices, paying one through the gateway, and its receipt.

`/tagihan` is the signed-in sponsor's (or self-paying worker's) own page; staff name the
payer (`?sponsor=<id>` or `?peserta=<member id>`). It shows this month's invoice line by line
(JKK, JKM, JHT and the PP 50/2025 discount already taken off), a button to issue it when the
daily job has not yet, paying months ahead, and the history. Paying is: choose a channel,
POST `/tagihan/{id}/bayar`, follow the 303 to the gateway's page, come back to
`/tagihan/{id}`. The gateway's notice reaches the API on its own time, so the invoice page
polls a small status fragment (htmx, every few seconds) and shows the receipt when it lands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from sertakan.access.actor import Actor
from sertakan.access.permissions import Permission
from sertakan.billing.channels import CHANNELS
from sertakan.billing.invoice_views import InvoiceLabel, InvoiceView
from sertakan.billing.invoicing import IssueReport
from sertakan.billing.model import Invoice, InvoiceStatus, PayerKind
from sertakan.http.auth import Requires, current_actor
from sertakan.kernel.errors import Conflict, RuleViolation
from sertakan.kernel.periods import Month
from sertakan.registry.model import Sponsor
from sertakan.web import forms
from sertakan.web.billing import (
    PayerRef,
    cancel_reason_id,
    moment_label,
    month_label,
    months_label,
    own_payer,
)
from sertakan.web.error_pages import N_, render_error
from sertakan.web.state import container_of, web_state

router = APIRouter()

READ = Depends(Requires(Permission.INVOICE_READ))
PAY = Depends(Requires(Permission.INVOICE_PAY))
InvoiceId = Annotated[str, Path(max_length=64)]
PayerId = Annotated[str | None, Query(max_length=64)]
POLL_SECONDS = 3  # how often an open invoice's page asks whether the notice has landed

ISSUED = N_("Tagihan bulan ini sudah dibuat.")
CHOOSE_PAYER = N_("Pilih pemberi kerja atau peserta yang tagihannya akan dibuat")
CHOOSE_MONTHS = N_("Pilih berapa bulan yang akan dibayar di muka")
NOTHING_ISSUED = N_("Tidak ada iuran yang perlu ditagih bulan ini.")
ALREADY_PAID = N_("%(num)d pekerja sudah membayar bulan ini.")
ALREADY_BILLED = N_("%(num)d pekerja sudah ada di tagihan lain.")
ENDED = N_(
    "Kepesertaan %(num)d pekerja sudah berakhir: pilih Bayar di muka untuk mengaktifkan kembali."
)
REFUSED = N_("%(num)d pekerja tidak dapat ditagih menurut aturan (periksa data pekerja).")
FLASHES = {"dibuat": ISSUED}
BACK_TO_INVOICES = N_("Semua tagihan")
BACK_TO_PROTECTION = N_("Kembali ke status perlindungan")


@dataclass(frozen=True, slots=True)
class AheadOption:
    months: int
    label: str  # "Desember 2026 – Februari 2027"


@router.get("/tagihan", response_class=HTMLResponse, include_in_schema=False, dependencies=[READ])
def invoices_page(
    request: Request, sponsor: PayerId = None, peserta: PayerId = None
) -> HTMLResponse:
    actor = current_actor(request)
    payer = _asked_payer(actor, sponsor, peserta)
    if payer is None:  # staff without a payer named: where to find one
        return web_state(request).renderer.render(request, "invoices.html", {"payer": None})
    flash = FLASHES.get(request.query_params.get("pesan", ""))
    notes = [web_state(request).renderer.gettext(request, flash)] if flash else []
    return _render_payer(request, payer, notes=notes)


@router.post("/tagihan/buat", include_in_schema=False, dependencies=[PAY])
async def issue_this_month(request: Request) -> Response:
    form = await request.form()
    actor = current_actor(request)
    payer = _posted_payer(actor, form)
    if payer is None:
        return render_error(request, 422, [CHOOSE_PAYER])
    container = container_of(request)
    month = Month.of(container.clock.today())
    report = container.invoices.issue_for_payer(actor, payer.kind, payer.id, month)
    if report.issued and forms.text(form, "lanjut", 10) == "bayar":
        # "Bill and pay" (a worker enrolled after the month's invoice, or a month not billed
        # yet): straight to the new invoice's pay form, the second of three taps.
        return RedirectResponse(f"/tagihan/{report.issued[-1]}#form-bayar", status_code=303)
    if report.invoices:
        return RedirectResponse(payer.page_url(actor, pesan="dibuat"), status_code=303)
    # Nothing was written: the page again, saying why nothing was billed.
    return _render_payer(request, payer, notes=_why_nothing(request, report))


@router.post("/tagihan/di-muka", include_in_schema=False, dependencies=[PAY])
async def issue_ahead(request: Request) -> Response:
    form = await request.form()
    actor = current_actor(request)
    payer = _posted_payer(actor, form)
    if payer is None:
        return render_error(request, 422, [CHOOSE_PAYER])
    renderer = web_state(request).renderer
    typed = forms.text(form, "bulan", 3).strip()
    if not typed.isdigit():
        message = renderer.gettext(request, CHOOSE_MONTHS)
        return _render_payer(request, payer, ahead_error=message, status_code=422)
    try:
        invoice = container_of(request).invoices.issue_ahead(
            actor, payer.kind, payer.id, int(typed)
        )
    except RuleViolation as error:
        message = forms.message_for(error.violations[0], renderer.locale(request))
        return _render_payer(request, payer, ahead_error=message, status_code=422)
    except Conflict as error:  # every month asked for is billed or paid already
        message = renderer.gettext(request, error.message_id)
        return _render_payer(request, payer, ahead_error=message, status_code=409)
    return RedirectResponse(f"/tagihan/{invoice.id}", status_code=303)


@router.get(
    "/tagihan/{invoice_id}",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[READ],
)
def invoice_page(request: Request, invoice_id: InvoiceId) -> HTMLResponse:
    return _render_invoice(request, invoice_id)


@router.get(
    "/tagihan/{invoice_id}/status",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[READ],
)
def invoice_status(request: Request, invoice_id: InvoiceId) -> HTMLResponse:
    """The status (and, once paid, the receipt) alone: what the open invoice's page polls."""
    view = container_of(request).money.invoice(current_actor(request), invoice_id)
    return web_state(request).renderer.render(
        request, "invoices_status.html", _invoice_context(request, view) | {"fragment": True}
    )


@router.post("/tagihan/{invoice_id}/bayar", include_in_schema=False, dependencies=[PAY])
async def pay(request: Request, invoice_id: InvoiceId) -> Response:
    form = await request.form()
    channel = forms.text(form, "kanal", 40)
    renderer = web_state(request).renderer
    payments = container_of(request).payments
    try:
        made = await run_in_threadpool(
            payments.checkout, current_actor(request), invoice_id, channel
        )
    except RuleViolation as error:
        message = forms.message_for(error.violations[0], renderer.locale(request))
        return _render_invoice(request, invoice_id, pay_error=message, status_code=422)
    except Conflict as error:  # paid or cancelled meanwhile
        message = renderer.gettext(request, error.message_id)
        return _render_invoice(request, invoice_id, pay_error=message, status_code=409)
    return RedirectResponse(with_return_url(made.pay_url, f"/tagihan/{invoice_id}"), 303)


def with_return_url(pay_url: str, back: str) -> str:
    """The gateway's page, told where to send the payer back (a path on this site)."""
    joiner = "&" if "?" in pay_url else "?"
    return f"{pay_url}{joiner}{urlencode({'return_url': back})}"


# -- internals ------------------------------------------------------------------------------


def _asked_payer(actor: Actor, sponsor: str | None, peserta: str | None) -> PayerRef | None:
    if sponsor:
        return PayerRef(PayerKind.SPONSOR, sponsor)
    if peserta:
        return PayerRef(PayerKind.MEMBER, peserta)
    return own_payer(actor)


def _posted_payer(actor: Actor, form: FormData) -> PayerRef | None:
    kind = forms.text(form, "pembayar", 20)
    payer_id = forms.text(form, "id", 64).strip()
    if not kind and not payer_id:
        return own_payer(actor)
    try:
        return PayerRef(PayerKind(kind), payer_id) if payer_id else None
    except ValueError:
        return None


def _why_nothing(request: Request, report: IssueReport) -> list[str]:
    renderer = web_state(request).renderer

    def counted(message: str, num: int) -> str:
        return renderer.gettext(request, message) % {"num": num}

    notes = [renderer.gettext(request, NOTHING_ISSUED)]
    if report.already_paid:
        notes.append(counted(ALREADY_PAID, report.already_paid))
    if report.already_billed:
        notes.append(counted(ALREADY_BILLED, report.already_billed))
    if report.ended:
        notes.append(counted(ENDED, report.ended))
    refused = sum(report.refused.values())
    if refused:
        notes.append(counted(REFUSED, refused))
    return notes


def _render_payer(
    request: Request,
    payer: PayerRef,
    *,
    notes: list[str] | None = None,
    ahead_error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    container = container_of(request)
    actor = current_actor(request)
    renderer = web_state(request).renderer
    lang = renderer.locale(request)
    today = container.clock.today()
    this_month = Month.of(today)
    views = container.money
    labels = views.labels(actor, payer.kind, payer.id)  # checks the scope
    sponsor: Sponsor | None = None
    if payer.kind is PayerKind.MEMBER:  # a worker whose sponsor pays gets no bill of their own
        sponsor = container.registry.member_card(actor, payer.id).sponsor
    # This month's invoices: those whose lines bill it (a bill of months ahead is headed by
    # its months, not by the month it was issued in), the open ones first.
    current = sorted(
        (
            label
            for label in labels
            if this_month in label.months and label.invoice.status is not InvoiceStatus.CANCELLED
        ),
        key=lambda label: (not label.invoice.is_open, label.invoice.created_at),
    )
    limit = container.params.bpu.prepayment.value_on(today).value.max_months_ahead
    overdue = [label for label in labels if label.invoice.is_open and label.invoice.due_on < today]
    context: dict[str, Any] = {
        "payer": payer,
        "payer_name": container.money.payer_name(payer.kind, payer.id),
        "is_own": payer.is_own(actor),
        "sponsored_by": sponsor,
        "this_month": month_label(this_month, lang),
        "current": [container.money.invoice(actor, label.invoice.id) for label in current],
        "unbilled": 0
        if sponsor
        else views.unbilled_members(actor, payer.kind, payer.id, this_month),
        "payer_months": views.payer_months(actor, payer.kind, payer.id),
        "member_months": views.member_months(actor, payer.id) if sponsor else None,
        "overdue": overdue,
        "overdue_total": sum(label.invoice.total for label in overdue),
        "ahead_options": [
            AheadOption(n, months_label([this_month.plus(i) for i in range(n)], lang))
            for n in range(1, limit + 1)
        ],
        "ahead_error": ahead_error,
        "notes": notes or [],
        "today": today,
        "channels": CHANNELS,
        **_labels(lang),
    }
    return renderer.render(request, "invoices.html", context, status_code=status_code)


def _render_invoice(
    request: Request, invoice_id: str, *, pay_error: str = "", status_code: int = 200
) -> HTMLResponse:
    actor = current_actor(request)
    view = container_of(request).money.invoice(actor, invoice_id)
    renderer = web_state(request).renderer
    if view.only_own_line:  # a worker on their sponsor's invoice: back to their own page
        back_url, back_label = "/perlindungan", BACK_TO_PROTECTION
    else:
        invoice = view.invoice
        back_url = PayerRef(invoice.payer_kind, invoice.payer_id).page_url(actor)
        back_label = BACK_TO_INVOICES
    context = _invoice_context(request, view) | {
        "pay_error": pay_error,
        "fragment": False,
        "back_url": back_url,
        "back_label": renderer.gettext(request, back_label),
    }
    return web_state(request).renderer.render(
        request, "invoices_detail.html", context, status_code=status_code
    )


def _invoice_context(request: Request, view: InvoiceView) -> dict[str, Any]:
    lang = web_state(request).renderer.locale(request)
    today = container_of(request).clock.today()
    return {
        "view": view,
        "invoice": view.invoice,
        "overdue": view.is_overdue(today),
        "months": months_label(view.months, lang),
        "channels": CHANNELS,
        "poll_seconds": POLL_SECONDS,
        **_labels(lang),
    }


def _labels(lang: str) -> dict[str, Any]:
    """Formatting functions the billing templates call, in the page's language."""

    def invoice_months(invoice: Invoice | InvoiceLabel) -> str:
        """An invoice's heading: the months its lines bill."""
        if isinstance(invoice, InvoiceLabel):
            return months_label(invoice.months or (invoice.invoice.month,), lang)
        return month_label(invoice.month, lang)

    return {
        "month_name": lambda month: month_label(month, lang),
        "months_of": lambda months: months_label(months, lang),
        "moment": lambda at: moment_label(at, lang),
        "invoice_month": invoice_months,
        "cancel_reason": cancel_reason_id,
    }
