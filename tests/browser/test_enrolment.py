"""Enrolling a worker in a real browser: a sponsor signs up, enrols the worker around them
through the cascading region selects, and watches the monthly amount change as they choose.

The app runs on uvicorn at 127.0.0.1 over a fresh SQLite file, pinned to 25 November 2026
(inside the PP 50/2025 discount window). Screenshots land in test-artifacts/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sertakan.access.roles import Role
from sertakan.app import create_app
from sertakan.bootstrap import bootstrap
from sertakan.config import Settings
from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.nik import build_nik
from sertakan.store.migrate import upgrade
from tests.support.auth import cheap_hasher, last_code
from tests.support.browser import sign_in_as_staff
from tests.support.builders import open_branch
from tests.support.server import live_server

PHONE = {"width": 360, "height": 740}
SCREENSHOTS = Path("test-artifacts") / "screenshots"


@pytest.fixture(scope="module")
def phones() -> RecordingProvider:
    """Where the app's SMS go: the sponsor reads their sign-up code from here."""
    return RecordingProvider()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, phones: RecordingProvider) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("web")
    settings = Settings(database_url=f"sqlite:///{folder / 't.db'}", today="2026-11-25")
    container = bootstrap(settings, hasher=cheap_hasher(), provider=phones)
    assert container.engine is not None
    upgrade(container.engine)
    open_branch(container, Role.OFFICER)
    with live_server(create_app(container)) as url:
        yield url
    container.engine.dispose()


@pytest.fixture(autouse=True)
def signed_in_officer(page: Page, base_url: str) -> None:
    """A branch officer at the counter signs in first (every page here needs a role)."""
    sign_in_as_staff(page, base_url, Role.OFFICER.value)
    expect(page).to_have_url(re.compile(r"/cari$"))


def choose_region(page: Page, province: str, regency: str, district: str, village: str) -> None:
    """Pick the four levels in turn, waiting for htmx to load each next list."""
    levels = [
        ("#wilayah-provinsi", province),
        ("#wilayah-kabupaten", regency),
        ("#wilayah-kecamatan", district),
        ("#wilayah-region_code", village),
    ]
    for select, name in levels:
        option = page.locator(f"{select} option", has_text=re.compile(f"^{re.escape(name)}$"))
        expect(option).to_have_count(1)
        page.select_option(select, label=name)
        # Wait for the answer: a late one (to the level above) empties the lists below it.
        expect(page.locator(".htmx-request")).to_have_count(0)


def fill_worker(page: Page, nik: str, name: str = "Siti Rahmawati") -> None:
    page.get_by_label("NIK", exact=True).fill(nik)
    page.get_by_label("Nama lengkap").fill(name)
    page.get_by_label("Tanggal lahir").fill("1990-08-17")
    page.get_by_label("Perempuan (P)").check()
    page.get_by_label("Nomor HP").fill("0812-3456-7890")
    page.get_by_label("Pekerjaan", exact=True).select_option(label="Asisten rumah tangga")


def panel_total(page: Page) -> str:
    return page.locator("#rincian [data-total]").inner_text()


def test_a_sponsor_registers_then_enrols_their_helper_and_sees_the_member_card(
    page: Page, base_url: str, phones: RecordingProvider
) -> None:
    page.goto(base_url + "/")
    page.get_by_role("link", name="Daftar sebagai pemberi kerja (sponsor)").click()
    # Step 1: the phone proves it is the sponsor's (a code by SMS, entered with the form).
    page.get_by_label("Nomor HP").fill("081298765432")
    page.get_by_role("button", name="Kirim kode").click()
    expect(page.locator("#kode-terkirim")).to_be_visible()
    page.get_by_label("Kode dari SMS").fill(last_code(phones, "+6281298765432"))
    page.get_by_label("Perorangan / rumah tangga (dengan NIK)").check()
    page.get_by_label("NIK pemberi kerja").fill(build_nik("327101", dt.date(1970, 1, 5), "F", 3))
    page.get_by_label("Nama (perorangan atau usaha)").fill("Ibu Ratna Kartika")
    choose_region(page, "Jawa Barat", "Kota Bogor", "Bogor Tengah", "Paledang")
    page.get_by_role("button", name="Daftar sebagai pemberi kerja").click()

    expect(page).to_have_url(re.compile(r"/sponsor/[^/]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ibu Ratna Kartika")
    page.get_by_role("link", name="Daftarkan pekerja", exact=True).last.click()

    expect(page.locator(".payer")).to_contain_text("Dibayar oleh: Ibu Ratna Kartika")
    # The form opens on the sponsor's regency; the worker lives elsewhere, so go the whole way
    # down from another province and back: every level below is emptied and reloaded.
    choose_region(page, "Jawa Tengah", "Kota Semarang", "Semarang Tengah", "Sekayu")
    choose_region(page, "Jawa Barat", "Kota Bogor", "Bogor Selatan", "Batu Tulis")
    fill_worker(page, build_nik("327101", dt.date(1990, 8, 17), "F", 12))
    page.get_by_role("button", name="Daftarkan", exact=True).click()

    expect(page).to_have_url(re.compile(r"/peserta/[^/]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Siti Rahmawati")
    expect(page.locator("[data-kpj]")).to_have_text(re.compile(r"^\d{11}$"))
    expect(page.get_by_role("status")).to_contain_text("Menunggu pembayaran pertama")
    expect(page.locator(".facts")).to_contain_text("Batu Tulis, Kec. Bogor Selatan, Kota Bogor")
    expect(page.get_by_role("link", name="Ibu Ratna Kartika")).to_be_visible()

    page.get_by_role("link", name="Ibu Ratna Kartika").click()
    expect(page.locator(".worker-list")).to_contain_text("Siti Rahmawati")
    # Nothing is billed until Siti consents with the code sent to her phone.
    expect(page.locator(".worker-list")).to_contain_text("Menunggu persetujuan pekerja")
    expect(page.locator(".total-line [data-total]")).to_have_text("Rp0")


def test_the_monthly_amount_follows_the_income_and_the_jht_choice(
    page: Page, base_url: str
) -> None:
    page.goto(base_url + "/daftar")
    expect(page.locator("#rincian")).to_contain_text("Total per bulan")
    assert panel_total(page) == "Rp8.400"

    page.get_by_label("Penghasilan per bulan").select_option(label="Rp2.500.000")
    expect(page.locator("#rincian [data-total]")).to_have_text("Rp15.900")
    expect(page.locator("#rincian [data-program='JKK']")).to_contain_text("Rp12.500")

    page.get_by_role("checkbox", name="JHT").check()
    expect(page.locator("#rincian [data-total]")).to_have_text("Rp65.900")
    expect(page.locator("#rincian [data-program='JHT']")).to_contain_text("Rp50.000")
    expect(page.locator("#rincian .discount")).to_contain_text("diskon 50%")
    expect(page.locator("#rincian .total s")).to_have_text("Rp81.800")

    page.get_by_role("checkbox", name="JHT").uncheck()
    expect(page.locator("#rincian [data-total]")).to_have_text("Rp15.900")


def test_a_driver_sees_the_transport_discount_window(page: Page, base_url: str) -> None:
    page.goto(base_url + "/daftar")

    page.get_by_label("Pekerjaan", exact=True).select_option(label="Pengemudi ojek online (ojol)")

    expect(page.locator("#rincian .discount")).to_contain_text(
        "sektor transportasi, Januari 2026 s.d. Maret 2027"
    )


def test_an_invalid_nik_is_explained_in_indonesian_right_under_the_nik_field(
    page: Page, base_url: str
) -> None:
    page.goto(base_url + "/daftar")
    choose_region(page, "Jawa Barat", "Kota Bogor", "Bogor Selatan", "Batu Tulis")
    fill_worker(page, "3271 0157 08", name="Dewi Lestari")
    page.get_by_role("button", name="Daftarkan", exact=True).click()

    error = page.locator("#isian-nik .field-error")
    expect(error).to_have_text("NIK harus 16 digit angka")
    expect(page.get_by_label("NIK", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Nama lengkap")).to_have_value("Dewi Lestari")
    expect(page.locator("#wilayah-region_code")).to_have_value("32.71.01.1001")
    field_box = page.get_by_label("NIK", exact=True).bounding_box()
    error_box = error.bounding_box()
    assert field_box is not None and error_box is not None
    assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) < 40  # right below


def test_the_enrol_page_fits_a_360_pixel_phone_without_sideways_scrolling(
    page: Page, base_url: str
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(base_url + "/daftar")
    page.get_by_role("checkbox", name="JHT").check()
    expect(page.locator("#rincian [data-program='JHT']")).to_be_visible()

    width = page.evaluate("document.documentElement.scrollWidth")

    assert width <= PHONE["width"]
    submit = page.get_by_role("button", name="Daftarkan", exact=True).bounding_box()
    assert submit is not None and submit["height"] >= 44  # a thumb-sized target


@pytest.mark.parametrize(
    "path",
    ["/", "/sponsor/baru", "/sponsor", "/cari?q=Siti", "/tidak-ada"],
    ids=["beranda", "sponsor-baru", "sponsor", "cari", "tidak-ada"],
)
def test_other_pages_fit_a_360_pixel_phone_too(page: Page, base_url: str, path: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto(base_url + path)

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_language_switch_shows_the_form_in_english_and_back(page: Page, base_url: str) -> None:
    page.goto(base_url + "/daftar")

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enrol a worker")
    expect(page.locator("#rincian [data-total]")).to_have_text("Rp8,400")

    page.get_by_role("link", name="Bahasa Indonesia").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Daftarkan pekerja")
