"""Security headers, a request-size limit and a control-character guard, as pure ASGI middleware.

`SecurityHeaders` adds a Content-Security-Policy and the other headers the OWASP HTTP Headers
Cheat Sheet recommends to every HTTP response, and `Cache-Control: no-store` to every answer but
the static assets; `BodySizeLimit` refuses request bodies over a limit with 413, whether or not
they declare their length; `ControlCharacters` refuses text holding control characters with 422
before any route (or database) sees it. All are plain ASGI (no `BaseHTTPMiddleware`), so streamed
requests and responses pass through untouched.

Order in `create_app`: `ControlCharacters` inside `BodySizeLimit` (it reads the body the limit
has bounded), and `SecurityHeaders` outermost (the last added), so that the 413, 422 and 500
answers carry the headers too.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sertakan.web.error_pages import N_, render_error

# The pages load only their own CSS, images, and the vendored htmx: nothing inline, nothing
# from elsewhere (OWASP Content Security Policy Cheat Sheet, "strict" policy without nonces).
# form-action guards where forms post; frame-ancestors replaces X-Frame-Options; base-uri
# stops an injected <base> from redirecting relative URLs.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

# /docs (Swagger UI, served from our own /docs/assets/, see `web.api_docs`) gets its own
# policy: still nothing from elsewhere; its one inline start script runs by its hash (the page
# adds it), never 'unsafe-inline'. Swagger UI sets style="" attributes, hence 'unsafe-inline'
# for styles only; its icons are data: SVGs. It shows our own OpenAPI document only, holds no
# user data, and still may not be framed.
DOCS_PATHS = ("/docs",)


def docs_content_security_policy(script_hashes: Iterable[str] = ()) -> str:
    """The docs page's policy; `script_hashes` ('sha256-...') are its inline scripts."""
    return "; ".join(
        [
            "default-src 'self'",
            " ".join(["script-src 'self'", *script_hashes]),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


DOCS_CONTENT_SECURITY_POLICY = docs_content_security_policy()

# A year, subdomains included (OWASP HTTP Strict Transport Security Cheat Sheet). Only for an
# HTTPS deployment: a browser that sees it refuses plain HTTP to the host for that long.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"

COMMON_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),  # for browsers older than CSP frame-ancestors
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)

# Every dynamic answer may hold personal data (an officer's page shows the unmasked NIK), and a
# shared or back-button cache must not keep it: no-store (OWASP Session Management Cheat Sheet,
# "Web Content Caching"; RFC 9111 §5.2.2.5). The static assets (CSS, htmx, icons) hold none and
# may be cached.
NO_STORE = ("Cache-Control", "no-store")
STATIC_PREFIX = "/static/"

DEFAULT_MAX_BYTES = 1024 * 1024
# The same as sertakan.api.problems (web may not import api: they are sibling layers).
PROBLEM = "application/problem+json"
PROBLEM_BASE = "https://sertakan.example/problems/"


class SecurityHeaders:
    """Adds the security headers to every HTTP response; a header the app already set is kept.

    `hsts=True` adds Strict-Transport-Security: only behind HTTPS. `docs_paths` get the docs
    policy (`DOCS_CONTENT_SECURITY_POLICY`) instead of the strict one.
    """

    def __init__(
        self, app: ASGIApp, *, hsts: bool = False, docs_paths: Iterable[str] = DOCS_PATHS
    ) -> None:
        self.app = app
        self.hsts = hsts
        self.docs_paths = frozenset(docs_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response as it starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = (
            DOCS_CONTENT_SECURITY_POLICY
            if route_path(scope) in self.docs_paths
            else CONTENT_SECURITY_POLICY
        )
        headers = [("Content-Security-Policy", policy), *COMMON_HEADERS]
        if not route_path(scope).startswith(STATIC_PREFIX):
            headers.append(NO_STORE)
        if self.hsts:
            headers.append(("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                present = {key.lower() for key in response_headers}
                for name, value in headers:
                    if name.lower() not in present:
                        response_headers.append(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _BodyTooLarge(Exception):
    """Raised into the app from `receive` when the body passes the limit."""


class BodySizeLimit:
    """Refuses request bodies larger than `max_bytes` with 413 Content Too Large.

    A declared Content-Length over the limit is refused before the app runs. A body without
    one (chunked) is counted as it streams in; at the limit the app's `receive` raises, its
    answer is dropped and the 413 sent instead. Under /api/ the 413 is problem+json (RFC 9457),
    elsewhere a short page in Bahasa Indonesia. (A response the app had already started before
    the body ran over cannot be taken back: the error then ends the connection.)
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if max_bytes < 0:
            raise ValueError("max_bytes cannot be negative")
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse at once, or pass the request on while counting its body."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return

        received = 0
        too_large = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            if too_large:
                raise _BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if too_large and not started:
                return  # the app's answer to a body it never got whole: the 413 replaces it
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            # Whatever the app made of the interrupted read (our exception, a 400 it raised,
            # an exception group) is the consequence of the refusal, unless it had answered.
            if not too_large or started:
                raise
        if too_large and not started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        await too_large_response(scope, self.max_bytes)(scope, receive, send)


def too_large_response(scope: Scope, max_bytes: int) -> Response:
    """The 413 answer: problem+json under /api/, a short Indonesian page elsewhere."""
    size = _size_words(max_bytes)
    if route_path(scope).startswith("/api/"):
        english = f"The request body is larger than the limit of {max_bytes} bytes"
        body = {
            "type": PROBLEM_BASE + "too-large",
            "title": "Request body too large",
            "status": 413,
            "detail": english,
            "errors": [
                {
                    "field": "body",
                    "rule": "request.too_large",
                    "message": english,
                    "message_id": f"Kiriman terlalu besar (batas {size})",
                    "reference": "RFC 9110 §15.5.14",
                }
            ],
        }
        return Response(json.dumps(body), status_code=413, media_type=PROBLEM)
    page = (
        '<!doctype html><html lang="id"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Kiriman terlalu besar</title></head><body>"
        "<h1>Kiriman terlalu besar</h1>"
        f"<p>Batas ukuran kiriman adalah {size}. Kurangi isian atau lampiran, lalu coba lagi.</p>"
        '<p><a href="/">Kembali ke beranda</a></p></body></html>'
    )
    return Response(page, status_code=413, media_type="text/html; charset=utf-8")


def route_path(scope: Scope) -> str:
    """The request path inside the app (without the `root_path` a proxy mounts it under)."""
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root) :] or "/"
    return path


def _content_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    if value is None or not (value.strip().isascii() and value.strip().isdigit()):
        return None  # the server rejects a malformed length; the count still applies
    return int(value)


def _size_words(max_bytes: int) -> str:
    mib, kib = 1024 * 1024, 1024
    if max_bytes >= mib:
        return f"{max_bytes / mib:g} MB".replace(".", ",")  # Indonesian decimal comma
    if max_bytes >= kib:
        return f"{max_bytes / kib:g} KB".replace(".", ",")
    return f"{max_bytes} byte"


# --- control characters ----------------------------------------------------------------------

# What a person can type in a field: never a control character (Unicode category Cc: the C0
# set with NUL, DEL, the C1 set). A NUL makes PostgreSQL refuse the statement (a 500 whose log
# held the row) and cuts SQLite's LIKE pattern short (a search matching everyone); the others
# corrupt exports, SMS texts and logs (OWASP Input Validation Cheat Sheet, "Validating free-form
# Unicode text": allow-list the character categories). No field of ours is multi-line (no
# textarea, no multi-line API field), so tab, CR and LF are refused too; a field that becomes
# multi-line names itself in `MULTI_LINE_FIELDS` and keeps those three.
MULTI_LINE_FIELDS: frozenset[str] = frozenset()
LINE_BREAKS = frozenset("\t\r\n")
CONTROL_RULE = "request.control_character"
CONTROL_REFERENCE = "OWASP Input Validation Cheat Sheet"
CONTROL_MESSAGE_ID = N_("Isian berisi karakter kontrol yang tidak diizinkan")
JSON_TYPES = ("application/json",)
FORM_TYPE = "application/x-www-form-urlencoded"


def has_control(text: str, *, multi_line: bool = False) -> bool:
    """Whether `text` holds a control character (tab, CR and LF pass in a multi-line field)."""
    return any(
        unicodedata.category(char) == "Cc" and not (multi_line and char in LINE_BREAKS)
        for char in text
    )


class ControlCharacters:
    """Refuses with 422 a request whose path, query, JSON body or urlencoded form holds a
    control character, naming the field (problem+json under /api/, the Indonesian error page
    elsewhere).

    One place for every route rather than one string type per schema: forms, query strings and
    path parameters do not all pass through Pydantic, and a route added tomorrow is covered
    without anyone remembering it. Multipart bodies are left alone (files are binary; no form
    of ours is multipart). `skip_bodies` lists paths whose body is judged item by item by the
    route itself (the gateway's notice batch keeps a bad notice with its reason and applies the
    good ones); their path and query are still checked.
    """

    def __init__(self, app: ASGIApp, *, skip_bodies: Iterable[str] = ()) -> None:
        self.app = app
        self.skip_bodies = frozenset(skip_bodies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        field = _control_in_path_or_query(scope)
        media = Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower()
        checked = media in JSON_TYPES or media.endswith("+json") or media == FORM_TYPE
        if field is None and checked and route_path(scope) not in self.skip_bodies:
            body, receive = await _read_body(receive)
            field = _control_in_body(body, media)
        if field is not None:
            await control_refusal(scope, field)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def control_refusal(scope: Scope, field: str) -> Response:
    """The 422 answer naming `field`: problem+json under /api/, the error page elsewhere."""
    if route_path(scope).startswith("/api/"):
        english = f"{field}: control characters (such as NUL) are not allowed"
        body = {
            "type": PROBLEM_BASE + "invalid-request",
            "title": "The request is malformed",
            "status": 422,
            "detail": f"invalid: {field}",
            "errors": [
                {
                    "field": field,
                    "rule": CONTROL_RULE,
                    "message": english,
                    "message_id": CONTROL_MESSAGE_ID,
                    "reference": CONTROL_REFERENCE,
                }
            ],
        }
        return Response(json.dumps(body), status_code=422, media_type=PROBLEM)
    return render_error(Request(scope), 422, [CONTROL_MESSAGE_ID])


def _control_in_path_or_query(scope: Scope) -> str | None:
    if has_control(scope.get("path", "")):
        return "path"
    # UTF-8, as browsers encode: bytes read as Latin-1 would turn UTF-8 continuation bytes
    # into C1 "controls" that were never typed.
    query = bytes(scope.get("query_string", b"")).decode("utf-8", errors="replace")
    return _first_control_pair(parse_qsl(query, keep_blank_values=True, errors="replace"))


def _first_control_pair(pairs: Iterable[tuple[str, str]]) -> str | None:
    for name, value in pairs:
        if has_control(name):
            return "name"  # the name itself is the bad text: do not echo it
        if has_control(value, multi_line=name in MULTI_LINE_FIELDS):
            return name
    return None


async def _read_body(receive: Receive) -> tuple[bytes, Receive]:
    """The whole body (bounded by `BodySizeLimit` outside), and a `receive` that replays it."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client left: let the app see it
            return b"".join(chunks), _replay(b"".join(chunks), message, receive)
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks), _replay(b"".join(chunks), None, receive)


def _replay(body: bytes, last: Message | None, receive: Receive) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    if last is not None:
        pending = [last]

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()  # after the body: http.disconnect, as the server sends it

    return replay


def _control_in_body(body: bytes, media: str) -> str | None:
    if media == FORM_TYPE:
        text = body.decode("utf-8", errors="replace")
        return _first_control_pair(parse_qsl(text, keep_blank_values=True, errors="replace"))
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, too deep: the route answers
        return None
    return _control_in_json(document)


def _control_in_json(document: Any) -> str | None:
    """The dotted place of the first string holding a control character (depth-first, without
    recursion: a body may nest as deep as the JSON parser allows)."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(document, ())]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            name = where[-1] if where else ""
            if has_control(value, multi_line=name in MULTI_LINE_FIELDS):
                return ".".join(where) or "body"
        elif isinstance(value, dict):
            for key in value:
                if has_control(key):
                    return ".".join(where) or "body"  # a bad key: where it sits, not the key
            stack.extend((item, (*where, key)) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((item, (*where, str(i))) for i, item in reversed(list(enumerate(value))))
    return None
