"""Wiring the web pages into the app: static files, templates, the page routes, the error page.

`setup(app)` is called by `sertakan.app.create_app` after the API router; it builds everything
the pages need (per-language template environments, the region index) at that moment, never
at import time. `error_page` is what the app's exception handlers answer outside `/api`.

Routes (each declares its permission: docs/permissions.md):
    GET  /                       home: SERTAKAN, the programmes, today's prices
    GET/POST /masuk              staff sign-in (username + password)
    GET/POST /masuk/hp, POST /masuk/kode   worker/sponsor sign-in with a phone code
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
    GET  /cakupan                coverage report: Indonesia, or ?provinsi=NN for its regencies
    GET  /cakupan/unduh.csv      the table shown, as CSV (?provinsi=NN); .parquet likewise
    GET/POST /persetujuan/{id}   the worker's consent code; .../kirim-ulang, .../pernyataan,
                                 .../setujui, .../akhiri: resend, attest, approve, end
    GET  /persetujuan            attestations awaiting a supervisor
    GET  /audit, /audit/unduh.csv  the audit trail (auditor)
    GET/POST /admin/akun, POST /admin/akun/{id}/peran   accounts and roles (admin)
    /static/...                  CSS, SVG, vendored htmx
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse

from sertakan.bootstrap import Container
from sertakan.kernel.errors import Unauthorized
from sertakan.web import (
    accounts,
    audit,
    consent,
    coverage,
    enrolment,
    home,
    members,
    region_options,
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
        sponsors,
        consent,
        region_options,
        coverage,
        audit,
        accounts,
    ):
        app.include_router(module.router)


def error_page(request: Request, status: int, messages: list[str]) -> HTMLResponse:
    """An error page in the reader's language: the status, the messages, a link home."""
    return render_error(request, status, messages)


def sign_in_needed(request: Request, error: Unauthorized) -> HTMLResponse:
    """401 on a page: say why, and offer both ways to sign in."""
    return render_error(request, 401, [error.message_id])
