"""Per-request plumbing: a request id for the audit trail, and the pre-sign-in CSRF cookie."""

from __future__ import annotations

import re
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sertakan.http.auth import CSRF_COOKIE

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContext:
    """Gives each request an id (a well-formed incoming X-Request-ID is kept, so a proxy's id
    links its log to our audit trail), echoes it back, and sets the CSRF cookie of a visitor
    who is not signed in when a page made one for them."""

    def __init__(self, app: ASGIApp, *, secure_cookies: bool = False) -> None:
        self.app = app
        self.secure = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        rid = incoming if _REQUEST_ID.match(incoming) else secrets.token_hex(8)
        state = scope.setdefault("state", {})
        state["request_id"] = rid

        async def send_with_context(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", rid.encode()))
                token = state.get("anonymous_csrf")
                if token and _cookies(scope).get(CSRF_COOKIE) != token:
                    flags = "; HttpOnly; SameSite=Strict; Path=/" + (
                        "; Secure" if self.secure else ""
                    )
                    headers.append((b"set-cookie", f"{CSRF_COOKIE}={token}{flags}".encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_context)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return ""


def _cookies(scope: Scope) -> dict[str, str]:
    raw = _header(scope, b"cookie")
    pairs = (part.strip().partition("=") for part in raw.split(";") if "=" in part)
    return {name: value for name, _, value in pairs}
