"""Changing a worker's income level and programmes in a real browser on a 360-pixel phone
(issue 16 point 2): the officer chooses, sees next month's price as it stands beside the new
one, confirms; the card then shows the change from December. Screenshots land in
test-artifacts/screenshots/member-terms-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from sertakan.access.roles import Role
from sertakan.app import create_app
from sertakan.bootstrap import Container, bootstrap
from sertakan.config import Settings
from sertakan.kernel.periods import Month
from sertakan.store.migrate import upgrade
from tests.support.auth import cheap_hasher
from tests.support.browser import fits_the_screen, save_screenshot, sign_in_as_staff
from tests.support.builders import SmallOffice, open_small_office
from tests.support.server import live_server

PHONE = {"width": 360, "height": 740}


@dataclass(frozen=True)
class Site:
    base_url: str
    container: Container
    people: SmallOffice


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("terms")
    settings = Settings(database_url=f"sqlite:///{folder / 't.db'}", today="2026-11-25")
    container = bootstrap(settings, hasher=cheap_hasher())
    upgrade(container.engine)
    people = open_small_office(container, staff=(Role.OFFICER,))
    with live_server(create_app(container)) as url:
        yield Site(url, container, people)
    container.engine.dispose()


def test_the_officer_sees_the_new_price_before_confirming_on_a_phone(
    page: Page, site: Site
) -> None:
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    sign_in_as_staff(page, site.base_url, Role.OFFICER.value)
    expect(page).to_have_url(re.compile(r"/cari$"))
    page.goto(f"{site.base_url}/peserta/{site.people.siti}")
    page.get_by_role("link", name="Ubah penghasilan atau program").click()

    page.get_by_label("Penghasilan per bulan").select_option("2000000")
    page.get_by_role("button", name="Lihat iuran baru").click()

    expect(page.get_by_role("heading", name="Iuran mulai Desember 2026")).to_be_visible()
    totals = page.locator("[data-total]").all_inner_texts()
    assert len(totals) == 2 and totals[0] != totals[1]
    fits_the_screen(page, "phone")
    save_screenshot(page, "member-terms-preview-phone")
    confirm = page.get_by_role("button", name="Ya, ubah mulai bulan depan")
    box = confirm.bounding_box()
    assert box is not None and box["height"] >= 44  # a thumb's tap
    confirm.click()

    expect(
        page.get_by_text("Penghasilan dan program sudah diubah mulai bulan depan.")
    ).to_be_visible()
    expect(page.locator("[data-pending-terms]")).to_contain_text("Rp2.000.000")
    fits_the_screen(page, "phone")
    with site.container.uow() as uow:
        member = uow.members.get(site.people.siti)
    assert member is not None and member.pending_from == Month(2026, 12)
