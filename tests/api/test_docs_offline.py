"""`/docs` works without internet: Swagger UI's files come from the app itself (the
swagger-ui-bundle package), the page names no other host, and its policy lets exactly its own
inline start script run."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from sertakan.web.api_docs import script_hash


class _Urls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.found.append(value)


def directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


def test_the_docs_page_names_no_other_host_and_every_file_it_loads_answers(
    anonymous: TestClient,
) -> None:
    response = anonymous.get("/docs")

    assert response.status_code == 200
    parser = _Urls()
    parser.feed(response.text)
    assert len(parser.found) >= 3  # the script, the style sheet and the icon
    for url in parser.found:
        assert not urlsplit(url).netloc, f"/docs loads {url} from another host"
        assert anonymous.get(url).status_code == 200, url
    # The address Swagger UI reads the API from, in the inline start script.
    (openapi_url,) = re.findall(r"url: '([^']+)'", response.text)
    assert not urlsplit(openapi_url).netloc
    assert anonymous.get(openapi_url).status_code == 200


def test_the_docs_policy_allows_no_other_host_and_no_inline_script_but_its_own(
    anonymous: TestClient,
) -> None:
    response = anonymous.get("/docs")

    policy = directives(response.headers["content-security-policy"])
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.S)
    assert policy["script-src"] == ["'self'", *(script_hash(s) for s in inline)]
    assert len(inline) == 1
    for sources in policy.values():
        assert not any(source.startswith(("http:", "https:")) for source in sources), sources
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert response.headers.get_list("content-security-policy") == [
        response.headers["content-security-policy"]
    ]


def test_the_docs_page_reads_the_same_api_in_openapi_3_0_words(anonymous: TestClient) -> None:
    original = anonymous.get("/openapi.json").json()
    for_docs = anonymous.get("/docs/openapi-3.0.json").json()

    assert original["openapi"].startswith("3.1")
    validate(for_docs)  # a valid OpenAPI 3.0 document: Swagger UI 4 draws it
    assert for_docs["openapi"].startswith("3.0")
    assert for_docs["paths"].keys() == original["paths"].keys()
    enrol = for_docs["components"]["schemas"]["MemberCreate"]["properties"]
    assert enrol["sponsor_id"].get("nullable") is True


def test_redoc_is_not_offered_it_would_need_a_cdn(anonymous: TestClient) -> None:
    assert anonymous.get("/redoc").status_code == 404
