"""Wiring the web pages into the app: static files, templates, the page routes, the error page.

`setup(app)` is called by `sertakan.app.create_app` after the API router; it builds everything
the pages need (per-language template environments, the region index) at that moment, never
at import time. `error_page` is what the app's exception handlers answer outside `/api`.

Routes (each declares its permission: docs/permissions.md):
    GET  /                       home: SERTAKAN, the programmes, today's prices
    GET/POST /masuk              staff sign-in (username + password)
    GET/POST /masuk/hp, POST /masuk/kode   worker/sponsor sign-in with a phone code; both
                                 take ?next=<path on this site> and return there after it
    POST /keluar                 sign out
    GET  /daftar                 enrolment form (?sponsor=<id> when a sponsor pays)
    POST /daftar                 enrol -> 303 /peserta/{id}, or the form again (422/409)
    GET  /daftar/rincian         live breakdown of the monthly amount (htmx partial)
    GET  /wilayah                <option>s of one region level (htmx partial)
    GET  /peserta/{id}           a member's card
    GET/POST /cari               search by NIK, KPJ or name (POSTed: no NIK in a URL)
    GET  /sponsor                sponsors, paged (?halaman=)
    GET  /sponsor/baru           sponsor registration form
    POST /sponsor/baru           register -> 303 /sponsor/{id}, or the form again (422/409)
    GET  /sponsor/{id}           a sponsor's workers and monthly total
    GET  /cakupan                national enrolment report: Indonesia, or ?provinsi=NN
    GET  /cakupan/unduh.csv      the table shown, as CSV (?provinsi=NN); .parquet likewise
    GET/POST /persetujuan/{id}   the worker's consent code; .../kirim-ulang, .../pernyataan,
                                 .../setujui, .../akhiri: resend, attest, approve, end
    GET  /persetujuan            attestations awaiting a supervisor
    GET  /audit, /audit/unduh.csv  the audit trail (auditor)
    GET/POST /admin/akun, POST /admin/akun/{id}/peran   accounts and roles (admin)
    GET  /tagihan                a payer's invoices: this month's line by line, months ahead,
                                 history (own; staff ?sponsor=<id> or ?peserta=<member id>)
    POST /tagihan/buat, /tagihan/di-muka   issue this month's invoice, or months ahead
    GET  /tagihan/{id}           one invoice, its status and receipt; .../status the fragment
                                 the page polls (htmx) until the gateway's notice lands
    POST /tagihan/{id}/bayar     checkout on a channel -> 303 to the gateway's page
    GET  /tagihan/{id}/kuitansi.pdf   a paid invoice's receipt, cut as the page is
    GET  /peserta/{id}/kartu.pdf the membership card: KPJ, programmes, protected until
    GET  /perlindungan           the signed-in worker's protection status (phone first)
    GET  /peserta/{id}/perlindungan   the same for staff, the sponsor, the enrolling agent
    GET  /tunggakan              overdue invoices per village, with totals (branch)
    GET  /suspense               money in suspense; POST /suspense/{id}/alokasi (allocate to
                                 an invoice number), POST /suspense/{id}/kembalikan (refund)
    GET  /rekonsiliasi           settlement-file reconciliation runs, newest first; /{id} one
                                 run's rows, flagged first; /{id}/unduh.csv the rows as CSV
    GET/POST /sandbox/bayar/{ref} the sandbox gateway's pretend bank (?return_url=/path);
                                 only when the gateway is the sandbox
    /static/...                  CSS, SVG, vendored htmx
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse

from sertakan.bootstrap import Container
from sertakan.gateways.sandbox import SandboxGateway
from sertakan.kernel.errors import Unauthorized
from sertakan.web import (
    accounts,
    audit,
    consent,
    enrolment,
    home,
    invoices,
    member_terms,
    members,
    money,
    nation,
    payments_office,
    protection,
    reconciliation,
    region_options,
    sandbox_bank,
    sign_in,
    sponsors,
)
from sertakan.web.error_pages import render_error
from sertakan.web.region_picker import RegionTree
from sertakan.web.rendering import STATIC_DIR, PageRenderer
from sertakan.web.state import WebState


def setup(app: FastAPI) -> None:
    container: Container = app.state.container
    app.state.web = WebState(renderer=PageRenderer(), regions=RegionTree(container.regions))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (
        home,
        sign_in,
        enrolment,
        members,
        member_terms,
        sponsors,
        consent,
        region_options,
        nation,
        audit,
        accounts,
        invoices,
        money,
        protection,
        payments_office,
        reconciliation,
    ):
        app.include_router(module.router)
    if isinstance(container.gateway, SandboxGateway):
        app.include_router(sandbox_bank.router)  # a real gateway has its own pages


def error_page(request: Request, status: int, messages: list[str]) -> HTMLResponse:
    """An error page in the reader's language: the status, the messages, a link home."""
    return render_error(request, status, messages)


def sign_in_needed(request: Request, error: Unauthorized) -> HTMLResponse:
    """401 on a page: say why, and offer both ways to sign in, each bringing the reader back
    to the page asked for (`next`)."""
    return render_error(request, 401, [error.message_id])
