"""`RequestContext`: each request's id (a proxy's well-formed id kept, so its log links to our
audit trail), echoed back; and the CSRF cookie for a visitor a page made a token for."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from sertakan.http.auth import CSRF_COOKIE
from sertakan.http.middleware import RequestContext


def make_app() -> FastAPI:
    app = FastAPI()

    @app.get("/id")
    def request_id(request: Request) -> dict[str, str]:
        return {"id": request.state.request_id}

    @app.get("/formulir")
    def form(request: Request) -> dict[str, str]:
        request.state.anonymous_csrf = "token-for-the-visitor"
        return {"ok": "yes"}

    app.add_middleware(RequestContext)
    return app


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(make_app()) as client:
        yield client


def test_a_well_formed_incoming_id_is_kept_and_echoed(client: TestClient) -> None:
    response = client.get("/id", headers={"X-Request-ID": "proxy-1234.abcd_EF"})

    assert response.json() == {"id": "proxy-1234.abcd_EF"}
    assert response.headers["x-request-id"] == "proxy-1234.abcd_EF"


@pytest.mark.parametrize("sent", [None, "short", "spaces are not allowed here", "x" * 65])
def test_a_missing_or_malformed_id_is_replaced_by_a_fresh_one(
    client: TestClient, sent: str | None
) -> None:
    headers = {"X-Request-ID": sent} if sent is not None else {}

    response = client.get("/id", headers=headers)

    given = response.json()["id"]
    assert re.fullmatch(r"[0-9a-f]{16}", given)
    assert response.headers["x-request-id"] == given


def test_the_csrf_cookie_is_set_once_for_a_visitor_a_page_made_a_token_for(
    client: TestClient,
) -> None:
    first = client.get("/formulir")
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"{CSRF_COOKIE}=token-for-the-visitor;")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie

    again = client.get("/formulir", cookies={CSRF_COOKIE: "token-for-the-visitor"})
    assert "set-cookie" not in again.headers
    assert "set-cookie" not in client.get("/id").headers
