"""What the OpenAPI document promises, checked by hand where it matters most: the shared
problem statuses every route documents, and days the service refuses instead of answering."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sertakan.access.roles import Role
from sertakan.bootstrap import Container
from tests.support.auth import bearer, make_staff

PROBLEM = "application/problem+json"


def test_a_route_documents_its_refusals_as_problems(anonymous: TestClient) -> None:
    document = anonymous.get("/openapi.json").json()
    answers = document["paths"]["/api/v1/members/{member_id}"]["get"]["responses"]
    for status in ("401", "403", "404", "422"):
        assert list(answers[status]["content"]) == [PROBLEM], status
    assert "Problem" in document["components"]["schemas"]
    # A public route refuses no role, but does refuse a bad token.
    public = document["paths"]["/api/v1/contributions/bpu"]["get"]["responses"]
    assert "403" not in public
    assert list(public["401"]["content"]) == [PROBLEM]


def test_a_bpu_quote_beyond_the_prepayment_horizon_is_refused(anonymous: TestClient) -> None:
    url = "/api/v1/contributions/bpu?declared_income=1000000"
    assert anonymous.get(f"{url}&on=2026-12-10").status_code == 200
    far = anonymous.get(f"{url}&on=9999-12-31")
    assert far.status_code == 422
    assert far.headers["content-type"] == PROBLEM
    assert far.json()["errors"][0]["field"] == "on"


def test_an_audit_day_out_of_range_is_refused_not_a_server_error(
    container: Container, anonymous: TestClient
) -> None:
    make_staff(container, Role.AUDITOR)
    auth = bearer(anonymous, Role.AUDITOR.value)
    response = anonymous.get("/api/v1/audit?from=0001-01-01&to=0001-01-02", headers=auth)
    assert response.status_code == 422
    assert response.json()["errors"][0]["rule"] == "audit.range"
