"""The ASGI application: the API and the web pages over one container.

`create_app` is a factory (nothing is built at import time, docs/architecture.md, rule 4).
Errors become problem+json under /api and Indonesian error pages elsewhere; no stack trace
ever reaches a user, and none with a message (which may quote a row) reaches the log.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sertakan.access.errors import SignInLocked
from sertakan.api import health, problems
from sertakan.api.payments import router as payments_router
from sertakan.api.routes import router as api_router
from sertakan.bootstrap import Container, bootstrap
from sertakan.config import Settings
from sertakan.http.background import BackgroundJobs
from sertakan.http.middleware import RequestContext
from sertakan.kernel.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ParameterMissing,
    RateLimited,
    RuleViolation,
    Unauthorized,
)
from sertakan.kernel.safe_log import describe, safe_traceback
from sertakan.web import api_docs, pages
from sertakan.web import error_pages as texts
from sertakan.web.security import BodySizeLimit, ControlCharacters, SecurityHeaders

log = logging.getLogger("sertakan")


def create_app(
    container: Container | None = None,
    settings: Settings | None = None,
    *,
    background_jobs: bool = False,
) -> FastAPI:
    """The app over `container` (built from `settings` when not given). `background_jobs`: the
    server delivers the outbox and runs the daily job itself while it runs (`sertakan serve`
    asks for it; see `http.background`)."""
    container = container or bootstrap(settings)
    app = FastAPI(
        lifespan=partial(_lifespan, background_jobs=background_jobs),
        title="Sertakan",
        version="0.1.0",
        description="Social security for informal workers: registry, sponsors, contributions.",
        docs_url=None,  # served offline by web.api_docs, not from a CDN
        redoc_url=None,
    )
    app.state.container = container
    app.include_router(health.router)
    app.include_router(api_router)
    pages.setup(app)
    api_docs.setup(app)
    _install_error_handlers(app)
    _document_problems(app)
    settings = container.settings
    # Outermost last. Headers wrap everything, the 413, 422 and 500 answers included; the
    # request id is known to the 500 page; the unexpected errors are caught inside them (not
    # by Starlette's ServerErrorMiddleware outside every middleware, which answers without our
    # headers and re-raises to the server, which logs the traceback a second time); the body
    # limit bounds what the control-character guard reads.
    app.add_middleware(
        ControlCharacters,
        # Each notice of the gateway's batch is judged alone, a bad one kept with its reason.
        skip_bodies=[f"/api/v1{payments_router.prefix}/notifications"],
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(UnexpectedErrors)
    app.add_middleware(RequestContext, secure_cookies=settings.https)
    app.add_middleware(SecurityHeaders, hsts=settings.https)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI, *, background_jobs: bool) -> AsyncIterator[None]:
    """Start the server's scheduler with the app and stop it with the app."""
    jobs = BackgroundJobs(app.state.container) if background_jobs else None
    app.state.background_jobs = jobs
    # The thread pool that runs sync routes and `run_in_threadpool` (issue 12: its size is a
    # setting; AnyIO's limiter belongs to the running loop, so it is set here, at start-up).
    to_thread.current_default_thread_limiter().total_tokens = (
        app.state.container.settings.worker_threads
    )
    if jobs is not None:
        jobs.start()
    try:
        yield
    finally:
        if jobs is not None:
            jobs.stop()


def allowed_methods(request: Request) -> str:
    """Every method some route answers on this request's path, for a 405's `Allow`: each
    method is tried against the routes on a copy of the request's scope (FastAPI nests
    included routers, so no flat list of paths is at hand)."""
    methods = set()
    for method in _METHODS:
        scope = {key: value for key, value in request.scope.items() if key != "fastapi"}
        scope["method"] = method
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.routes):
            methods.add(method)
    # No route but the static files' mount answers 405 unasked: it serves GET and HEAD.
    return ", ".join(sorted(methods or {"GET", "HEAD"}))


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _document_problems(app: FastAPI) -> None:
    """Every API route's shared problem statuses in the OpenAPI document (`problems.document`),
    with the Problem schema they refer to."""
    build = app.openapi
    done: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        built = build()
        if not done or done[0] is not built:  # FastAPI builds it again when routes change
            done[:] = [problems.document(app, built)]
        return done[0]

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override


class UnexpectedErrors:
    """Answers an exception nothing else handled with a 500 (problem+json under /api, the
    Indonesian page elsewhere) and logs it once: where, the request id, the exception types
    and a traceback without messages (`sertakan.kernel.safe_log`). The exception is not
    re-raised: the answer is given, and a server that saw it would log its message."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            request = Request(scope)
            log.error(
                "unexpected error on %s %s (request %s): %s\n%s",
                request.method,
                request.url.path,
                scope.get("state", {}).get("request_id", "-"),
                describe(error),
                safe_traceback(error),
            )
            if started:  # too late for a 500: the connection ends, the server says so
                return
            await _unexpected_response(request)(scope, receive, send)


def _unexpected_response(request: Request) -> Response:
    if _is_api(request):
        return problems.internal_error()
    return pages.error_page(request, 500, [texts.UNEXPECTED])


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RuleViolation)
    async def _rule(request: Request, error: RuleViolation) -> Response:
        if _is_api(request):
            return problems.rule_violation(error)
        return pages.error_page(request, 422, [v.message_id for v in error.violations])

    @app.exception_handler(ParameterMissing)
    async def _missing(request: Request, error: ParameterMissing) -> Response:
        if _is_api(request):
            return problems.parameter_missing(error)
        return pages.error_page(request, 422, [texts.NO_RULE_FOR_DATE])

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, error: Conflict) -> Response:
        if _is_api(request):
            return problems.conflict(error)
        return pages.error_page(request, 409, [error.message_id])

    @app.exception_handler(Unauthorized)
    async def _unauthorized(request: Request, error: Unauthorized) -> Response:
        if _is_api(request):
            return problems.access_refused(401, error.rule, error.message, error.message_id)
        return pages.sign_in_needed(request, error)

    @app.exception_handler(SignInLocked)
    async def _locked(request: Request, error: SignInLocked) -> Response:
        # 423 (RFC 4918 §11.3) with Retry-After (RFC 9110 §10.2.3): the lock ends by itself.
        if _is_api(request):
            response: Response = problems.access_refused(
                423, error.rule, error.message, error.message_id
            )
        else:
            response = pages.error_page(request, 423, [error.message_id])
        response.headers["Retry-After"] = str(max(error.retry_after_seconds, 1))
        return response

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, error: Forbidden) -> Response:
        if _is_api(request):
            return problems.access_refused(403, error.rule, error.message, error.message_id)
        return pages.error_page(request, 403, [error.message_id])

    @app.exception_handler(RateLimited)
    async def _rate_limited(request: Request, error: RateLimited) -> Response:
        if _is_api(request):
            response: Response = problems.access_refused(
                429, error.rule, error.message, error.message_id
            )
        else:
            response = pages.error_page(request, 429, [error.message_id])
        # Every 429 says when to come back (RFC 6585 §4, RFC 9110 §10.2.3).
        response.headers["Retry-After"] = str(max(error.retry_after_seconds, 1))
        return response

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, error: NotFound) -> Response:
        if _is_api(request):
            return problems.not_found(error)
        return pages.error_page(request, 404, [texts.NOT_FOUND])

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        if _is_api(request):
            return problems.request_invalid(error)
        return pages.error_page(request, 422, [texts.INVALID_INPUT])

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        response: Response
        if _is_api(request):
            detail = str(error.detail)
            response = problems.problem(error.status_code, "http", detail, detail)
        else:
            message = texts.HTTP_MESSAGES.get(error.status_code, texts.OTHER_HTTP)
            response = pages.error_page(request, error.status_code, [message])
        response.headers.update(error.headers or {})
        if error.status_code == 405:
            # RFC 9110 §15.5.6: a 405 MUST name the methods the resource supports. Starlette's
            # names only those of the first route on the path (GET and POST /accounts are two).
            response.headers["Allow"] = allowed_methods(request)
        return response

    # Exception itself: `UnexpectedErrors`, a middleware inside the security headers.
