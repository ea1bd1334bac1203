"""The error page: what went wrong in plain words, what to do about it, and the way forward.

Never a stack trace, never a bare status code (issue 16, "no walls"). Messages arrive in Bahasa
Indonesia (message ids); the page is in the reader's language as every page is (`?lang=`, then
the cookie), the catalogue's translation where there is one. Each refusal offers a way on:
401 the two sign-ins, carrying the page asked for as `next` so that signing in comes back to
it; 403 and 404 the reader's own page and the home page, and who to ask (the branch office);
405 and 429 the home page and what to do instead.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse

from sertakan.http.auth import current_actor
from sertakan.web.next_target import here, landing, sign_in_url
from sertakan.web.state import web_state


def N_(message: str) -> str:
    """Mark a message id for the catalogue; it is translated when the page is rendered."""
    return message


TITLES = {
    401: N_("Silakan masuk"),
    403: N_("Akses ditolak"),
    429: N_("Terlalu banyak permintaan"),
    404: N_("Halaman tidak ditemukan"),
    405: N_("Tidak bisa dibuka dengan cara itu"),
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
# kernel.errors.Unauthorized and Forbidden carry these ids (and registry.guard's scope refusal,
# http.auth's CSRF refusal): marked here, where pybabel looks, so that an English 401 or 403
# page is English throughout.
SIGN_IN_FIRST = N_("Silakan masuk terlebih dahulu")
NOT_YOURS = N_("Anda tidak berhak membuka atau mengubah data ini")
OUT_OF_SCOPE = N_("Data ini di luar wewenang Anda (bukan pekerja, sponsor, atau cabang Anda)")
FORM_EXPIRED = N_("Formulir kedaluwarsa atau tidak sah: muat ulang halaman lalu kirim lagi")
# The framework's English reasons ("Method Not Allowed") stay in the API; pages say it plainly.
HTTP_MESSAGES = {
    404: N_("Halaman tidak ditemukan"),
    405: N_("Halaman ini tidak bisa dibuka dengan cara itu"),
    413: N_("Isian terlalu besar"),
}
OTHER_HTTP = OTHER_TITLE
# What the reader can do next, under the messages.
HINTS = {
    401: N_("Masuk dulu; setelah itu Anda kembali ke halaman yang Anda buka tadi."),
    403: N_(
        "Halaman ini bukan untuk akun Anda. Bila menurut Anda seharusnya boleh, tanyakan ke "
        "kantor cabang BPJS Ketenagakerjaan dan sebutkan kode ini."
    ),
    404: N_(
        "Periksa alamatnya, atau mulai lagi dari beranda. Bila tautan ini dari kami, beri tahu "
        "kantor cabang BPJS Ketenagakerjaan."
    ),
    405: N_("Buka halaman ini lewat tautan atau tombol di situs, bukan lewat alamat yang diketik."),
    429: N_("Tunggu sebentar, lalu coba lagi."),
}


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
    title = renderer.gettext(
        request, TITLES.get(status, TITLES[500] if status >= 500 else OTHER_TITLE)
    )
    # A message that only repeats the title ("Halaman tidak ditemukan" twice) is said once.
    translated = [t for t in (renderer.gettext(request, m) for m in messages) if t != title]
    hint = HINTS.get(status)
    actor = current_actor(request)
    back = here(request) if status == 401 else None
    return renderer.render(
        request,
        "error.html",
        {
            "status": status,
            "title": title,
            "messages": translated,
            "hint": renderer.gettext(request, hint) if hint else "",
            "sign_in": status == 401,
            "phone_url": sign_in_url(back, phone=True),
            "staff_url": sign_in_url(back, phone=False),
            "my_page": landing(actor) if actor.is_signed_in else "",
        },
        status_code=status,
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
