"""The error page: the status, what went wrong in plain words, and the way home.

Never a stack trace. Messages arrive in Bahasa Indonesia (message ids); an English page shows
the catalogue's translation where there is one, and the Indonesian text otherwise.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse

from sertakan.web.state import web_state


def N_(message: str) -> str:
    """Mark a message id for the catalogue; it is translated when the page is rendered."""
    return message


TITLES = {
    401: N_("Silakan masuk"),
    403: N_("Akses ditolak"),
    429: N_("Terlalu banyak permintaan"),
    404: N_("Halaman tidak ditemukan"),
    409: N_("Data sudah ada"),
    422: N_("Isian belum benar"),
    500: N_("Terjadi kesalahan"),
}
OTHER_TITLE = N_("Permintaan tidak dapat diproses")

# The messages sertakan.app's exception handlers show on pages: defined here, once, so that
# pybabel extracts them and the app refers to them by name.
NOT_FOUND = N_("Data tidak ditemukan")
INVALID_INPUT = N_("Isian tidak valid")
NO_RULE_FOR_DATE = N_("Aturan untuk tanggal ini belum ada")
UNEXPECTED = N_("Terjadi kesalahan. Tidak ada data yang berubah.")
# The framework's English reasons ("Method Not Allowed") stay in the API; pages say it plainly.
HTTP_MESSAGES = {
    404: N_("Halaman tidak ditemukan"),
    405: N_("Halaman ini tidak bisa dibuka dengan cara itu"),
    413: N_("Isian terlalu besar"),
}
OTHER_HTTP = OTHER_TITLE


def render_error(request: Request, status: int, messages: list[str]) -> HTMLResponse:
    try:
        renderer = web_state(request).renderer
    except AttributeError:  # the pages were never set up: still no trace, still Indonesian
        text = "".join(f"<p>{_escape(m)}</p>" for m in messages)
        return HTMLResponse(
            f"<!doctype html><html lang='id'><title>{status}</title><h1>{status}</h1>{text}"
            "<p><a href='/'>Kembali ke beranda</a></p></html>",
            status_code=status,
        )
    translated = [renderer.gettext(request, message) for message in messages]
    title = TITLES.get(status, TITLES[500] if status >= 500 else OTHER_TITLE)
    return renderer.render(
        request,
        "error.html",
        {
            "status": status,
            "title": renderer.gettext(request, title),
            "messages": translated,
            "sign_in": status == 401,
        },
        status_code=status,
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
