"""A bug must never show a user a stack trace: a plain problem (API) or page (web) instead."""

from __future__ import annotations

import datetime as dt
import logging
import traceback

import httpx
import pytest
from fastapi.testclient import TestClient

from sertakan.access.roles import Role
from sertakan.app import create_app
from sertakan.bootstrap import Container
from sertakan.registry.nik import build_nik
from tests.support.auth import PASSWORD, make_staff
from tests.support.server import live_server


@pytest.fixture
def broken(container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(container.registry, "find_members", explode)


@pytest.mark.usefixtures("broken")
def test_an_unexpected_api_error_is_a_500_problem_without_internals(client: TestClient) -> None:
    response = client.post("/api/v1/members/search", json={"q": "siti"})

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text


@pytest.mark.usefixtures("broken")
def test_an_unexpected_page_error_is_an_indonesian_page_without_internals(
    client: TestClient,
) -> None:
    response = client.post("/cari", data={"q": "siti"})

    assert response.status_code == 500
    assert "text/html" in response.headers["content-type"]
    assert "Terjadi kesalahan" in response.text
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text


def test_a_wrong_method_on_a_page_is_explained_in_indonesian(client: TestClient) -> None:
    response = client.delete("/cari")

    assert response.status_code == 405
    assert "Halaman ini tidak bisa dibuka dengan cara itu" in response.text
    assert "Method Not Allowed" not in response.text


# --- logged once, without personal data -------------------------------------------------------

OFFICER_PASSWORD = "kata-sandi-rahasia-petugas-baru"
OFFICER_NAME = "Bambang Sutrisno"


def _logged_text(record: logging.LogRecord) -> str:
    """Everything a handler could write for the record: message, traceback, stack."""
    text = record.getMessage()
    if record.exc_info:
        text += "".join(traceback.format_exception(*record.exc_info))
    return text + (record.exc_text or "") + (record.stack_info or "")


def test_an_unexpected_error_under_uvicorn_is_logged_once_without_the_rows_values(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    """An officer for a branch that does not exist: SQLite's foreign key refuses the row, and
    the IntegrityError's text quoted it whole, the argon2 hash and the name included. The
    handler logged it, then Starlette re-raised it and uvicorn logged it again."""
    make_staff(container, Role.ADMIN)
    caplog.set_level(logging.INFO)
    with live_server(create_app(container)) as url:
        token = httpx.post(
            f"{url}/api/v1/auth/token", data={"username": "admin", "password": PASSWORD}
        ).json()["access_token"]
        response = httpx.post(
            f"{url}/api/v1/accounts",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "role": "officer",
                "username": "petugas_baru",
                "password": OFFICER_PASSWORD,
                "display_name": OFFICER_NAME,
                "branch_code": "TIDAK_ADA",
            },
        )

    assert response.status_code == 500
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.name for r in errors] == ["sertakan"], [r.getMessage()[:200] for r in errors]
    (record,) = errors
    logged = _logged_text(record)
    assert "IntegrityError" in logged and "Traceback" in logged  # still useful to a developer
    assert response.headers["x-request-id"] in logged  # and linked to the answer
    for secret in (OFFICER_PASSWORD, "$argon2", OFFICER_NAME, "petugas_baru"):
        assert secret not in logged, f"{secret!r} logged"
    # The 500 carries the headers of every other answer.
    assert "content-security-policy" in response.headers
    assert response.headers["cache-control"] == "no-store"
    assert "server" not in response.headers


@pytest.fixture
def leaky(container: Container, monkeypatch: pytest.MonkeyPatch) -> str:
    """A failure whose message quotes a NIK and a phone, as a database's DETAIL line does."""
    nik = build_nik("327101", dt.date(1990, 8, 17), "F", 12)

    def explode(*_args: object, **_kwargs: object) -> None:
        try:
            raise ValueError(f"Key (nik)=({nik}) already exists; phone 081234567890")
        except ValueError as cause:
            raise RuntimeError(f"insert failed for {nik}") from cause

    monkeypatch.setattr(container.registry, "find_members", explode)
    return nik


def test_no_exception_message_of_the_chain_reaches_the_log(
    client: TestClient, leaky: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    response = client.post("/api/v1/members/search", json={"q": "siti"})

    assert response.status_code == 500
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    logged = _logged_text(record)
    assert "RuntimeError <- ValueError" in logged
    assert leaky not in logged
    assert "081234567890" not in logged
    assert "explode" in logged  # the frames are kept: where it failed, not what it held


@pytest.mark.usefixtures("broken")
def test_the_500_answers_carry_the_security_headers(client: TestClient) -> None:
    for response in (
        client.post("/api/v1/members/search", json={"q": "siti"}),
        client.post("/cari", data={"q": "siti"}),
    ):
        assert response.status_code == 500
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-request-id"]
