"""Who is asking, and may they use this route.

Every API and web route declares one permission with `Depends(Requires(Permission.X))` (a test
walks the router and fails on a route without one). The API takes OAuth2 bearer tokens only;
the pages take the session cookie only, so a cookie never authorises an API call and a page
form never accepts a token: cross-site requests cannot ride on either. Unsafe page requests
must carry the CSRF token (synchronizer token of the session, or a double-submit cookie before
sign-in; OWASP CSRF Prevention Cheat Sheet).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import partial
from typing import NoReturn

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from sertakan.access.actor import Actor
from sertakan.access.model import TokenKind
from sertakan.access.permissions import Permission, allows
from sertakan.access.service import Resolved
from sertakan.bootstrap import Container
from sertakan.kernel.errors import Forbidden, Unauthorized

SESSION_COOKIE = "sertakan_sesi"
CSRF_COOKIE = "sertakan_csrf"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def forged_token() -> Unauthorized:
    return Unauthorized(
        "The bearer token is unknown, expired or revoked: sign in again",
        "Token tidak dikenal, kedaluwarsa, atau sudah dicabut: silakan masuk lagi",
        "access.token.invalid",
    )


def csrf_missing() -> Forbidden:
    return Forbidden(
        "The form's CSRF token is missing or wrong: reload the page and send it again",
        "Formulir kedaluwarsa atau tidak sah: muat ulang halaman lalu kirim lagi",
        "access.csrf",
    )


def container_of(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", ""))


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def resolved(request: Request) -> Resolved | None:
    """The sign-in behind this request, looked up once per request."""
    if not hasattr(request.state, "resolved"):
        request.state.resolved = _resolve(request)
    found: Resolved | None = request.state.resolved
    return found


def current_actor(request: Request) -> Actor:
    found = resolved(request)
    if found is None:
        return Actor.anonymous(request_id(request))
    return found.actor


def csrf_token(request: Request) -> str:
    """The token a page's forms must send back: the session's, or the pre-sign-in cookie's."""
    found = resolved(request)
    if found is not None and found.token.kind is TokenKind.SESSION:
        return found.token.csrf
    token: str | None = getattr(request.state, "anonymous_csrf", None)
    if token is None:
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        request.state.anonymous_csrf = token
    return token


class Requires:
    """A route's permission. `Depends(Requires(Permission.X))` gives the handler the actor."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, request: Request) -> Actor:
        # Resolving the token reads the database, and a refusal's audit writes to it: both run
        # on the thread pool, never on the event loop, where one wait for the database (a
        # slow query, SQLite's write lock) would stall every request of the process (issue 12:
        # 2.4 wrong passwords a second made an officer's reads take seconds).
        if _holds_credentials(request):
            actor = await run_in_threadpool(current_actor, request)
        else:
            actor = current_actor(request)  # nothing to look up: no thread needed
        if not is_api(request) and request.method not in SAFE_METHODS:
            await _check_csrf(request, actor)
        if allows(actor.role, self.permission):
            return actor
        return await run_in_threadpool(self.refuse, request, actor)  # raises: 401 or 403

    def refuse(self, request: Request, actor: Actor) -> NoReturn:
        """The refusal, audited (it writes: call it on a worker thread): 401 for a visitor,
        403 for a signed-in reader without the permission."""
        _audit_refusal(request, actor, self.permission.value, "access.forbidden")
        if not actor.is_signed_in:
            raise Unauthorized()
        raise Forbidden()


# Called on a worker thread: the actor, or a refusal raised.
Authorize = Callable[[], Actor]


class RequiresOnThread(Requires):
    """A route's permission, checked on the handler's own worker thread: for an async API read
    whose work is one `run_in_threadpool` call (issue 12: the token's look-up then shares the
    read's thread hop, and can share its transaction). `Depends(RequiresOnThread(Permission.X))`
    gives the handler an `Authorize`; the handler calls it first thing in that thread, and gets
    the actor or the same refusal, audit and status as `Requires` (bearer tokens only: the
    API's safe methods, which take no CSRF token)."""

    # A Requires all the same (the permission matrix finds it), whose dependency value is the
    # check to run rather than its outcome.
    async def __call__(self, request: Request) -> Authorize:  # type: ignore[override]
        if not is_api(request) or request.method not in SAFE_METHODS:
            raise TypeError("RequiresOnThread serves the API's safe methods only (no CSRF)")
        return partial(self.authorize, request)

    def authorize(self, request: Request) -> Actor:
        """On a worker thread: the actor, or the refusal (audited) `Requires` raises."""
        actor = current_actor(request)
        if allows(actor.role, self.permission):
            return actor
        self.refuse(request, actor)


async def _check_csrf(request: Request, actor: Actor) -> None:
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = csrf_token(request)
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        await run_in_threadpool(_audit_refusal, request, actor, "csrf", "access.csrf")
        raise csrf_missing()


def _holds_credentials(request: Request) -> bool:
    """Whether resolving this request's sign-in may touch the database."""
    if hasattr(request.state, "resolved"):
        return False
    if is_api(request):
        return bool(request.headers.get("authorization"))
    return bool(request.cookies.get(SESSION_COOKIE))


def _resolve(request: Request) -> Resolved | None:
    access = container_of(request).access
    if is_api(request):
        header = request.headers.get("authorization", "")
        if not header:
            return None
        scheme, _, secret = header.partition(" ")
        found = None
        if scheme.lower() == "bearer":
            found = access.resolve(secret.strip(), TokenKind.BEARER, request_id(request))
        if found is None:
            _audit_refusal(request, Actor.anonymous(request_id(request)), "token", "access.token")
            raise forged_token()
        return found
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    return access.resolve(cookie, TokenKind.SESSION, request_id(request))


def _audit_refusal(request: Request, actor: Actor, action: str, reason: str) -> None:
    container_of(request).audit.refused(
        actor, action, "route", f"{request.method} {request.url.path}"[:40], reason
    )
