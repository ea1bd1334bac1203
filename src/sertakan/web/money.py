"""Money documents: the receipt of a paid invoice and the membership card, as PDF; the QRIS
payload as a scannable QR image; and the read models the money pages share.

* `GET /tagihan/{id}/kuitansi.pdf`: who may read the invoice may download its receipt, cut
  the same way as the page (`billing.sight`): a worker on their sponsor's invoice gets their
  own line and who paid it, not the total nor their colleagues.
* `GET /peserta/{id}/kartu.pdf`: the member's card (name, KPJ, programmes, protected until),
  for whoever may read the member (the worker, their sponsor, the agent who enrolled them,
  staff of the branch: `CoverageService.member` checks and audits a refusal).
"""

from __future__ import annotations

from typing import Annotated

import segno
from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from markupsafe import Markup

from sertakan.access.permissions import Permission
from sertakan.billing.model import InvoiceStatus
from sertakan.http.auth import Requires, current_actor
from sertakan.registry.errors import MemberNotFound
from sertakan.web import i18n
from sertakan.web.billing import months_label
from sertakan.web.documents import A6, Document, Row, render_pdf
from sertakan.web.error_pages import N_, render_error
from sertakan.web.state import container_of, web_state

router = APIRouter()

InvoiceId = Annotated[str, Path(max_length=64)]
MemberId = Annotated[str, Path(max_length=64)]

PROGRAM_NAMES = {
    "JKK": N_("Jaminan Kecelakaan Kerja"),
    "JKM": N_("Jaminan Kematian"),
    "JHT": N_("Jaminan Hari Tua"),
}
NOT_PAID_YET = N_("Kuitansi ada setelah tagihan lunas.")


def qr_svg(payload: str, label: str) -> Markup:
    """A QR code of `payload` as inline SVG. QRIS is a regular QR code (never Micro QR, which
    a short payload would otherwise get), error correction M; 4 modules of quiet zone."""
    code = segno.make_qr(payload, error="m")
    # A white background of its own: a scanner needs the quiet zone light whatever the page.
    svg = code.svg_inline(
        scale=5, border=4, title=label, svgclass="qr", lineclass=None, light="#fff"
    )
    return Markup(svg)  # noqa: S704 - segno's own SVG; the title is escaped by segno


def _pdf(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",  # personal data: never kept by a shared cache
        },
    )


@router.get(
    "/tagihan/{invoice_id}/kuitansi.pdf",
    include_in_schema=False,
    dependencies=[Depends(Requires(Permission.INVOICE_READ))],
)
def receipt_pdf(request: Request, invoice_id: InvoiceId) -> Response:
    container = container_of(request)
    renderer = web_state(request).renderer
    lang = renderer.locale(request)

    def _(message: str) -> str:
        return renderer.gettext(request, message)

    view = container.money.invoice(current_actor(request), invoice_id)
    invoice = view.invoice
    if invoice.status is not InvoiceStatus.PAID:
        return render_error(request, 409, [NOT_PAID_YET])

    def rupiah(amount: int) -> str:
        return i18n.format_rupiah(amount, lang)

    facts = [
        Row(_("Nomor tagihan"), invoice.number),
        Row(_("Bulan iuran"), months_label(view.months, lang)),
        Row(_("Dibayar oleh"), view.payer_name),
    ]
    payment = view.payment
    if payment is not None:  # the whole invoice's payment: not for a reader of one line
        facts += [
            Row(_("Jumlah dibayar"), rupiah(payment.amount)),
            Row(_("Cara bayar"), view.channel()),
            Row(_("Diterima"), i18n.format_moment(payment.paid_at, lang)),
            Row(_("Nomor transaksi"), payment.transaction_id),
        ]
    else:
        if invoice.paid_at is not None:
            facts.append(Row(_("Diterima"), i18n.format_moment(invoice.paid_at, lang)))
        facts.append(Row(_("Bagian Anda"), rupiah(sum(item.line.total for item in view.lines))))
    lines = []
    for item in view.lines:
        line = item.line
        parts = [
            f"{code} {rupiah(amount)}"
            for code, amount in (("JKK", line.jkk), ("JKM", line.jkm), ("JHT", line.jht))
            if code in line.programs
        ]
        if line.discount:
            parts.append(f"{_('Potongan PP 50/2025 (sudah dipotong)')} -{rupiah(line.discount)}")
        lines.append(
            Row(
                f"{item.member_name}, {i18n.format_month(line.month, lang)}",
                f"{rupiah(line.total)} ({'; '.join(parts)})",
            )
        )
    document = Document(
        title=_("Kuitansi"),
        subtitle=_("Iuran BPJS Ketenagakerjaan, bukan penerima upah (SERTAKAN)"),
        facts=facts,
        lines_title=_("Rincian"),
        lines=lines,
        footer=_("Dicetak dari Sertakan pada %(when)s.")
        % {"when": i18n.format_moment(container.clock.now(), lang)},
        created_at=container.clock.now(),
    )
    return _pdf(render_pdf(document), f"kuitansi-{invoice.number}.pdf")


@router.get(
    "/peserta/{member_id}/kartu.pdf",
    include_in_schema=False,
    dependencies=[Depends(Requires(Permission.MEMBER_READ))],
)
def card_pdf(request: Request, member_id: MemberId) -> Response:
    container = container_of(request)
    renderer = web_state(request).renderer
    lang = renderer.locale(request)

    def _(message: str) -> str:
        return renderer.gettext(request, message)

    try:
        cover = container.coverage.member(current_actor(request), member_id)
    except MemberNotFound:
        return render_error(request, 404, [N_("Peserta tidak ditemukan")])
    member = cover.member
    if cover.protected_until is not None:
        protection = _("Terlindungi sampai %(date)s") % {
            "date": i18n.format_date_long(cover.protected_until, lang)
        }
    else:
        protection = f"{_('Tidak terlindungi')} ({_(cover.status.label_id)})"
    programs = [Row(code, _(PROGRAM_NAMES.get(code, code))) for code in member.programs]
    document = Document(
        title=_("Kartu peserta"),
        subtitle=_("BPJS Ketenagakerjaan, bukan penerima upah (SERTAKAN)"),
        facts=[
            Row(_("Nama"), member.full_name),
            Row(_("Nomor KPJ"), member.kpj),
            Row(_("Terdaftar sejak"), i18n.format_date_long(member.enrolled_on, lang)),
            Row(_("Perlindungan"), protection),
        ],
        lines_title=_("Program"),
        lines=programs,
        footer=_("Status perlindungan pada %(when)s; periksa status terbaru di Sertakan.")
        % {"when": i18n.format_moment(container.clock.now(), lang)},
        created_at=container.clock.now(),
    )
    return _pdf(render_pdf(document, A6), f"kartu-peserta-{member.kpj}.pdf")
