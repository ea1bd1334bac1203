"""Money pages that tell the truth (issue 16, point 1) in a real browser on a 360-pixel phone.

* A worker whose sponsor pays sees her own share and who pays it: no pay button anywhere for
  the sponsor's total, on her status page, her Tagihan page or the invoice itself.
* A worker enrolled after the month's invoice was issued is paid for in three taps from the
  sponsor's Tagihan page: "Buat tagihan tambahan dan bayar", a channel, "Bayar"; the gateway
  then takes the money (the sandbox bank posts its signed notice to the live server, as a
  real gateway would) and the worker reads "Terlindungi sampai ..." on her phone.

Pinned to 1 December 2026; screenshots land in test-artifacts/screenshots/money-*.png.
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
from sertakan.billing.model import PayerKind
from sertakan.bootstrap import Container, bootstrap
from sertakan.config import Settings
from sertakan.kernel.periods import Month
from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.nik import build_nik
from sertakan.registry.service import EnrolmentApplication
from sertakan.store.migrate import upgrade
from tests.support.auth import CONSOLE, cheap_hasher
from tests.support.browser import (
    Phones,
    fits_the_screen,
    open_phones,
    open_story_branch,
    save_screenshot,
    sign_in_with_phone,
)
from tests.support.server import AppOnceServing, live_server

SCREEN = "phone"  # 360 x 740
SPONSOR_NAME = "Ibu Ratna Kartika"
SPONSOR_PHONE = "0812-9876-5432"
SPONSOR_E164 = "+6281298765432"
SITI_PHONE = "0812-3456-7890"
SITI_E164 = "+6281234567890"
RINA_PHONE = "0813-1111-2222"
RINA_E164 = "+6281311112222"
DECEMBER = Month(2026, 12)


@dataclass(frozen=True)
class Story:
    base_url: str
    container: Container
    provider: RecordingProvider
    sponsor_id: str

    def enrol(self, name: str, phone: str, serial: int, income: int = 1_000_000) -> str:
        card = self.container.registry.enrol_member(
            CONSOLE,
            EnrolmentApplication(
                nik=build_nik("327101", dt.date(1990, 8, 17), "F", serial),
                full_name=name,
                birth_date=dt.date(1990, 8, 17),
                sex="F",
                phone=phone,
                region_code="32.71.01.1001",
                occupation="household_helper",
                declared_income=income,
                programs=("JKK", "JKM", "JHT"),
                sponsor_id=self.sponsor_id,
            ),
        )
        return card.member.id


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
            public_url=url,
        )
        container = bootstrap(settings, hasher=cheap_hasher(), provider=provider)
        upgrade(container.engine)
        sponsor_id = open_story_branch(container, SPONSOR_NAME, SPONSOR_PHONE)
        stand_in.serve(create_app(container))
        try:
            yield Story(url, container, provider, sponsor_id)
        finally:
            getattr(container.gateway, "close", lambda: None)()
            container.engine.dispose()


@pytest.fixture
def phones(browser: Browser) -> Iterator[Phones]:
    with open_phones(browser, SCREEN) as opened:
        yield opened


def shoot(page: Page, step: str) -> None:
    save_screenshot(page, f"money-{SCREEN}-{step}")


def no_pay_button(page: Page, total: str) -> None:
    """Nothing on the page offers to pay, and the sponsor's total is not on it."""
    expect(page.locator("input[name=kanal]")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile(r"^Bayar"))).to_have_count(0)
    expect(page.get_by_role("link", name="Lihat dan bayar")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(total)


def test_a_sponsored_workers_pages_show_no_pay_button_for_the_sponsors_total(
    story: Story, phones: Phones
) -> None:
    story.enrol("Siti Rahmawati", SITI_PHONE, 12)
    story.enrol("Asep Suryana", "0813-7777-8888", 13, income=2_000_000)
    story.container.invoices.issue_for_payer(CONSOLE, PayerKind.SPONSOR, story.sponsor_id, DECEMBER)
    [invoice] = story.container.invoices.for_payer(CONSOLE, PayerKind.SPONSOR, story.sponsor_id)
    # Both workers' lines together: the sponsor's to pay, not Siti's.
    total = f"Rp{invoice.total:,}".replace(",", ".")
    assert invoice.total > 28_400

    siti = phones.open()
    sign_in_with_phone(siti, story, SITI_PHONE, SITI_E164)
    siti.get_by_role("navigation", name="Menu utama").get_by_role(
        "link", name="Perlindungan"
    ).click()
    expect(siti.locator("[data-to-pay]")).to_have_text(
        f"Menunggu {SPONSOR_NAME} membayar Rp28.400 untuk Desember 2026"
    )
    bills = siti.locator(".protection-bills")
    expect(bills).to_contain_text("Rp28.400 (bagian Anda)")
    expect(bills).to_contain_text(f"Dibayar oleh {SPONSOR_NAME}")
    no_pay_button(siti, total)
    fits_the_screen(siti, SCREEN)
    shoot(siti, "1-worker-status")

    siti.get_by_role("link", name="Lihat tagihan").click()
    expect(siti.get_by_role("heading", level=1)).to_have_text("Tagihan Desember 2026")
    expect(siti.locator("main")).to_contain_text("Hanya bagian Anda yang ditampilkan.")
    expect(siti.locator("main")).not_to_contain_text("Asep")
    no_pay_button(siti, total)
    fits_the_screen(siti, SCREEN)
    shoot(siti, "2-worker-invoice")

    siti.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Tagihan").click()
    month = siti.locator('[data-member-months] [data-month="2026-12"]')
    expect(month).to_contain_text("Rp28.400")
    expect(month).to_contain_text(f"ditagihkan kepada {SPONSOR_NAME}")
    no_pay_button(siti, total)
    fits_the_screen(siti, SCREEN)
    shoot(siti, "3-worker-months")


def test_a_worker_enrolled_mid_month_is_paid_for_in_three_taps(
    story: Story, phones: Phones
) -> None:
    story.enrol("Siti Rahmawati", SITI_PHONE, 12)
    story.container.invoices.issue_for_payer(CONSOLE, PayerKind.SPONSOR, story.sponsor_id, DECEMBER)
    rina = story.enrol("Rina Wulandari", RINA_PHONE, 21)  # after December's invoice

    sponsor = phones.open()
    sign_in_with_phone(sponsor, story, SPONSOR_PHONE, SPONSOR_E164)
    sponsor.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Tagihan").click()
    expect(sponsor.locator("[data-unbilled]")).to_contain_text(
        "1 pekerja belum ada di tagihan bulan ini"
    )
    fits_the_screen(sponsor, SCREEN)
    shoot(sponsor, "4-sponsor-unbilled")

    # Tap 1: bill the newcomer on a supplementary invoice, landing on its pay form.
    sponsor.get_by_role("button", name="Buat tagihan tambahan dan bayar").click()
    expect(sponsor).to_have_url(re.compile(r"/tagihan/[0-9a-f]+#form-bayar$"))
    expect(sponsor.locator(".bill-line")).to_have_count(1)
    expect(sponsor.locator(".bill-line")).to_contain_text("Rina Wulandari")
    fits_the_screen(sponsor, SCREEN)
    shoot(sponsor, "5-supplementary")
    # Taps 2 and 3: a channel, then pay.
    sponsor.get_by_label("QRIS (semua e-wallet dan m-banking)").check()
    sponsor.get_by_role("button", name="Bayar Rp28.400").click()
    expect(sponsor).to_have_url(re.compile(r"/sandbox/bayar/SBX-"))
    expect(sponsor.get_by_role("heading", level=1)).to_have_text("Rp28.400")
    qr = sponsor.locator("[data-qris-image] svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 120 and box["x"] + box["width"] <= 360
    fits_the_screen(sponsor, SCREEN)
    shoot(sponsor, "6-gateway-qris")

    # The bank takes the money; its notice reaches Sertakan on its own.
    sponsor.get_by_role("button", name="Bayar sekarang (simulasi)").click()
    sponsor.get_by_role("link", name="Kembali ke Sertakan").click()
    expect(sponsor.locator("#status-tagihan .bill-big")).to_have_text("Lunas")
    shoot(sponsor, "7-paid")

    worker = phones.open()
    sign_in_with_phone(worker, story, RINA_PHONE, RINA_E164)
    worker.goto(story.base_url + "/perlindungan")
    expect(worker.locator(".protection-big")).to_have_text("Terlindungi sampai 31 Desember 2026")
    fits_the_screen(worker, SCREEN)
    shoot(worker, "8-newcomer-protected")
    invoices = story.container.invoices.for_payer(CONSOLE, PayerKind.SPONSOR, story.sponsor_id)
    assert len(invoices) == 2  # December's first invoice and Rina's supplementary one
    lines = {i.id: story.container.invoices.read(CONSOLE, i.id).lines for i in invoices}
    assert sorted(len(found) for found in lines.values()) == [1, 1]
    assert any(found[0].member_id == rina for found in lines.values())
