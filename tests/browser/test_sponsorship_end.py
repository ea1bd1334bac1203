"""Ending a sponsorship in a real browser on a 360-pixel phone (issue 16 point 2): the
officer's tap on "Akhiri sponsor ini" asks first and says what happens next; once confirmed,
the sponsor's next invoice no longer has the worker.

The app runs on uvicorn over a fresh SQLite file, pinned to 25 November 2026. Screenshots land
in test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from sertakan.access.roles import Role
from sertakan.app import create_app
from sertakan.billing.model import PayerKind
from sertakan.bootstrap import Container, bootstrap
from sertakan.config import Settings
from sertakan.kernel.periods import Month
from sertakan.notifications.providers import RecordingProvider
from sertakan.store.migrate import upgrade
from tests.support.auth import CONSOLE, cheap_hasher
from tests.support.browser import fits_the_screen, save_screenshot, sign_in_as_staff
from tests.support.builders import SmallOffice, open_small_office
from tests.support.server import live_server

PHONE = {"width": 360, "height": 740}
DECEMBER = Month(2026, 12)


@dataclass(frozen=True)
class Site:
    base_url: str
    container: Container
    people: SmallOffice
    december_invoice: str


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("end")
    settings = Settings(database_url=f"sqlite:///{folder / 't.db'}", today="2026-11-25")
    container = bootstrap(settings, hasher=cheap_hasher(), provider=RecordingProvider())
    upgrade(container.engine)
    people = open_small_office(container, staff=(Role.OFFICER,))
    # The sponsor's December invoice is out already, with Siti and Asep on it.
    container.invoices.issue_for_payer(CONSOLE, PayerKind.SPONSOR, people.sponsor_id, DECEMBER)
    [invoice] = container.invoices.for_payer(CONSOLE, PayerKind.SPONSOR, people.sponsor_id)
    with live_server(create_app(container)) as url:
        yield Site(url, container, people, invoice.id)
    container.engine.dispose()


def test_ending_a_sponsorship_asks_first_and_the_sponsors_next_invoice_no_longer_has_the_worker(
    page: Page, site: Site
) -> None:
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    sign_in_as_staff(page, site.base_url, Role.OFFICER.value)
    expect(page).to_have_url(re.compile(r"/cari$"))
    page.goto(f"{site.base_url}/tagihan/{site.december_invoice}")
    expect(page.get_by_text("Siti Rahmawati")).to_be_visible()

    page.goto(f"{site.base_url}/peserta/{site.people.siti}")
    page.get_by_role("link", name="Akhiri sponsor ini").click()

    # Asked first: nothing ended yet, and the page says what happens next.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Akhiri sponsor Ibu Ratna")
    expect(page.get_by_label("Desember 2026")).to_be_checked()
    expect(page.get_by_text("paling lambat 15 Desember 2026")).to_be_visible()
    expect(page.get_by_text("Setelah 4 bulan berturut-turut tidak dibayar")).to_be_visible()
    fits_the_screen(page, "phone")
    save_screenshot(page, "sponsorship-end-ask-phone")
    with site.container.uow() as uow:
        [before] = uow.sponsorships.for_member(site.people.siti)
    assert before.until_month is None

    page.get_by_role("button", name="Ya, akhiri sponsor").click()

    expect(page).to_have_url(re.compile(rf"/peserta/{site.people.siti}\?sponsor_berakhir="))
    expect(page.get_by_role("status").filter(has_text="Sponsor berakhir mulai")).to_be_visible()
    expect(page.get_by_text("sampai November 2026")).to_be_visible()
    fits_the_screen(page, "phone")
    save_screenshot(page, "sponsorship-end-done-phone")

    page.goto(f"{site.base_url}/tagihan/{site.december_invoice}")
    expect(page.get_by_text("Asep Suryana")).to_be_visible()
    expect(page.get_by_text("Siti Rahmawati")).to_have_count(0)
    expect(page.get_by_text("Rp13.400").first).to_be_visible()  # Asep's month alone
    save_screenshot(page, "sponsorship-end-invoice-phone")
