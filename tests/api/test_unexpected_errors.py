"""A bug must never show a user a stack trace: a plain problem (API) or page (web) instead."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from sertakan.bootstrap import Container


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
