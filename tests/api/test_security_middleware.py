"""Security headers on every response, and 413 for request bodies over the limit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from sertakan.api import problems
from sertakan.config import Settings
from sertakan.web import security
from sertakan.web.security import DEFAULT_MAX_BYTES, BodySizeLimit, SecurityHeaders

LIMIT = 1000


def make_app(*, hsts: bool = False, max_bytes: int = LIMIT) -> FastAPI:
    app = FastAPI()

    @app.get("/halaman", response_class=HTMLResponse)
    def page() -> str:
        return "<p>Halo</p>"

    @app.get("/api/v1/ping")
    def ping() -> dict[str, str]:
        return {"ok": "yes"}

    @app.post("/api/v1/echo")
    def echo(payload: dict[str, str]) -> dict[str, int]:
        return {"keys": len(payload)}

    @app.post("/kirim")
    async def upload(request: Request) -> PlainTextResponse:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
        return PlainTextResponse(f"diterima {size}")

    @app.get("/sendiri")
    def own_policy() -> PlainTextResponse:
        return PlainTextResponse("x", headers={"Content-Security-Policy": "default-src 'none'"})

    app.add_middleware(BodySizeLimit, max_bytes=max_bytes)
    app.add_middleware(SecurityHeaders, hsts=hsts)
    return app


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(make_app()) as client:
        yield client


def directives(policy: str) -> dict[str, list[str]]:
    parts = (item.split() for item in policy.split(";") if item.strip())
    return {name: values for name, *values in parts}


# --- headers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/halaman", "/api/v1/ping", "/openapi.json", "/tidak-ada"])
def test_every_response_carries_the_strict_policy_and_the_other_headers(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    policy = directives(response.headers["content-security-policy"])
    assert policy == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["permissions-policy"] == "camera=(), microphone=(), geolocation=()"
    assert response.headers["cross-origin-opener-policy"] == "same-origin"


def test_hsts_is_sent_only_when_the_deployment_says_it_is_https(client: TestClient) -> None:
    assert "strict-transport-security" not in client.get("/halaman").headers
    with TestClient(make_app(hsts=True)) as https:
        assert https.get("/halaman").headers["strict-transport-security"] == (
            "max-age=31536000; includeSubDomains"
        )


def test_a_policy_the_app_set_itself_is_kept(client: TestClient) -> None:
    response = client.get("/sendiri")
    assert response.headers.get_list("content-security-policy") == ["default-src 'none'"]
    assert response.headers["x-frame-options"] == "DENY"


def test_only_the_docs_page_gets_the_docs_policy(client: TestClient) -> None:
    # The docs page itself (web.api_docs) adds its script's hash; see test_docs_offline.py.
    docs = client.get("/docs").headers["content-security-policy"]
    assert docs == security.DOCS_CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" in directives(docs)["style-src"]
    for path in ("/docs/oauth2-redirect", "/openapi.json", "/redoc"):
        assert client.get(path).headers["content-security-policy"] == (
            security.CONTENT_SECURITY_POLICY
        ), path


# --- body size ---------------------------------------------------------------------------------


def test_a_body_within_the_limit_reaches_the_app(client: TestClient) -> None:
    response = client.post("/kirim", content=b"x" * LIMIT)
    assert (response.status_code, response.text) == (200, f"diterima {LIMIT}")


def test_a_declared_length_over_the_limit_is_refused_as_problem_json_under_api(
    client: TestClient,
) -> None:
    payload = json.dumps({"nama": "x" * LIMIT})
    response = client.post(
        "/api/v1/echo", content=payload, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == problems.BASE + "too-large"
    assert body["status"] == 413
    (error,) = body["errors"]
    assert (error["field"], error["rule"]) == ("body", "request.too_large")
    assert error["message_id"].startswith("Kiriman terlalu besar")
    # The refusal still carries the security headers (SecurityHeaders is the outer one).
    assert "content-security-policy" in response.headers


def test_a_declared_length_over_the_limit_is_refused_with_an_indonesian_page_elsewhere(
    client: TestClient,
) -> None:
    response = client.post("/kirim", content=b"x" * (LIMIT + 1))
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Kiriman terlalu besar</h1>" in response.text
    assert "style=" not in response.text and "<script" not in response.text


def chunks(count: int, size: int = 300) -> Iterator[bytes]:
    for _ in range(count):
        yield b"y" * size


def test_a_chunked_body_without_a_length_is_counted_and_refused(client: TestClient) -> None:
    small = client.post("/kirim", content=chunks(3))
    assert (small.status_code, small.text) == (200, "diterima 900")
    big = client.post("/kirim", content=chunks(4))
    assert "content-length" not in big.request.headers
    assert big.status_code == 413
    assert "Kiriman terlalu besar" in big.text


def test_a_chunked_json_body_over_the_limit_is_413_not_the_apps_400(client: TestClient) -> None:
    def json_chunks() -> Iterator[bytes]:
        yield b'{"nama": "'
        yield from chunks(5)
        yield b'"}'

    response = client.post(
        "/api/v1/echo", content=json_chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def test_the_limit_stops_reading_at_the_chunk_that_crosses_it() -> None:
    """Driven as raw ASGI, so each chunk is a separate receive() the middleware must stop."""
    pulled = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"z" * 400, "more_body": True}  # endless

    async def send(message: Message) -> None:
        sent.append(message)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        while True:  # an app that reads for ever, catching nothing
            await receive()

    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/kirim",
        "root_path": "",
        "headers": [(b"transfer-encoding", b"chunked")],
    }
    import anyio

    anyio.run(BodySizeLimit(app, max_bytes=LIMIT), scope, receive, send)
    assert pulled == 3  # 400, 800, 1200 > 1000: stop
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 413


def test_the_default_limit_is_one_mebibyte() -> None:
    assert BodySizeLimit(make_app()).max_bytes == 1024 * 1024
    page = bytes(security.too_large_response({"path": "/x"}, 1024 * 1024).body).decode()
    assert "Batas ukuran kiriman adalah 1 MB." in page


def test_the_problem_base_matches_the_apis() -> None:
    assert security.PROBLEM_BASE == problems.BASE
    assert security.PROBLEM == problems.PROBLEM


# --- the real app: every answer, 413 included; caching; no server banner ------------------------


def test_the_apps_413_carries_the_security_headers(anonymous: TestClient) -> None:
    """`create_app` once added the size limit outside the headers: its 413 had none."""
    too_big = b"x" * (DEFAULT_MAX_BYTES + 1)
    for path in ("/api/v1/members/search", "/cari"):
        response = anonymous.post(path, content=too_big)
        assert response.status_code == 413
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"


def test_every_dynamic_answer_is_no_store_and_the_static_assets_may_be_cached(
    anonymous: TestClient,
) -> None:
    for path in ("/", "/masuk", "/cari", "/api/v1/members/x", "/tidak-ada", "/openapi.json"):
        response = anonymous.get(path)
        assert response.headers["cache-control"] == "no-store", path
    css = anonymous.get("/static/css/sertakan.css")
    assert css.status_code == 200
    assert "no-store" not in css.headers.get("cache-control", "")


def test_sertakan_serve_sends_no_server_header(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from sertakan.cli import app as cli

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda _app, **options: seen.update(options))
    container = SimpleNamespace(settings=Settings(scheduler=False))
    monkeypatch.setattr(cli, "open_container", lambda *_args: container)
    monkeypatch.setattr("sertakan.app.create_app", lambda *_args, **_kwargs: object())

    result = CliRunner().invoke(cli.app, ["serve"])

    assert result.exit_code == 0, result.output
    assert seen["server_header"] is False
