"""The browser harness works here: Debian's Chromium, Playwright and a live uvicorn server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from playwright.sync_api import Page, expect

import sertakan.web.i18n
from tests.support.server import live_server

STATIC_DIR = Path(sertakan.web.i18n.__file__).parent / "static"


def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/", response_class=HTMLResponse)
    def home() -> str:
        return """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Sertakan</title></head>
<body>
  <h1>Selamat datang di Sertakan</h1>
  <button id="sapa" onclick="document.querySelector('#salam').textContent = 'Halo, pekerja!'">
    Sapa
  </button>
  <p id="salam"></p>
</body></html>"""

    @app.get("/htmx", response_class=HTMLResponse)
    def htmx_page() -> str:
        return f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>htmx</title>
<script src="/static/vendor/{_vendored_htmx().name}"></script></head>
<body>
  <button hx-get="/potongan" hx-target="#hasil">Muat</button>
  <div id="hasil">kosong</div>
</body></html>"""

    @app.get("/potongan", response_class=HTMLResponse)
    def fragment() -> str:
        return "<p>Iuran Rp36.800</p>"

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def _vendored_htmx() -> Path:
    (script,) = (STATIC_DIR / "vendor").glob("htmx-*.min.js")  # exactly one version is vendored
    return script


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with live_server(create_app) as url:
        yield url


def test_chromium_opens_a_page_served_by_the_live_server(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Selamat datang di Sertakan")
    expect(page).to_have_title("Sertakan")


def test_the_page_runs_javascript_when_a_button_is_clicked(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")

    page.get_by_role("button", name="Sapa").click()

    expect(page.locator("#salam")).to_have_text("Halo, pekerja!")


def test_the_vendored_htmx_swaps_in_a_fragment_without_any_network(
    page: Page, base_url: str
) -> None:
    requested_hosts: set[str] = set()
    page.on("request", lambda request: requested_hosts.add(request.url.split("/")[2]))
    page.goto(base_url + "/htmx")

    page.get_by_role("button", name="Muat").click()

    expect(page.locator("#hasil")).to_have_text("Iuran Rp36.800")
    assert requested_hosts == {base_url.split("/")[2]}


def test_the_live_server_stops_when_the_block_ends() -> None:
    import httpx

    with live_server(create_app) as url:
        assert httpx.get(url + "/").status_code == 200

    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/", timeout=2)


def test_the_live_server_stops_even_when_the_code_inside_fails() -> None:
    import httpx

    with pytest.raises(ZeroDivisionError), live_server(create_app) as url:
        _ = 1 / 0

    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/", timeout=2)
