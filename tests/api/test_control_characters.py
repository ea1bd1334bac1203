"""Text with control characters is refused with 422 at the edge, before any database sees it.

On PostgreSQL a NUL in a name was a 500 (and the log held the row); on SQLite a NUL in a search
cut the LIKE pattern short and found everyone. Each case runs on both databases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sertakan.access.roles import Role
from sertakan.app import create_app
from sertakan.bootstrap import Container, bootstrap
from sertakan.config import Settings
from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.nik import build_nik
from sertakan.store.migrate import upgrade
from tests.support.auth import FormClient, bearer, cheap_hasher, web_sign_in
from tests.support.builders import open_branch
from tests.support.containers import GATEWAY_SECRET
from tests.support.people import household, worker

NUL = "\x00"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'edge.db'}"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


@pytest.fixture
def container(database_url: str, tmp_path: Path) -> Iterator[Container]:
    container = bootstrap(
        Settings(
            database_url=database_url,
            today="2026-11-25",
            secret_key="t" * 32,
            gateway_secret=GATEWAY_SECRET,
            sandbox_db=tmp_path / "sandbox.sqlite",
        ),
        hasher=cheap_hasher(),
        provider=RecordingProvider(),
    )
    upgrade(container.engine)
    open_branch(container, Role.OFFICER)
    yield container
    container.engine.dispose()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with FormClient(create_app(container), raise_server_exceptions=False) as client:
        client.headers.update(bearer(client, Role.OFFICER.value))
        web_sign_in(client, Role.OFFICER.value)
        yield client


def form_worker(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        **worker(),
        "provinsi": "32",
        "kabupaten": "32.71",
        "kecamatan": "32.71.01",
        "address": "Jl. Pajajaran No. 5",
        "declared_income": "1000000",
        "programs": ["JKK", "JKM"],
    }
    form.update(changes)
    return form


def assert_refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    (error,) = response.json()["errors"]
    assert (error["field"], error["rule"]) == (field, "request.control_character")
    assert NUL not in response.text and "\\u0000" not in response.text


def members_named(container: Container, text: str) -> int:
    with container.engine.connect() as conn:
        from sqlalchemy import func, select

        from sertakan.store.tables import members

        query = select(func.count()).select_from(members)
        return int(conn.execute(query.where(members.c.full_name.contains(text))).scalar_one())


@pytest.mark.parametrize("bad", [NUL, "\x1b[31m", "\n", "\x85"])
def test_a_control_character_in_a_members_name_is_422_naming_it_and_nothing_is_stored(
    client: TestClient, container: Container, bad: str
) -> None:
    response = client.post("/api/v1/members", json=worker(full_name=f"Siti{bad}Rahmawati"))

    assert_refused(response, "full_name")
    assert members_named(container, "Siti") == 0
    assert client.post("/api/v1/members", json=worker()).status_code == 201  # the edge is open


def test_a_nul_anywhere_in_a_sponsors_body_is_422_naming_the_field(client: TestClient) -> None:
    assert_refused(client.post("/api/v1/sponsors", json=household(name="Ibu\x00")), "name")
    assert_refused(client.post("/api/v1/sponsors", json=household(address="Jl\x00")), "address")


def test_a_nul_in_a_search_is_422_not_a_wildcard(client: TestClient) -> None:
    for serial, name in enumerate(("Siti Rahmawati", "Asep Suryana", "Budi Santoso"), start=20):
        nik = build_nik("327101", dt.date(1990, 8, 17), "F", serial)
        created = client.post("/api/v1/members", json=worker(nik=nik, full_name=name))
        assert created.status_code == 201

    assert_refused(client.post("/api/v1/members/search", json={"q": "zz\x00"}), "q")
    assert client.post("/api/v1/members/search", json={"q": "zz"}).json() == []


def test_a_nul_in_a_query_string_or_path_is_422(client: TestClient) -> None:
    quote = client.get("/api/v1/contributions/bpu?declared_income=1000000&programs=JKK%00")
    assert_refused(quote, "programs")
    assert_refused(client.get("/api/v1/members/abc%00def"), "path")


def test_a_nul_in_a_form_is_the_indonesian_error_page_and_nothing_is_stored(
    client: TestClient, container: Container
) -> None:
    response = client.post("/daftar", data=form_worker(full_name="Siti\x00Rahmawati"))

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "Isian berisi karakter kontrol yang tidak diizinkan" in response.text
    assert members_named(container, "Siti") == 0
    search = client.post("/cari", data={"q": "a\x00"})
    assert search.status_code == 422
    assert "Isian berisi karakter kontrol" in search.text


def test_ordinary_text_passes_the_edge(client: TestClient) -> None:
    """Names with accents, apostrophes and other scripts are not controls (whose UTF-8 bytes,
    read as Latin-1, would look like C1 controls: \u0101 is C4 81)."""
    from sertakan.web.security import has_control

    for name in (
        "Ni Kadek Ayu Sastrawan",
        "Mu\u1e25ammad 'Ali",
        "\u0100 \u0160\u016b\u00f1 \u738b",
    ):
        assert not has_control(name)
    response = client.post("/api/v1/members", json=worker(full_name="Mu\u1e25ammad \u0100li"))
    assert response.status_code == 201, response.text
    form = client.post("/cari", data={"q": "\u0100li"})
    assert form.status_code == 200


def test_a_nul_deep_in_a_body_is_found_and_a_body_too_deep_to_parse_is_no_crash(
    client: TestClient,
) -> None:
    deep = '{"full_name": ' + "[" * 300 + '"\\u0000"' + "]" * 300 + "}"
    response = client.post(
        "/api/v1/members", content=deep, headers={"content-type": "application/json"}
    )
    assert_refused(response, "full_name" + ".0" * 300)

    too_deep = "[" * 100_000 + "]" * 100_000
    response = client.post(
        "/api/v1/members/search", content=too_deep, headers={"content-type": "application/json"}
    )
    assert response.status_code < 500
