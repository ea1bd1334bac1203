"""A 405 names the methods the resource supports (RFC 9110 §15.5.6: `Allow` is required),
all of them, on the API and on the pages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        # Two routes share this path (list and create): both methods are named.
        ("PUT", "/api/v1/accounts", "GET, POST"),
        ("DELETE", "/api/v1/members/1", "GET"),
        ("GET", "/api/v1/auth/token", "POST"),
        ("PATCH", "/api/v1/contributions/bpu", "GET"),
    ],
)
def test_an_api_405_is_a_problem_that_names_every_allowed_method(
    anonymous: TestClient, method: str, path: str, allow: str
) -> None:
    response = anonymous.request(method, path)
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["allow"] == allow


def test_a_page_405_names_the_allowed_methods(anonymous: TestClient) -> None:
    response = anonymous.request("DELETE", "/")
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["allow"] == "GET"
