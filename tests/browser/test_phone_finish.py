"""A phone-first finish (issue 16 point 4), in Debian chromium at 360 × 740.

Every role signs in the way it does (a code to the phone, or a username and password), then
opens every page its menu offers and the pages those lead to that a worker, a sponsor or an
officer opens every day. On each, no visible field or button is shorter than 44 px (WCAG 2.2
SC 2.5.5, the project's `--tap`), and nothing scrolls sideways on the pages the issue names.
Screenshots of every page at 360 and 1280 px land in test-artifacts/screenshots/finish-*.

The office is tests/support/builders.py's small office (Ibu Ratna pays for Siti and Asep; Dewi pays
for herself), with December's invoices issued and a sample national enrolment report on disk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from sertakan.access.roles import Role
from sertakan.app import create_app
from sertakan.billing.model import PayerKind
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.kernel.periods import Month
from sertakan.notifications.providers import RecordingProvider
from tests.analytics.nation_data import write_sample_report
from tests.support.auth import CONSOLE
from tests.support.browser import (
    SCREENS,
    fits_the_screen,
    open_phones,
    save_screenshot,
    sign_in_as_staff,
    sign_in_with_phone,
)
from tests.support.builders import open_small_office
from tests.support.containers import sqlite_container
from tests.support.server import live_server

ENROLLED = dt.datetime(2026, 7, 1, 9, 0, tzinfo=WIB)
NOW = dt.datetime(2026, 12, 2, 6, 55, tzinfo=WIB)
MIN_TAP = 44

# Every visible control, its box's height; radios and checkboxes are sized by their label.
SHORT_CONTROLS = f"""
() => [...document.querySelectorAll('input, select, textarea, button, .button')]
  .filter(e => !['hidden', 'radio', 'checkbox'].includes(e.type))
  .filter(e => e.offsetParent !== null)
  .map(e => ({{what: e.outerHTML.slice(0, 90), height: e.getBoundingClientRect().height}}))
  .filter(e => e.height < {MIN_TAP})
"""


@dataclass(frozen=True)
class Site:
    base_url: str
    provider: RecordingProvider
    siti: str
    dewi: str
    sponsor_id: str


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    clock = FixedClock(ENROLLED)
    provider = RecordingProvider()
    with sqlite_container(tmp_path, clock=clock, provider=provider) as container:
        people = open_small_office(
            container,
            staff=(Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN, Role.AGENT),
            asep_phone="081377778888",
        )
        clock.moment = NOW
        container.invoices.issue_for_payer(
            CONSOLE, PayerKind.SPONSOR, people.sponsor_id, Month(2026, 12)
        )
        container.invoices.issue_for_payer(CONSOLE, PayerKind.MEMBER, people.dewi, Month(2026, 12))
        folder = tmp_path / "analytics"
        container.settings.analytics_dir = folder
        write_sample_report(folder)
        with live_server(create_app(container)) as url:
            yield Site(url, provider, people.siti, people.dewi, people.sponsor_id)


# Who signs in how, and the pages beside the menu each opens ({siti}, {dewi} filled in).
ROLES: dict[str, tuple[str, list[str]]] = {
    "anonymous": ("", ["/", "/masuk", "/masuk/hp", "/sponsor/baru", "/cakupan"]),
    "sponsor": (
        "phone:0812-9876-5432:+6281298765432",
        ["/peserta/{siti}", "/peserta/{siti}/perlindungan"],
    ),
    "worker": (
        "phone:0857-1234-5678:+6285712345678",
        ["/peserta/{dewi}", "/peserta/{dewi}/perlindungan"],
    ),
    "officer": (
        "staff:officer",
        ["/cari?q=Siti", "/peserta/{siti}", "/tagihan?sponsor={sponsor_id}"],
    ),
    "supervisor": ("staff:supervisor", []),
    "agent": ("staff:agent", []),
    "auditor": ("staff:auditor", ["/audit"]),
    "admin": ("staff:admin", ["/admin/akun"]),
}


def sign_in(page: Page, site: Site, how: str) -> None:
    kind, _, rest = how.partition(":")
    if kind == "staff":
        sign_in_as_staff(page, site.base_url, rest)
    elif kind == "phone":
        typed, e164 = rest.split(":")
        sign_in_with_phone(page, site, typed, e164)


def reachable(page: Page, site: Site, extra: list[str]) -> list[str]:
    """The pages the home page's menu links to, then the role's everyday pages."""
    page.goto(site.base_url + "/")
    links = page.eval_on_selector_all(
        "header a[href^='/'], nav a[href^='/']", "els => els.map(e => e.getAttribute('href'))"
    )
    menu = [href for href in links if "lang=" not in href and not href.startswith("/static")]
    filled = [p.format(siti=site.siti, dewi=site.dewi, sponsor_id=site.sponsor_id) for p in extra]
    return list(dict.fromkeys([*menu, *filled]))


def shot_name(site: Site, path: str) -> str:
    """A screenshot's name that stays the same from run to run (ids replaced by who)."""
    for who in ("siti", "dewi", "sponsor_id"):
        path = path.replace(getattr(site, who), who)
    return path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-") or "home"


@pytest.mark.parametrize("role", list(ROLES))
def test_no_field_or_button_is_shorter_than_44_px_on_any_page_of_any_role(
    browser: Browser, site: Site, role: str
) -> None:
    how, extra = ROLES[role]
    short: dict[str, list[object]] = {}
    with open_phones(browser, "phone") as phones:
        page = phones.open()
        sign_in(page, site, how)
        paths = reachable(page, site, extra)
        assert paths, role
        for path in paths:
            page.goto(site.base_url + path)
            found = page.evaluate(SHORT_CONTROLS)
            if found:
                short[path] = found
            save_screenshot(page, f"finish-{role}-phone-{shot_name(site, path)}")

    assert short == {}


@pytest.mark.parametrize("path", ["/admin/akun", "/audit"])
def test_the_accounts_and_audit_pages_fit_a_360_px_phone(
    browser: Browser, site: Site, path: str
) -> None:
    user = "admin" if path == "/admin/akun" else "auditor"
    with open_phones(browser, "phone") as phones:
        page = phones.open()
        sign_in_as_staff(page, site.base_url, user)
        page.goto(site.base_url + path)

        fits_the_screen(page, "phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= SCREENS["phone"]["width"]


@pytest.mark.parametrize("role", ["sponsor", "officer", "auditor", "admin"])
def test_every_page_is_photographed_on_a_wide_screen(
    browser: Browser, site: Site, role: str
) -> None:
    """Not an assertion of taste: the 1280-px screenshots a person looks at (see the module)."""
    how, extra = ROLES[role]
    with open_phones(browser, "desktop") as screens:
        page = screens.open()
        sign_in(page, site, how)
        for path in reachable(page, site, extra):
            response = page.goto(site.base_url + path)
            assert response is not None and response.status == 200, path
            save_screenshot(page, f"finish-{role}-desktop-{shot_name(site, path)}")
