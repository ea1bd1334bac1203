"""Issue 6 in a real browser: a sponsor signs in with a phone code, opens Tagihan, issues
this month's invoice, pays it on the sandbox gateway's page, comes back to Sertakan and sees
the receipt appear; the worker they pay for then reads "Terlindungi sampai ..." on her phone.

Nothing is short-circuited: the sandbox gateway posts its signed notice, from its own thread,
to the live server's `/api/v1/payments/notifications`, exactly as a real gateway would, and
the invoice page learns of it by polling (htmx). For that the app must know its own URL when
it is built (`Settings.public_url`: the gateway puts it in the payer's link and posts notices
to it), but `live_server` picks a free port only once it runs. So the server starts with a
stand-in app (`AppOnceServing`) and the real one is built as soon as the URL is known, before
any request is made.

The story runs on a 360-pixel phone and a 1280-pixel screen, pinned to 1 December 2026;
screenshots of each step land in test-artifacts/screenshots/pay_flow-*.png.
"""

from __future__ import annotations

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
from sertakan.store.migrate import upgrade
from tests.support.auth import CONSOLE, cheap_hasher
from tests.support.browser import (
    SCREENS,
    Phones,
    fits_the_screen,
    open_phones,
    open_story_branch,
    save_screenshot,
    sign_in_with_phone,
)
from tests.support.builders import a_worker
from tests.support.server import AppOnceServing, live_server

SPONSOR_NAME = "Ibu Ratna Kartika"
SPONSOR_PHONE = "0812-9876-5432"
SPONSOR_E164 = "+6281298765432"
WORKER_NAME = "Siti Rahmawati"
WORKER_PHONE = "0812-3456-7890"
WORKER_E164 = "+6281234567890"


@dataclass(frozen=True)
class Story:
    base_url: str
    container: Container
    provider: RecordingProvider
    sponsor_id: str
    worker_id: str


@pytest.fixture
def story(tmp_path: Path) -> Iterator[Story]:
    provider = RecordingProvider()
    stand_in = AppOnceServing()
    with live_server(stand_in) as url:
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 't.db'}",
            today="2026-12-01",
            secret_key="b" * 32,
            gateway_secret="g" * 32,
            sandbox_db=tmp_path / "sandbox.sqlite",
            public_url=url,  # the gateway's pay link and its notices come here
        )
        container = bootstrap(settings, hasher=cheap_hasher(), provider=provider)
        upgrade(container.engine)
        sponsor_id = open_story_branch(container, SPONSOR_NAME, SPONSOR_PHONE)
        worker = container.registry.enrol_member(
            CONSOLE,
            a_worker(
                full_name=WORKER_NAME,
                phone=WORKER_PHONE,
                sponsor_id=sponsor_id,
                address="",
            ),
        )
        stand_in.serve(create_app(container))
        try:
            yield Story(url, container, provider, sponsor_id, worker.member.id)
        finally:
            getattr(container.gateway, "close", lambda: None)()  # the notices' thread
            container.engine.dispose()


@pytest.fixture(params=list(SCREENS))
def phones(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Phones]:
    with open_phones(browser, request.param) as opened:
        yield opened


def shoot(page: Page, screen: str, step: str) -> None:
    save_screenshot(page, f"pay_flow-{screen}-{step}")


def test_a_sponsor_pays_this_months_invoice_at_the_gateway_and_the_worker_is_protected(
    story: Story, phones: Phones
) -> None:
    screen = phones.screen

    # The sponsor signs in and opens Tagihan from the menu: nothing issued yet this month.
    sponsor = phones.open()
    sign_in_with_phone(sponsor, story, SPONSOR_PHONE, SPONSOR_E164)
    expect(sponsor).to_have_url(story.base_url + f"/sponsor/{story.sponsor_id}")
    menu = sponsor.get_by_role("navigation", name="Menu utama")
    menu.get_by_role("link", name="Tagihan").click()
    expect(sponsor).to_have_url(story.base_url + "/tagihan")
    expect(sponsor.get_by_role("heading", level=1)).to_have_text(SPONSOR_NAME)
    expect(sponsor.locator("[data-no-invoice]")).to_have_text("Tagihan bulan ini belum dibuat.")
    fits_the_screen(sponsor, screen)
    shoot(sponsor, screen, "1-no-invoice-yet")

    # Issuing it shows the worker's line, part by part, and what to pay.
    sponsor.get_by_role("button", name="Buat tagihan bulan ini").click()
    expect(sponsor.locator("[data-note]")).to_have_text("Tagihan bulan ini sudah dibuat.")
    current = sponsor.locator("[data-current]")
    expect(current.get_by_role("heading", level=2)).to_have_text("Tagihan Desember 2026")
    expect(current.locator("[data-due]")).to_have_text("15 Desember 2026")
    line = current.locator(".bill-line", has_text=WORKER_NAME)
    expect(line.locator('[data-part="JHT"] dd')).to_have_text("Rp20.000")
    expect(line.locator('[data-part="discount"] dd')).to_have_text("−Rp8.400")
    expect(current.locator("[data-total]")).to_have_text("Rp28.400")
    number = current.locator("[data-invoice-number]").inner_text()
    assert re.fullmatch(r"INV-202612-[0-9A-F]{8}", number), number
    fits_the_screen(sponsor, screen)
    shoot(sponsor, screen, "2-invoice-issued")

    # Paying: a channel, then the gateway's page (a simulation, and it says so).
    sponsor.get_by_label("Virtual Account BRI").check()
    sponsor.get_by_role("button", name="Bayar Rp28.400").click()
    expect(sponsor).to_have_url(
        re.compile(r"/sandbox/bayar/SBX-[0-9A-F]+\?return_url=%2Ftagihan%2F")
    )
    expect(sponsor.get_by_role("heading", level=1)).to_have_text("Rp28.400")
    expect(sponsor.locator("main")).to_contain_text("SIMULASI")
    expect(sponsor.locator("main")).to_contain_text(number)
    fits_the_screen(sponsor, screen)
    shoot(sponsor, screen, "3-gateway")
    sponsor.get_by_role("button", name="Bayar sekarang (simulasi)").click()
    expect(sponsor.locator("#hasil-bayar")).to_contain_text("Pembayaran berhasil")

    # Back at Sertakan the receipt appears once the gateway's notice has landed.
    sponsor.get_by_role("link", name="Kembali ke Sertakan").click()
    expect(sponsor).to_have_url(re.compile(r"/tagihan/[^/?]+$"))
    expect(sponsor.get_by_role("heading", level=1)).to_have_text("Tagihan Desember 2026")
    expect(sponsor.locator("[data-heading-number]")).to_have_text(number)
    receipt = sponsor.locator("[data-receipt]")
    expect(receipt).to_be_visible()  # at once, or after a poll or two
    expect(sponsor.locator("#status-tagihan .bill-big")).to_have_text("Lunas")
    expect(receipt.locator("[data-paid-amount]")).to_have_text("Rp28.400")
    expect(receipt.locator("[data-channel]")).to_have_text("Virtual Account BRI")
    expect(receipt).to_contain_text("Desember 2026")
    expect(sponsor.locator("input[name=kanal]")).to_have_count(0)
    fits_the_screen(sponsor, screen)
    shoot(sponsor, screen, "4-receipt")

    # The worker, on her own phone: her card says it in a line, her status page in big.
    worker = phones.open()
    sign_in_with_phone(worker, story, WORKER_PHONE, WORKER_E164)
    expect(worker).to_have_url(story.base_url + f"/peserta/{story.worker_id}")
    expect(worker.locator(".protection-line strong")).to_have_text(
        "Terlindungi sampai 31 Desember 2026"
    )
    worker.get_by_role("navigation", name="Menu utama").get_by_role(
        "link", name="Perlindungan"
    ).click()
    expect(worker).to_have_url(story.base_url + "/perlindungan")
    expect(worker.locator(".protection-big")).to_have_text("Terlindungi sampai 31 Desember 2026")
    for program in ("JKK", "JKM", "JHT"):
        expect(worker.locator(f'[data-program="{program}"]')).to_have_attribute(
            "data-covered", "yes"
        )
    expect(worker.locator(".protection-payments")).to_contain_text("Rp28.400")
    fits_the_screen(worker, screen)
    shoot(worker, screen, "5-worker-protected")
