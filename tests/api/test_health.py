"""`GET /healthz`: liveness and readiness (issue 12), public, one `SELECT 1`."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sertakan.app import create_app
from sertakan.bootstrap import bootstrap
from tests.support import containers
from tests.support.auth import cheap_hasher


def test_healthz_answers_ok_without_signing_in(anonymous: TestClient) -> None:
    response = anonymous.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize(
    "database_url",
    [
        # SQLite cannot open a folder as its database file.
        "sqlite:///{folder}",
        # Nothing listens on port 1 of the loopback: the connection is refused.
        "postgresql+psycopg://sertakan@127.0.0.1:1/absent?connect_timeout=5",
    ],
    ids=["sqlite", "postgresql"],
)
def test_healthz_answers_503_problem_when_the_database_does_not_answer(
    tmp_path: Path, database_url: str
) -> None:
    folder = tmp_path / "not-a-file"
    folder.mkdir()
    settings = containers.test_settings(tmp_path, database_url=database_url.format(folder=folder))
    container = bootstrap(settings, hasher=cheap_hasher())
    try:
        with TestClient(create_app(container), raise_server_exceptions=False) as client:
            response = client.get("/healthz")
    finally:
        container.engine.dispose()
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 503
    assert body["database"] == "unavailable"
    assert "sertakan@" not in response.text  # nothing of the URL leaks


def test_healthz_is_documented_with_its_answers(anonymous: TestClient) -> None:
    operation = anonymous.get("/openapi.json").json()["paths"]["/healthz"]["get"]
    assert set(operation["responses"]) >= {"200", "503"}
    assert "application/problem+json" in operation["responses"]["503"]["content"]
    assert "security" not in operation  # public: a probe sends no credentials
