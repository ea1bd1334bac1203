"""The web pages through FastAPI's TestClient: what a person sees, in Bahasa Indonesia first.

The app is the real one (`create_app`) over SQLite, pinned to 25 November 2026: inside the
PP 50/2025 discount window of every informal worker (fixtures in tests/api/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from sertakan.app import create_app
from sertakan.bootstrap import Container, bootstrap
from sertakan.config import Settings
from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.nik import build_nik
from sertakan.registry.service import SponsorApplication
from sertakan.store.migrate import upgrade
from tests.support.auth import CONSOLE, last_code, web_sign_up_code
from tests.support.pages import text_of
from tests.support.people import enrolment_form as worker

BIRTH = dt.date(1990, 8, 17)


def household(serial: int = 3, **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "kind": "person",
        "nik": build_nik("327101", dt.date(1970, 1, 5), "F", serial),
        "nib": "",
        "name": "Ibu Ratna Kartika",
        "phone": "081298765432",
        "provinsi": "32",
        "kabupaten": "32.71",
        "kecamatan": "32.71.01",
        "region_code": "32.71.01.1001",
        "address": "Jl. Salak 2",
    }
    form.update(changes)
    return form


def field_error(page: str, name: str) -> str:
    """The message printed under one field (its `galat-<name>` block), or ""."""
    found = re.search(rf'<div class="field-error" id="galat-{name}"[^>]*>(.*?)</div>', page, re.S)
    return text_of(found.group(1)) if found else ""


def input_value(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]* name="{name}"[^>]* value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else ""


def enrol(client: TestClient, **changes: Any) -> str:
    """Enrol through the form; the member page's path."""
    response = client.post("/daftar", data=worker(**changes), follow_redirects=False)
    assert response.status_code == 303, text_of(response.text)
    return response.headers["location"]


def register_sponsor(client: TestClient, provider: RecordingProvider, **changes: Any) -> str:
    """Register through the page's two steps: the code sent to the phone, then the form."""
    form = household(**changes)
    form["phone_code"] = web_sign_up_code(client, provider, form["phone"])
    response = client.post("/sponsor/baru", data=form, follow_redirects=False)
    assert response.status_code == 303, text_of(response.text)
    return response.headers["location"]


# --- home ------------------------------------------------------------------------------------


def test_the_home_page_shows_the_normal_prices_computed_from_the_regulation(
    client: TestClient,
) -> None:
    page = text_of(client.get("/").text)

    assert "Sejahterakan Pekerja Sekitar Anda" in page
    assert "Mulai Rp16.800 sebulan untuk JKK + JKM, atau Rp36.800 sebulan dengan JHT" in page
    assert "penghasilan terendah Rp1.000.000 sebulan" in page


def test_the_home_page_shows_todays_discounted_price_and_says_why(client: TestClient) -> None:
    page = text_of(client.get("/").text)

    assert "Sekarang hanya Rp8.400 Rp16.800 sebulan untuk JKK + JKM" in page
    assert "Rp28.400 Rp36.800 dengan JHT" in page
    assert "PP 50/2025: diskon 50% iuran JKK dan JKM" in page
    assert "April 2026 s.d. Desember 2026" in page


def test_after_the_discount_window_the_home_page_shows_the_full_price_only(
    tmp_path: Path,
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 't.db'}", today="2027-06-01")
    container = bootstrap(settings)
    assert container.engine is not None
    upgrade(container.engine)

    page = text_of(TestClient(create_app(container)).get("/").text)

    assert "Rp16.800" in page
    assert "Rp8.400" not in page
    assert "Sedang ada diskon" not in page


def test_the_home_page_explains_the_three_programmes_and_leads_to_the_three_tasks(
    client: TestClient,
) -> None:
    response = client.get("/")
    page = text_of(response.text)

    assert "tanpa batas biaya" in page
    assert "Rp42 juta" in page
    assert "2 anak hingga Rp174 juta" in page
    assert "Boleh dipilih, boleh tidak" in page  # JHT is optional
    assert 'href="/daftar"' in response.text
    assert 'href="/cari"' in response.text
    assert 'href="/sponsor/baru"' in response.text


# --- language --------------------------------------------------------------------------------


def test_lang_en_switches_the_labels_to_english_and_the_cookie_remembers_it(
    client: TestClient,
) -> None:
    english = client.get("/?lang=en")

    assert "Enrol a worker" in english.text
    assert "Rp16,800" in english.text  # English groups digits with commas
    assert english.cookies.get("lang") == "en"
    assert "Enrol a worker" in client.get("/daftar").text  # remembered without ?lang
    assert "Daftarkan pekerja" in client.get("/daftar?lang=id").text


def test_every_page_offers_the_switch_between_english_and_bahasa_indonesia(
    client: TestClient,
) -> None:
    page = client.get("/cari?q=Siti").text

    assert 'href="/cari?q=Siti&amp;lang=en"' in page
    assert "English" in page
    assert "Bahasa Indonesia" in page


# --- sponsors --------------------------------------------------------------------------------


def test_a_sponsor_form_with_mistakes_shows_indonesian_messages_next_to_each_field(
    client: TestClient,
) -> None:
    response = client.post(
        "/sponsor/baru", data=household(nik="12345", name=" ", phone="123", region_code="")
    )

    assert response.status_code == 422
    assert field_error(response.text, "nik") == "NIK harus 16 digit angka"
    assert field_error(response.text, "name") == "Nama wajib diisi"
    assert field_error(response.text, "phone") == "Nomor HP tidak valid"
    assert "desa/kelurahan" in field_error(response.text, "region_code")
    assert input_value(response.text, "phone") == "123"  # typed values kept
    assert input_value(response.text, "nik") == "12345"
    assert field_error(response.text, "phone_code") == "Masukkan kode yang dikirim ke nomor HP ini"


def test_a_business_sponsor_is_asked_for_a_13_digit_nib(client: TestClient) -> None:
    response = client.post("/sponsor/baru", data=household(kind="business", nib="12", nik=""))

    assert response.status_code == 422
    assert field_error(response.text, "nib") == "NIB harus 13 digit angka"
    assert field_error(response.text, "nik") == ""


def test_a_registered_sponsor_lands_on_their_page_with_a_button_to_enrol_a_worker(
    client: TestClient, provider: RecordingProvider
) -> None:
    location = register_sponsor(client, provider)
    sponsor_id = location.rsplit("/", 1)[1]

    page = client.get(location)

    assert page.status_code == 200
    assert "Ibu Ratna Kartika" in page.text
    assert "Belum ada pekerja yang didaftarkan" in text_of(page.text)
    assert f'href="/daftar?sponsor={sponsor_id}"' in page.text


def test_the_sponsor_page_lists_each_worker_with_kpj_occupation_amount_and_the_total(
    client: TestClient, provider: RecordingProvider
) -> None:
    sponsor_page = register_sponsor(client, provider)
    sponsor_id = sponsor_page.rsplit("/", 1)[1]
    enrol(client, serial=21, full_name="Siti Rahmawati", sponsor_id=sponsor_id)
    enrol(
        client,
        serial=22,
        full_name="Budi Santoso",
        sex="M",
        nik=build_nik("327101", BIRTH, "M", 22),
        occupation="driver",
        programs=["JKK", "JKM", "JHT"],
        sponsor_id=sponsor_id,
        phone="0813-1111-2222",
    )
    waiting = text_of(client.get(sponsor_page).text)
    assert waiting.count("Menunggu persetujuan pekerja") == 2
    # Each worker confirms with the code their phone received.
    sheet = client.get(f"/api/v1/sponsors/{sponsor_id}").json()
    phones = {"Siti Rahmawati": "+6281234567890", "Budi Santoso": "+6281311112222"}
    for line in sheet["workers"]:
        code = last_code(provider, phones[line["full_name"]])
        confirmed = client.post(f"/persetujuan/{line['sponsorship_id']}", data={"code": code})
        assert confirmed.status_code == 200, confirmed.text

    page = text_of(client.get(sponsor_page).text)

    assert "Budi Santoso" in page
    assert "Sopir/pengemudi" in page
    assert "Asisten rumah tangga" in page
    assert "Rp8.400" in page  # Siti: JKK + JKM, discounted
    assert "Rp28.400" in page  # Budi: with JHT, discounted
    assert "Total per bulan: Rp53.600 Rp36.800" in page  # normal struck through, then due
    assert "2 pekerja" in page


def test_registering_the_same_sponsor_twice_points_to_the_existing_page(
    client: TestClient, provider: RecordingProvider
) -> None:
    first = register_sponsor(client, provider)

    code = web_sign_up_code(client, provider, household()["phone"])
    again = client.post("/sponsor/baru", data=household(phone_code=code))

    assert again.status_code == 409
    assert "Pemberi kerja dengan NIK/NIB ini sudah terdaftar" in again.text
    assert f'href="{first}"' in again.text


def test_the_sponsor_list_links_to_each_sponsor_with_its_place(
    client: TestClient, provider: RecordingProvider
) -> None:
    location = register_sponsor(client, provider)

    page = client.get("/sponsor")

    assert page.status_code == 200
    assert f'href="{location}"' in page.text
    assert "Ibu Ratna Kartika" in page.text
    assert "Perorangan · Batu Tulis, Kota Bogor" in text_of(page.text)


def test_the_sponsor_list_shows_twenty_a_page_with_a_link_to_the_next(
    client: TestClient, container: Container
) -> None:
    for serial in range(100, 121):
        container.registry.register_sponsor(
            CONSOLE,
            SponsorApplication(
                kind="person",
                name=f"Keluarga {serial}",
                phone="081298765432",
                region_code="32.71.01.1001",
                address="",
                nik=build_nik("327101", dt.date(1970, 1, 5), "F", serial),
            ),
        )

    first = client.get("/sponsor").text
    second = client.get("/sponsor?halaman=2").text

    assert first.count('href="/sponsor/') - first.count('href="/sponsor/baru"') == 20
    assert 'href="/sponsor?halaman=2" rel="next"' in first
    assert second.count('href="/sponsor/') - second.count('href="/sponsor/baru"') == 1
    assert 'href="/sponsor?halaman=1" rel="prev"' in second
    assert 'rel="next"' not in second


# --- enrolment form --------------------------------------------------------------------------


def test_the_enrol_form_offers_every_income_level_of_the_regulation(client: TestClient) -> None:
    page = client.get("/daftar").text
    levels = re.findall(r'<option value="(\d+)"[^>]*>Rp[\d.]+</option>', page)

    assert levels[0] == "1000000"
    assert levels[-1] == "20700000"
    assert len(levels) == (20_700_000 - 1_000_000) // 100_000 + 1
    assert ">Rp2.500.000</option>" in page


def test_the_enrol_form_opens_on_kota_bogor_and_is_paid_by_the_worker_by_default(
    client: TestClient,
) -> None:
    page = client.get("/daftar").text

    assert re.search(r'<option value="32" selected>Jawa Barat</option>', page)
    assert re.search(r'<option value="32.71" selected>Kota Bogor</option>', page)
    assert ">Bogor Selatan</option>" in page  # its districts are ready to choose
    assert "Bayar sendiri (mandiri)" in text_of(page)


def test_the_enrol_form_from_a_sponsor_says_who_pays_and_carries_the_sponsor_id(
    client: TestClient, provider: RecordingProvider
) -> None:
    sponsor_id = register_sponsor(client, provider).rsplit("/", 1)[1]

    page = client.get(f"/daftar?sponsor={sponsor_id}").text

    assert "Dibayar oleh: Ibu Ratna Kartika" in text_of(page)
    assert f'name="sponsor_id" value="{sponsor_id}"' in page


def test_jkk_and_jkm_are_always_ticked_and_jht_is_a_choice(client: TestClient) -> None:
    page = client.get("/daftar").text

    assert '<input type="hidden" name="programs" value="JKK">' in page
    assert '<input type="hidden" name="programs" value="JKM">' in page
    assert page.count("checked disabled") == 2
    assert re.search(r'<input type="checkbox" name="programs" value="JHT" id="program-jht">', page)


def test_the_enrol_form_from_an_unknown_sponsor_is_a_404_page(client: TestClient) -> None:
    response = client.get("/daftar?sponsor=tidak-ada")

    assert response.status_code == 404
    assert "Pemberi kerja tidak ditemukan" in response.text


def test_the_region_endpoint_answers_the_districts_of_kota_bogor_as_options(
    client: TestClient,
) -> None:
    response = client.get("/wilayah?induk=32.71")

    assert response.status_code == 200
    assert '<option value="32.71.01">Bogor Selatan</option>' in response.text
    assert '<option value="">— Pilih kecamatan —</option>' in response.text
    # the village select below is emptied, so a village of another district cannot stay chosen
    assert '<select id="wilayah-region_code" hx-swap-oob="innerHTML">' in response.text


def test_choosing_a_province_loads_its_regencies(client: TestClient) -> None:
    response = client.get("/wilayah?provinsi=32&tingkat=kabupaten")

    assert '<option value="32.71">Kota Bogor</option>' in response.text
    assert '<option value="32.01">Kabupaten Bogor</option>' in response.text
    assert "Kota Surabaya" not in response.text


# --- enrolment -------------------------------------------------------------------------------


def test_an_enrolled_worker_lands_on_their_member_page_with_kpj_and_first_payment_status(
    client: TestClient,
) -> None:
    location = enrol(client)

    assert location.startswith("/peserta/")
    page = client.get(location)
    shown = text_of(page.text)
    kpj = re.search(r"data-kpj>(\d{11})<", page.text)

    assert page.status_code == 200
    assert kpj is not None  # the full 11-digit KPJ
    assert "Menunggu pembayaran pertama" in shown
    assert "Siti Rahmawati" in shown
    assert worker()["nik"] in shown  # a branch officer sees the NIK in full (identity checks)
    assert "Asisten rumah tangga" in shown
    assert "Batu Tulis, Kec. Bogor Selatan, Kota Bogor" in shown
    assert "Mandiri" in shown
    assert "25 November 2026" in shown


def test_the_member_page_shows_each_part_and_the_discount(client: TestClient) -> None:
    location = enrol(client, declared_income="2500000", programs=["JKK", "JKM", "JHT"])

    page = text_of(client.get(location).text)

    assert "JKK Jaminan Kecelakaan Kerja Rp25.000 Rp12.500" in page
    assert "JKM Jaminan Kematian Rp6.800 Rp3.400" in page
    assert "JHT Jaminan Hari Tua Rp50.000" in page
    assert "Total per bulan Rp81.800 Rp65.900" in page
    assert "PP 50/2025: diskon 50%" in page


def test_a_sponsored_member_page_links_to_the_sponsor(
    client: TestClient, provider: RecordingProvider
) -> None:
    sponsor_page = register_sponsor(client, provider)
    location = enrol(client, sponsor_id=sponsor_page.rsplit("/", 1)[1])

    page = client.get(location).text

    assert f'<a href="{sponsor_page}">Ibu Ratna Kartika</a>' in page


def test_an_invalid_nik_is_shown_under_the_nik_field_and_the_typed_name_is_kept(
    client: TestClient,
) -> None:
    response = client.post("/daftar", data=worker(nik="3271", full_name="Siti Rahmawati"))

    assert response.status_code == 422
    assert field_error(response.text, "nik") == "NIK harus 16 digit angka"
    assert input_value(response.text, "full_name") == "Siti Rahmawati"
    assert input_value(response.text, "nik") == "3271"
    assert re.search(r'<option value="32.71.01.1001" selected>Batu Tulis</option>', response.text)


def test_a_nik_from_an_unknown_district_is_named_under_the_nik_field(client: TestClient) -> None:
    nik = build_nik("999999", BIRTH, "F", 1)

    response = client.post("/daftar", data=worker(nik=nik))

    assert response.status_code == 422
    assert field_error(response.text, "nik") == "Kode kecamatan 999999 pada NIK tidak dikenal"


def test_a_birth_date_that_disagrees_with_the_nik_is_shown_under_the_birth_date(
    client: TestClient,
) -> None:
    response = client.post("/daftar", data=worker(birth_date="1991-08-17"))

    assert response.status_code == 422
    assert field_error(response.text, "birth_date") == (
        "Tanggal lahir tidak sesuai dengan NIK (menurut NIK: 17-08-1990)"
    )


def test_every_mistake_is_listed_at_once_each_under_its_field(client: TestClient) -> None:
    response = client.post(
        "/daftar", data=worker(full_name="", phone="12", occupation="", region_code="")
    )

    assert response.status_code == 422
    assert field_error(response.text, "full_name") == "Nama wajib diisi"
    assert field_error(response.text, "phone") == "Nomor HP tidak valid"
    assert "Pekerjaan tidak dikenal" in field_error(response.text, "occupation")
    assert "desa/kelurahan" in field_error(response.text, "region_code")
    assert "Periksa kembali isian Anda" in response.text


def test_a_missing_birth_date_is_asked_for_along_with_every_other_mistake(
    client: TestClient,
) -> None:
    response = client.post("/daftar", data=worker(birth_date="", nik="3271 0157"))

    assert response.status_code == 422
    assert field_error(response.text, "birth_date") == "Tanggal lahir wajib diisi"
    assert field_error(response.text, "nik") == "NIK harus 16 digit angka"


def test_a_form_with_only_the_birth_date_missing_enrols_nobody(client: TestClient) -> None:
    response = client.post("/daftar", data=worker(birth_date=""))

    assert response.status_code == 422
    assert field_error(response.text, "birth_date") == "Tanggal lahir wajib diisi"
    assert "Tidak ada peserta yang cocok" in text_of(
        client.post("/cari", data={"q": worker()["nik"]}).text
    )


def test_a_nik_enrolled_twice_shows_the_conflict_at_the_top_of_the_form(
    client: TestClient,
) -> None:
    enrol(client)

    again = client.post("/daftar", data=worker(full_name="Siti R."))

    assert again.status_code == 409
    summary = re.search(r'id="ringkasan-galat"(.*?)</div>', again.text, re.S)
    assert summary is not None
    assert "NIK ini sudah terdaftar dengan nomor KPJ *******" in text_of(summary.group(1))
    assert input_value(again.text, "full_name") == "Siti R."


# --- live breakdown --------------------------------------------------------------------------


def test_the_breakdown_for_2_500_000_with_jht_shows_each_part_after_todays_discount(
    client: TestClient,
) -> None:
    response = client.get(
        "/daftar/rincian",
        params={
            "declared_income": "2500000",
            "programs": ["JKK", "JKM", "JHT"],
            "occupation": "household_helper",
        },
    )
    page = text_of(response.text)

    assert response.status_code == 200
    assert "JKK Jaminan Kecelakaan Kerja Rp25.000 Rp12.500" in page
    assert "JKM Jaminan Kematian Rp6.800 Rp3.400" in page
    assert "JHT Jaminan Hari Tua Rp50.000" in page
    assert "Total per bulan Rp81.800 Rp65.900" in page
    assert "<s" in response.text  # the normal amount is struck through
    assert "sektor non-transportasi, April 2026 s.d. Desember 2026" in page


def test_drivers_keep_their_discount_after_other_workers_have_lost_it(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 't.db'}", today="2027-02-10")
    client = TestClient(create_app(bootstrap(settings)))
    query = {"declared_income": "1000000", "programs": ["JKK", "JKM"]}

    driver = text_of(client.get("/daftar/rincian", params={**query, "occupation": "driver"}).text)
    helper = text_of(
        client.get("/daftar/rincian", params={**query, "occupation": "household_helper"}).text
    )

    assert "Total per bulan Rp16.800 Rp8.400" in driver
    assert "sektor transportasi, Januari 2026 s.d. Maret 2027" in driver
    assert "Total per bulan Rp16.800" in helper
    assert "Rp8.400" not in helper


def test_the_breakdown_explains_an_income_below_the_minimum_in_indonesian(
    client: TestClient,
) -> None:
    response = client.get(
        "/daftar/rincian", params={"declared_income": "500000", "programs": ["JKK", "JKM"]}
    )

    assert response.status_code == 200  # htmx swaps only 2xx answers into the panel
    assert "Penghasilan minimal Rp1.000.000 sebulan" in text_of(response.text)


def test_the_breakdown_of_nonsense_is_a_message_never_a_server_error(client: TestClient) -> None:
    for params in (
        {"declared_income": "sejuta"},
        {"declared_income": "1000000", "occupation": "astronaut"},
        {"declared_income": "99999999999999999999"},
        {},
    ):
        response = client.get("/daftar/rincian", params=params)

        assert response.status_code == 200
        assert 'class="panel-error"' in response.text


def test_the_breakdown_without_an_occupation_says_how_it_was_counted(client: TestClient) -> None:
    page = text_of(client.get("/daftar/rincian", params={"declared_income": "1000000"}).text)

    assert "Total per bulan Rp16.800 Rp8.400" in page
    assert "Pekerjaan belum dipilih" in page


# --- search ----------------------------------------------------------------------------------


def test_staff_find_a_member_by_kpj_by_nik_and_by_name_with_the_kpj_masked(
    client: TestClient,
) -> None:
    location = enrol(client, full_name="Siti Rahmawati")
    kpj = re.search(r"data-kpj>(\d{11})<", client.get(location).text)
    assert kpj is not None

    for query in (kpj.group(1), worker()["nik"], "rahma"):
        page = client.post("/cari", data={"q": query}).text
        results = re.search(r'<ul class="result-list">(.*?)</ul>', page, re.S)

        assert results is not None, query
        assert f'href="{location}"' in results.group(1)
        assert "*******" + kpj.group(1)[-4:] in results.group(1)
        assert kpj.group(1) not in results.group(1)


def test_a_search_with_nothing_found_says_so(client: TestClient) -> None:
    page = text_of(client.post("/cari", data={"q": "Tidak Ada Orangnya"}).text)

    assert "Tidak ada peserta yang cocok dengan “Tidak Ada Orangnya”" in page


def test_empty_short_and_odd_number_queries_get_a_friendly_indonesian_hint(
    client: TestClient,
) -> None:
    empty = text_of(client.post("/cari", data={"q": " "}).text)
    short = text_of(client.post("/cari", data={"q": "S"}).text)
    digits = text_of(client.post("/cari", data={"q": "3271"}).text)

    assert "Ketik NIK (16 digit), nomor KPJ (11 digit), atau nama peserta" in empty
    assert "Nama terlalu pendek: ketik paling sedikit 2 huruf" in short
    assert "Nomor harus 16 digit (NIK) atau 11 digit (KPJ)" in digits


# --- errors ----------------------------------------------------------------------------------


def test_an_unknown_member_is_a_404_page_in_indonesian_with_a_way_home(
    client: TestClient,
) -> None:
    response = client.get("/peserta/tidak-ada")

    assert response.status_code == 404
    assert "Peserta tidak ditemukan" in response.text
    assert 'href="/"' in response.text
    assert "Traceback" not in response.text


def test_an_unknown_sponsor_is_a_404_page(client: TestClient) -> None:
    response = client.get("/sponsor/tidak-ada")

    assert response.status_code == 404
    assert "Pemberi kerja tidak ditemukan" in response.text


def test_an_unknown_address_is_a_404_page_in_english_when_asked(client: TestClient) -> None:
    indonesian = client.get("/tidak-ada")
    english = client.get("/tidak-ada?lang=en")

    assert indonesian.status_code == 404
    assert "Halaman tidak ditemukan" in indonesian.text
    assert english.status_code == 404
    assert "Page not found" in english.text
    assert "Back to the home page" in english.text


def test_the_stylesheet_and_htmx_are_served(client: TestClient) -> None:
    page = client.get("/").text
    script = re.search(r'<script src="(/static/vendor/htmx-[\d.]+\.min\.js)"', page)

    assert client.get("/static/css/sertakan.css").status_code == 200
    assert script is not None
    assert client.get(script.group(1)).status_code == 200


def test_a_name_with_markup_is_refused_under_the_name_field_in_indonesian(
    client: TestClient,
) -> None:
    markup = "<script>alert('x')</script><b>Nur</b>"

    member = client.post("/daftar", data=worker(full_name=markup))
    sponsor = client.post("/sponsor/baru", data=household(name=markup))

    assert member.status_code == 422
    assert field_error(member.text, "full_name") == "Nama tidak boleh berisi tanda < atau >"
    assert sponsor.status_code == 422
    assert field_error(sponsor.text, "name") == "Nama tidak boleh berisi tanda < atau >"
