"""`/docs` in Debian's Chromium with every other host unreachable: Swagger UI draws the API
from the app's own files, with no request leaving 127.0.0.1 and no policy violation.
Screenshot: test-artifacts/screenshots/docs-1280.png."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, Route, expect

from sertakan.app import create_app
from sertakan.bootstrap import bootstrap
from sertakan.config import Settings
from tests.support.auth import cheap_hasher
from tests.support.browser import save_screenshot
from tests.support.server import HOST, live_server


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("docs")
    settings = Settings(database_url=f"sqlite:///{folder / 't.db'}", today="2026-11-25")
    container = bootstrap(settings, hasher=cheap_hasher())
    with live_server(create_app(container)) as url:
        yield url
    container.engine.dispose()


def test_swagger_ui_draws_the_api_with_no_network_beyond_the_app(page: Page, base_url: str) -> None:
    elsewhere: list[str] = []
    problems: list[str] = []

    def offline(route: Route) -> None:
        if urlsplit(route.request.url).hostname == HOST:
            route.continue_()
        else:  # as on a branch office's laptop without internet
            elsewhere.append(route.request.url)
            route.abort("internetdisconnected")

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.route("**/*", offline)
    page.on("console", console)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(base_url + "/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Sertakan")
    expect(page.get_by_text("/api/v1/members", exact=True).first).to_be_visible()
    save_screenshot(page, "docs-1280")
    assert elsewhere == []
    assert problems == []
