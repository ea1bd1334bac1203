"""The "Cakupan" page through TestClient: a precomputed report read from the analytics folder,
shown in Bahasa Indonesia (English on request), with its tables downloadable; no report yet
is an explanation, not an error; a bad query is an Indonesian 422 page, never a 500.

The report is the sample of tests/analytics/nation_data.py (as of 29 February 2024):
Kota Bogor and Kabupaten Bogor (Jawa Barat), Kota Banda Aceh, Kota Denpasar and one region code
nobody knows; the page is read by a signed-in branch officer (the `client` fixture).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from sertakan.analytics.nation_files import read_report
from sertakan.analytics.nation_report import REPORT_SCHEMA
from sertakan.bootstrap import Container
from tests.analytics.nation_data import write_sample_report
from tests.support.pages import text_of


@pytest.fixture
def report_dir(tmp_path: Path, container: Container) -> Path:
    folder = tmp_path / "analytics"
    container.settings.analytics_dir = folder  # SERTAKAN_ANALYTICS_DIR, read by bootstrap
    return folder


@pytest.fixture
def with_report(report_dir: Path) -> Path:
    return write_sample_report(report_dir)


def stat(page: str, name: str) -> str:
    """The text of one headline card (`data-stat=name`)."""
    start = page.index(f'data-stat="{name}"')
    return text_of(page[start : page.index("</div>", start)].split(">", 1)[1])


def test_the_page_shows_indonesia_first_with_numbers_written_the_indonesian_way(
    client: TestClient, with_report: Path
) -> None:
    response = client.get("/cakupan")

    assert response.status_code == 200
    page = response.text
    assert "Keadaan per 29 Februari 2024." in text_of(page)
    assert stat(page, "aktif").startswith("Peserta aktif 53.505")
    assert "0,0188% dari penduduk" in stat(page, "aktif")
    assert stat(page, "billed") == "Tagihan Februari 2024 Rp927.259.200"
    assert stat(page, "collected").startswith("Terkumpul Februari 2024 Rp910.694.400")
    assert "basis kas" in stat(page, "collected")


def test_the_informal_workforce_share_is_shown_for_indonesia_with_its_source(
    client: TestClient, with_report: Path
) -> None:
    page = client.get("/cakupan").text

    assert "0,0636% dari 84.130.000 pekerja informal" in stat(page, "aktif")
    assert "BPS, Survei Angkatan Kerja Nasional (Sakernas) Februari 2024" in text_of(page)
    assert "[S-kontan-bps], [S-idx-bps]" in text_of(page)
    assert "tidak ada angka per provinsi yang dikutip" in text_of(page)


def test_the_province_table_links_each_province_to_its_regencies(
    client: TestClient, with_report: Path
) -> None:
    page = client.get("/cakupan").text

    assert '<a href="/cakupan?provinsi=32">Jawa Barat</a>' in page
    assert '<a href="/cakupan?provinsi=96">Papua Barat Daya</a>' in page
    assert page.count('<tr data-code="') == 38 + 1 + 1  # provinces, unknown codes, Indonesia
    assert "Wilayah tidak dikenal" in page


def test_a_province_shows_its_regencies_and_no_informal_share(
    client: TestClient, with_report: Path
) -> None:
    response = client.get("/cakupan?provinsi=32")

    assert response.status_code == 200
    page = response.text
    assert "<h1>Jawa Barat</h1>" in page
    assert '<tr data-code="32.71">' in page and '<tr data-code="32.01">' in page
    assert '<tr data-code="11.71">' not in page  # Banda Aceh is in Aceh
    assert page.count('<tr data-code="32.') == 27  # Jawa Barat's 27 regencies and cities
    assert stat(page, "aktif").startswith("Peserta aktif 42.000")
    assert 'data-stat="informal"' not in page
    assert 'href="/cakupan/unduh.csv?provinsi=32"' in page


def test_the_charts_are_server_drawn_svg_without_inline_styles(
    client: TestClient, with_report: Path
) -> None:
    page = client.get("/cakupan").text

    assert page.count('<svg class="chart bar-chart') == 2  # a phone and a wide drawing
    assert page.count('<svg class="chart line-chart') == 2
    assert "<title>Bali: 0,2057%</title>" in page  # Kota Denpasar's 9.000 of Bali's people
    assert "style=" not in page  # the Content-Security-Policy allows no inline style
    assert "<script" not in page.split("</head>")[1]


def test_the_table_downloads_as_csv(client: TestClient, with_report: Path) -> None:
    response = client.get("/cakupan/unduh.csv")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="cakupan-2024-02-29-provinsi.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[0]["name"] == "Indonesia" and rows[0]["aktif"] == "53505"
    assert len(rows) == 1 + 38 + 1


def test_a_province_downloads_its_regencies_as_parquet(
    client: TestClient, with_report: Path
) -> None:
    response = client.get("/cakupan/unduh.parquet?provinsi=32")

    assert response.status_code == 200
    assert "cakupan-2024-02-29-kabupaten-32.parquet" in response.headers["content-disposition"]
    table = pq.read_table(io.BytesIO(response.content))
    assert table.schema.remove_metadata().equals(REPORT_SCHEMA)
    assert table.num_rows == 27
    assert set(table.column("province_code").to_pylist()) == {"32"}
    report = read_report(with_report)
    assert report is not None
    bogor = next(r for r in report.regencies("32") if r.code == "32.71")
    codes, active = table.column("code").to_pylist(), table.column("aktif").to_pylist()
    by_code = dict(zip(codes, active, strict=True))
    assert by_code["32.71"] == bogor.aktif == 12_000


def test_without_a_report_the_page_says_how_to_make_one(
    client: TestClient, report_dir: Path
) -> None:
    response = client.get("/cakupan")

    assert response.status_code == 200
    text = text_of(response.text)
    assert "Belum ada laporan cakupan" in text
    assert "sertakan nation report --as-of 2024-02-29 --data" in text
    assert "sertakan nation demo" in text
    assert str(report_dir) in text


def test_a_broken_report_is_explained_not_a_crash(client: TestClient, with_report: Path) -> None:
    (with_report / "trend.parquet").write_bytes(b"not parquet")

    response = client.get("/cakupan")

    assert response.status_code == 200
    assert "Laporan di folder ini tidak bisa dibaca" in text_of(response.text)


def test_downloads_without_a_report_are_not_found(client: TestClient, report_dir: Path) -> None:
    response = client.get("/cakupan/unduh.csv")

    assert response.status_code == 404
    assert "Belum ada laporan cakupan." in text_of(response.text)


@pytest.mark.parametrize("asked", ["abc", "3", "321", "32.71", "<b>"])
def test_a_malformed_province_is_an_indonesian_422_page(
    client: TestClient, with_report: Path, asked: str
) -> None:
    for path in ("/cakupan", "/cakupan/unduh.csv"):
        response = client.get(path, params={"provinsi": asked})

        assert response.status_code == 422, path
        assert "Kode provinsi harus dua angka" in text_of(response.text)
        assert "<b>" not in response.text.split("<main", 1)[1]


def test_a_province_not_in_the_report_is_not_found(client: TestClient, with_report: Path) -> None:
    response = client.get("/cakupan?provinsi=99")

    assert response.status_code == 404
    assert "Provinsi ini tidak ada dalam laporan." in text_of(response.text)


def test_an_unknown_download_format_is_not_found(client: TestClient, with_report: Path) -> None:
    assert client.get("/cakupan/unduh.xlsx").status_code == 404


def test_the_page_in_english_writes_numbers_the_english_way(
    client: TestClient, with_report: Path
) -> None:
    page = client.get("/cakupan?lang=en").text

    assert "As of 29 February 2024." in text_of(page)
    assert stat(page, "aktif").startswith("Active members 53,505")
    assert stat(page, "billed") == "Billed in February 2024 Rp927,259,200"
    assert "0.0636% of 84,130,000 informal workers" in stat(page, "aktif")


def test_a_report_of_a_synthetic_nation_says_so_and_of_which_date(
    client: TestClient, report_dir: Path, tmp_path: Path
) -> None:
    from sertakan.analytics.nation_files import SYNTHETIC_MANIFEST, write_report

    write_sample_report(report_dir)
    report = read_report(report_dir)
    assert report is not None
    nation = tmp_path / "nation"
    nation.mkdir()
    (nation / SYNTHETIC_MANIFEST).write_text("{}")  # what `sertakan synth population` leaves
    write_report(report, report_dir, data=str(nation), engine="duckdb")

    indonesian = text_of(client.get("/cakupan").text)
    english = text_of(client.get("/cakupan?lang=en").text)

    assert "Data sintetis." in indonesian
    assert "dibuat komputer, per 29 Februari 2024" in indonesian
    assert "Synthetic data." in english
    assert "as of 29 February 2024" in english


def test_a_report_of_real_data_carries_no_synthetic_notice(
    client: TestClient, with_report: Path
) -> None:
    assert "data-synthetic" not in client.get("/cakupan").text
