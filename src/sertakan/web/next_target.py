"""Where a visitor was going when they were asked to sign in, and the way back after it.

A page that needs a sign-in sends the visitor to `/masuk/hp?next=/daftar` (or `/masuk?next=`);
the sign-in forms carry `next` along, and a successful sign-in goes there instead of the role's
landing page. Only a path on this site is taken: an absolute URL, a scheme, a network path
(`//host`), a backslash (browsers read `/\\host` as `//host`) or a control character would
make the sign-in page an open redirect (OWASP Unvalidated Redirects and Forwards Cheat Sheet,
"validate the supplied value": only relative paths on our own site). The sign-in pages
themselves are never a target (no loop back into the form).
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from starlette.requests import Request

from sertakan.access.actor import Actor
from sertakan.access.roles import Role

MAX_LENGTH = 512
SIGN_IN_PATHS = ("/masuk", "/keluar")
NEXT_FIELD = "next"


def safe_next(value: str | None) -> str | None:
    """`value` if it is a path on this site a sign-in may return to, else None."""
    if not value or len(value) > MAX_LENGTH:
        return None
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    if any(parts.path == p or parts.path.startswith(p + "/") for p in SIGN_IN_PATHS):
        return None
    return value


def here(request: Request) -> str:
    """The page being read, to come back to after signing in: only a whole page opened with
    GET (a form's POST address or an htmx fragment is no page to return to), never "/"."""
    if request.method != "GET" or request.headers.get("HX-Request") or request.url.path == "/":
        return ""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def sign_in_url(target: str | None, *, phone: bool = True) -> str:
    """The sign-in page (`/masuk/hp` for workers and sponsors, `/masuk` for staff), carrying
    `target` as `next` when it is a safe one."""
    page = "/masuk/hp" if phone else "/masuk"
    checked = safe_next(target)
    return f"{page}?{urlencode({NEXT_FIELD: checked})}" if checked else page


def landing(actor: Actor) -> str:
    """Where each role starts after signing in (and the "my page" way out of an error page)."""
    if actor.member_id:
        return f"/peserta/{actor.member_id}"
    if actor.sponsor_id:
        return f"/sponsor/{actor.sponsor_id}"
    return {
        Role.AGENT: "/daftar",
        Role.OFFICER: "/cari",
        Role.SUPERVISOR: "/persetujuan",
        Role.AUDITOR: "/audit",
        Role.ADMIN: "/admin/akun",
    }.get(actor.role, "/")
