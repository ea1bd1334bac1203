"""Browser steps shared by the Playwright tests.

The phone stories (`test_sign_in_and_consent`, `test_pay_flow`) run once on a 360-pixel phone
and once on a 1280-pixel screen (`SCREENS`), each person in a browser context of their own
(`Phones`), and keep screenshots of each step in test-artifacts/screenshots/.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from sertakan.bootstrap import Container
from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.nik import build_nik
from sertakan.registry.service import SponsorApplication
from tests.support.auth import CONSOLE, PASSWORD, last_code
from tests.support.builders import BRANCH

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
SCREENS: dict[str, ViewportSize] = {
    "phone": {"width": 360, "height": 740},
    "desktop": {"width": 1280, "height": 800},
}


class LiveSite(Protocol):
    """What the phone steps need of a story: where the app runs and where its codes go."""

    @property
    def base_url(self) -> str: ...

    @property
    def provider(self) -> RecordingProvider: ...


def open_story_branch(container: Container, sponsor_name: str, sponsor_phone: str) -> str:
    """Add the Bogor Kota branch and the phone stories' sponsor (a person in Batu Tulis);
    returns the sponsor's id."""
    container.registry.add_branch(BRANCH)
    sponsor = container.registry.register_sponsor(
        CONSOLE,
        SponsorApplication(
            kind="person",
            name=sponsor_name,
            phone=sponsor_phone,
            region_code="32.71.01.1001",
            address="Jl. Pajajaran 5",
            nik=build_nik("327101", dt.date(1970, 1, 5), "F", 3),
        ),
    )
    return sponsor.id


def sign_in_as_staff(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in at /masuk as a staff account, as a person types it."""
    page.goto(base_url + "/masuk")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()


def sign_in_with_phone(page: Page, site: LiveSite, typed_phone: str, e164: str) -> None:
    """Sign in at /masuk/hp with the code the phone `e164` was sent."""
    page.goto(site.base_url + "/masuk/hp")
    page.get_by_label("Nomor HP").fill(typed_phone)
    page.get_by_role("button", name="Kirim kode").click()
    expect(page.get_by_label("Kode dari SMS")).to_be_visible()
    page.get_by_label("Kode dari SMS").fill(last_code(site.provider, e164))
    page.get_by_role("button", name="Masuk").click()


class Phones:
    """One browser context per person, each with the screen size of the run."""

    def __init__(self, browser: Browser, screen: str) -> None:
        self._browser = browser
        self.screen = screen
        self._contexts: list[BrowserContext] = []

    def open(self) -> Page:
        context = self._browser.new_context(
            locale="id-ID", timezone_id="Asia/Jakarta", viewport=SCREENS[self.screen]
        )
        self._contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    def close(self) -> None:
        for context in self._contexts:
            context.close()


@contextmanager
def open_phones(browser: Browser, screen: str) -> Iterator[Phones]:
    """`Phones` of one `screen` (a key of `SCREENS`), with 10-second expectations."""
    expect.set_options(timeout=10_000)
    opened = Phones(browser, screen)
    yield opened
    opened.close()


def save_screenshot(page: Page, name: str) -> None:
    """The whole page, as test-artifacts/screenshots/`name`.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def fits_the_screen(page: Page, screen: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SCREENS[screen]["width"], f"{page.url} scrolls sideways: {width}px"
