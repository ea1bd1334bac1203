"""Issue 4 in a real browser: a sponsor signs in with a code sent to their phone, enrols the
worker around them, the worker consents with the code sent to hers, the sponsor pays for her,
she signs in to her own card, and nobody opens a card that is not theirs.

Each person uses their own browser (a context of their own: their own phone). The app runs on
uvicorn at 127.0.0.1 over a fresh SQLite file, pinned to 25 November 2026; the codes are read
from a recording message provider, as the worker would read them from her SMS. The story runs
on a 360-pixel phone and on a 1280-pixel screen; screenshots of each step land in
test-artifacts/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from sertakan.app import create_app
from sertakan.bootstrap import Container, bootstrap
from sertakan.config import Settings
from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.nik import build_nik
from sertakan.store.migrate import upgrade
from tests.support.auth import CONSOLE, cheap_hasher, last_code
from tests.support.browser import (
    SCREENS,
    Phones,
    fits_the_screen,
    open_phones,
    open_story_branch,
    save_screenshot,
    sign_in_with_phone,
)
from tests.support.builders import a_sponsor, a_worker
from tests.support.server import live_server

SPONSOR_NAME = "Ibu Ratna Kartika"
SPONSOR_PHONE = "0812-9876-5432"
SPONSOR_E164 = "+6281298765432"
OTHER_SPONSOR_NAME = "Warung Pak Darto"
OTHER_SPONSOR_PHONE = "0813-7777-8888"
WORKER_NAME = "Siti Rahmawati"
WORKER_PHONE = "0812-3456-7890"
WORKER_E164 = "+6281234567890"
WORKER_NIK = build_nik("327101", dt.date(1990, 8, 17), "F", 12)
MASKED_NIK = WORKER_NIK[:4] + "*" * 8 + WORKER_NIK[-4:]


@dataclass(frozen=True)
class Story:
    base_url: str
    container: Container
    provider: RecordingProvider
    sponsor_id: str
    other_sponsor_id: str
    other_member_id: str  # a worker of the second sponsor


@pytest.fixture
def story(tmp_path: Path) -> Iterator[Story]:
    provider = RecordingProvider()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 't.db'}", today="2026-11-25", secret_key="b" * 32
    )
    container = bootstrap(settings, hasher=cheap_hasher(), provider=provider)
    assert container.engine is not None
    upgrade(container.engine)
    sponsor_id = open_story_branch(container, SPONSOR_NAME, SPONSOR_PHONE)
    other = container.registry.register_sponsor(
        CONSOLE,
        a_sponsor(
            kind="business",
            name=OTHER_SPONSOR_NAME,
            phone=OTHER_SPONSOR_PHONE,
            address="Jl. Suryakencana 12",
            nib="1234567890123",
            nik=None,
        ),
    )
    # The second sponsor's own worker, enrolled at the counter (consent attested there).
    other_worker = container.registry.enrol_member(
        CONSOLE,
        a_worker(
            nik=build_nik("327101", dt.date(1985, 3, 2), "M", 7),
            full_name="Budi Santoso",
            birth_date=dt.date(1985, 3, 2),
            sex="M",
            phone="0813-5555-1234",
            programs=("JKK", "JKM"),
            sponsor_id=other.id,
            address="",
        ),
    )
    with live_server(create_app(container)) as url:
        yield Story(url, container, provider, sponsor_id, other.id, other_worker.member.id)
    container.engine.dispose()


@pytest.fixture(params=list(SCREENS))
def phones(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Phones]:
    with open_phones(browser, request.param) as opened:
        yield opened


def shoot(page: Page, screen: str, step: str) -> None:
    save_screenshot(page, f"sign_in_and_consent-{screen}-{step}")


def choose_region(page: Page, province: str, regency: str, district: str, village: str) -> None:
    for select, name in [
        ("#wilayah-provinsi", province),
        ("#wilayah-kabupaten", regency),
        ("#wilayah-kecamatan", district),
        ("#wilayah-region_code", village),
    ]:
        option = page.locator(f"{select} option", has_text=re.compile(f"^{re.escape(name)}$"))
        expect(option).to_have_count(1)
        page.select_option(select, label=name)
        # Each choice reloads the level below and empties those further down: wait for the
        # answer, or a late one (to the level above) empties a list just chosen from.
        expect(page.locator(".htmx-request")).to_have_count(0)


def expect_access_denied(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Akses ditolak")
    expect(page.locator(".error-page .status")).to_have_text("Kode kesalahan: 403")
    expect(page.locator(".error-page .message")).to_contain_text("di luar wewenang Anda")
    # A way forward, not a wall: the reader's own page (issue 16, "no walls").
    expect(page.get_by_role("link", name="Ke halaman saya")).to_be_visible()


def test_a_sponsor_enrols_a_worker_who_consents_with_her_code_and_then_sees_only_her_own_card(
    story: Story, phones: Phones
) -> None:
    screen = phones.screen

    # The sponsor signs in with the code sent to their phone and lands on their workers.
    sponsor = phones.open()
    sign_in_with_phone(sponsor, story, SPONSOR_PHONE, SPONSOR_E164)
    expect(sponsor).to_have_url(story.base_url + f"/sponsor/{story.sponsor_id}")
    expect(sponsor.get_by_role("heading", level=1)).to_have_text(SPONSOR_NAME)

    # "Daftarkan pekerja" opens the form as theirs: they pay for whoever they enrol.
    sponsor.goto(story.base_url + "/daftar")
    expect(sponsor).to_have_url(re.compile(rf"/daftar\?sponsor={story.sponsor_id}$"))
    expect(sponsor.locator(".payer")).to_contain_text(f"Dibayar oleh: {SPONSOR_NAME}")
    choose_region(sponsor, "Jawa Barat", "Kota Bogor", "Bogor Selatan", "Batu Tulis")
    sponsor.get_by_label("NIK", exact=True).fill(WORKER_NIK)
    sponsor.get_by_label("Nama lengkap").fill(WORKER_NAME)
    sponsor.get_by_label("Tanggal lahir").fill("1990-08-17")
    sponsor.get_by_label("Perempuan (P)").check()
    sponsor.get_by_label("Nomor HP").fill(WORKER_PHONE)
    sponsor.get_by_label("Pekerjaan", exact=True).select_option(label="Asisten rumah tangga")
    shoot(sponsor, screen, "1-enrol-form")
    sponsor.get_by_role("button", name="Daftarkan", exact=True).click()

    # Next: the worker's consent, with the code that went to her phone (not the sponsor's).
    expect(sponsor).to_have_url(re.compile(r"/persetujuan/[^/?]+$"))
    expect(sponsor.get_by_role("heading", level=1)).to_have_text(
        f"{SPONSOR_NAME} ingin membayar iuran Siti"
    )
    fits_the_screen(sponsor, screen)
    shoot(sponsor, screen, "2-consent-asked")
    consent_code = last_code(story.provider, WORKER_E164)
    sponsor.get_by_label("Kode persetujuan").fill(consent_code)
    sponsor.get_by_role("button", name="Setuju").click()
    expect(sponsor.locator("[data-consent]")).to_have_attribute("data-consent", "given")
    expect(sponsor.get_by_role("status")).to_have_text("Disetujui pekerja (kode)")
    expect(sponsor.get_by_label("Kode persetujuan")).to_have_count(0)
    shoot(sponsor, screen, "3-consent-given")

    # The sponsor's sheet now bills her: the monthly total is her monthly amount.
    sponsor.get_by_role("link", name="Kembali ke daftar pekerja").click()
    expect(sponsor).to_have_url(story.base_url + f"/sponsor/{story.sponsor_id}")
    worker_line = sponsor.locator(".worker-list .worker", has_text=WORKER_NAME)
    expect(worker_line).to_have_count(1)
    expect(worker_line.locator("[data-consent]")).to_have_count(0)  # nothing left to consent
    amount = worker_line.locator("dd strong").inner_text()
    assert re.fullmatch(r"Rp[\d.]+", amount) and amount != "Rp0", amount
    expect(sponsor.locator(".total-line [data-total]")).to_have_text(amount)
    fits_the_screen(sponsor, screen)
    shoot(sponsor, screen, "4-sponsor-total")
    member_href = worker_line.get_by_role("link", name=WORKER_NAME).get_attribute("href")
    assert member_href is not None
    member_path = member_href

    # The worker signs in on her own phone and lands on her own card.
    worker = phones.open()
    sign_in_with_phone(worker, story, WORKER_PHONE, WORKER_E164)
    expect(worker).to_have_url(story.base_url + member_path)
    expect(worker.get_by_role("heading", level=1)).to_have_text(WORKER_NAME)
    expect(worker.locator(".facts .nik")).to_have_text(MASKED_NIK)
    assert WORKER_NIK not in worker.content()
    menu = worker.get_by_role("navigation", name="Menu utama")
    expect(menu.get_by_role("link", name="Kartu saya")).to_have_attribute("href", member_path)
    expect(menu.get_by_role("link", name="Kartu saya")).to_have_attribute("aria-current", "page")
    expect(worker.locator(".facts")).to_contain_text(SPONSOR_NAME)
    expect(worker.locator("main")).to_contain_text("Disetujui pekerja (kode)")
    fits_the_screen(worker, screen)
    shoot(worker, screen, "5-worker-own-card")

    # Another worker's card is closed to her, in Indonesian.
    response = worker.goto(story.base_url + f"/peserta/{story.other_member_id}")
    assert response is not None and response.status == 403
    expect_access_denied(worker)
    expect(worker.locator("body")).not_to_contain_text("Budi Santoso")
    shoot(worker, screen, "6-worker-other-card-denied")

    # A second sponsor cannot open the first sponsor's worker.
    other_sponsor = phones.open()
    sign_in_with_phone(other_sponsor, story, OTHER_SPONSOR_PHONE, "+6281377778888")
    expect(other_sponsor).to_have_url(story.base_url + f"/sponsor/{story.other_sponsor_id}")
    response = other_sponsor.goto(story.base_url + member_path)
    assert response is not None and response.status == 403
    expect_access_denied(other_sponsor)
    expect(other_sponsor.locator("body")).not_to_contain_text(WORKER_NAME)
    fits_the_screen(other_sponsor, screen)
    shoot(other_sponsor, screen, "7-other-sponsor-denied")
