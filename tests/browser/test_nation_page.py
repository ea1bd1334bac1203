"""The "Cakupan" page in a real browser, on a 1280-pixel screen and a 360-pixel phone: the
headline on top, the charts in the drawing that fits the screen, a province's regencies one
click away, the table downloadable; nothing wider than the phone.

The app runs on uvicorn at 127.0.0.1 over a fresh SQLite file and reads the sample report of
tests/analytics/nation_data.py (as of 29 February 2024) from its own analytics folder.
Screenshots: test-artifacts/screenshots/coverage-1280.png, coverage-360.png (and one per test).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sertakan.access.roles import Role
from sertakan.app import create_app
from sertakan.bootstrap import bootstrap
from sertakan.config import Settings
from sertakan.store.migrate import upgrade
from tests.analytics.nation_data import write_sample_report
from tests.support.auth import cheap_hasher
from tests.support.browser import sign_in_as_staff
from tests.support.builders import open_branch
from tests.support.server import live_server

PHONE = {"width": 360, "height": 740}
SCREENSHOTS = Path("test-artifacts") / "screenshots"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("coverage")
    write_sample_report(folder / "analytics")
    settings = Settings(
        database_url=f"sqlite:///{folder / 't.db'}",
        today="2026-11-25",
        analytics_dir=folder / "analytics",
    )
    container = bootstrap(settings, hasher=cheap_hasher())
    assert container.engine is not None
    upgrade(container.engine)
    open_branch(container, Role.OFFICER)
    with live_server(create_app(container)) as url:
        yield url
    container.engine.dispose()


@pytest.fixture(autouse=True)
def signed_in_officer(page: Page, base_url: str) -> None:
    """A branch officer signs in first (the page will be for staff only)."""
    sign_in_as_staff(page, base_url, Role.OFFICER.value)
    expect(page).not_to_have_url(re.compile(r"/masuk$"))


def test_on_a_wide_screen_the_headline_the_charts_and_a_province_one_click_away(
    page: Page, base_url: str
) -> None:
    page.goto(base_url + "/cakupan")

    expect(page.get_by_role("heading", level=1)).to_have_text("Indonesia")
    expect(page.locator('[data-stat="aktif"] .stat-value')).to_have_text("53.505")
    expect(page.locator('[data-stat="billed"] .stat-value')).to_have_text("Rp927.259.200")
    expect(page.locator(".bar-chart.chart-wide")).to_be_visible()
    expect(page.locator(".bar-chart.chart-narrow")).to_be_hidden()
    expect(page.locator(".line-chart.chart-wide polyline.collected")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "coverage-1280.png", full_page=True)

    page.locator(".coverage-table").get_by_role("link", name="Jawa Barat").click()

    expect(page).to_have_url(re.compile(r"/cakupan\?provinsi=32$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Jawa Barat")
    expect(page.locator('.coverage-table tr[data-code="32.71"]')).to_contain_text("Kota Bogor")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=True).click()
    assert download.value.suggested_filename == "cakupan-2024-02-29-kabupaten-32.csv"

    page.get_by_role("link", name="Kembali ke semua provinsi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Indonesia")


def test_a_bar_of_the_chart_opens_its_province(page: Page, base_url: str) -> None:
    page.goto(base_url + "/cakupan")

    page.locator(".bar-chart.chart-wide a", has_text="Bali").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bali")


def test_on_a_phone_the_page_fits_the_screen_with_the_narrow_charts(
    page: Page, base_url: str
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(base_url + "/cakupan")

    expect(page.locator(".bar-chart.chart-narrow")).to_be_visible()
    expect(page.locator(".bar-chart.chart-wide")).to_be_hidden()
    expect(page.locator(".coverage-table thead")).not_to_be_in_viewport()
    jabar = page.locator('.coverage-table tr[data-code="32"]')
    expect(jabar.locator('td[data-label="Aktif"]')).to_have_text("42.000")
    widest = page.evaluate("document.documentElement.scrollWidth")
    assert widest <= PHONE["width"], f"the page is {widest}px wide on a 360px phone"
    page.screenshot(path=SCREENSHOTS / "coverage-360.png", full_page=True)


def test_in_english_on_a_phone_the_cards_use_english_numbers(page: Page, base_url: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto(base_url + "/cakupan?provinsi=32&lang=en")

    expect(page.locator('[data-stat="aktif"] .stat-label')).to_have_text("Active members")
    expect(page.locator('[data-stat="aktif"] .stat-value')).to_have_text("42,000")
    widest = page.evaluate("document.documentElement.scrollWidth")
    assert widest <= PHONE["width"]
