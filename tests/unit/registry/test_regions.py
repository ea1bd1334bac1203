from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sertakan.registry.regions import RegionDirectory, canonical_code

from .conftest import regions_dir


def test_a_village_code_names_its_village_district_regency_and_province(
    regions: RegionDirectory,
) -> None:
    village = regions.village("32.71.01.1001")

    assert village is not None
    assert village.name == "Batu Tulis"
    assert (village.district.code, village.district.name) == ("32.71.01", "Bogor Selatan")
    assert (village.regency.code, village.regency.name) == ("32.71", "Kota Bogor")
    assert (village.province.code, village.province.name) == ("32", "Jawa Barat")


def test_a_village_code_may_be_typed_without_dots(regions: RegionDirectory) -> None:
    assert regions.village("3271011001") == regions.village("32.71.01.1001")


def test_a_code_that_is_not_a_current_village_finds_nothing(regions: RegionDirectory) -> None:
    assert regions.village("32.71.01.9999") is None
    assert regions.village("32.71.01") is None  # a district, not a village
    assert regions.village("Bogor") is None


def test_the_villages_of_kota_bogor_are_its_68_kelurahan_in_code_order(
    regions: RegionDirectory,
) -> None:
    villages = regions.villages_in("32.71")

    assert len(villages) == 68  # 6 kecamatan of Kota Bogor, Kepmendagri 2025 edition
    assert [v.code for v in villages] == sorted(v.code for v in villages)
    assert {v.regency.name for v in villages} == {"Kota Bogor"}
    assert regions.villages_in("3271") == villages


def test_the_villages_of_a_prefix_do_not_leak_into_a_neighbouring_code(
    regions: RegionDirectory,
) -> None:
    # 32.71 (Kota Bogor) must not pick up 32.7x's neighbours such as 32.72 or 32.01.
    assert all(v.code.startswith("32.71.") for v in regions.villages_in("32.71"))
    assert regions.villages_in("32.71.01") == [
        v for v in regions.villages_in("32.71") if v.district.code == "32.71.01"
    ]


def test_an_unknown_or_malformed_prefix_has_no_villages(regions: RegionDirectory) -> None:
    assert regions.villages_in("99") == []
    assert regions.villages_in("bogor") == []


def test_population_is_known_for_the_nation_provinces_and_regencies(
    regions: RegionDirectory,
) -> None:
    assert regions.population("0") == 284_973_643
    assert regions.population("32") == 51_316_378
    assert regions.population("32.71") == regions.population("3271") == 1_144_108
    assert regions.population("32.71.01") is None  # districts have no figure in the data


def test_a_name_is_found_for_current_and_historical_codes(regions: RegionDirectory) -> None:
    assert regions.name("32.71.01") == "Bogor Selatan"
    assert regions.name("327101") == "Bogor Selatan"
    # Merauke was 91.01.01 until Papua Selatan (93) was split off in 2022.
    assert regions.name("91.01.01") == "Merauke"
    assert regions.name("99.99") is None


def test_names_carry_no_stray_whitespace_from_the_source(regions: RegionDirectory) -> None:
    # The source writes "Kota Administrasi Jakarta Utara " with a trailing space.
    assert regions.name("31.72") == "Kota Administrasi Jakarta Utara"


def test_current_district_codes_are_six_digit_nik_prefixes(regions: RegionDirectory) -> None:
    current = regions.district_codes_current()

    assert len(current) == 7285  # kecamatan in the 2025 edition
    assert "327101" in current
    assert "910101" not in current  # dropped in 2022
    assert set(current) <= set(regions.district_codes_all_editions())


def test_every_district_code_of_the_history_file_is_accepted_on_a_nik(
    regions: RegionDirectory,
) -> None:
    with (regions_dir() / "region_code_history.csv").open(encoding="utf-8", newline="") as f:
        districts = [row["code"] for row in csv.DictReader(f) if row["level"] == "3"]

    assert len(districts) == 7879
    assert all(regions.is_known_nik_district(code.replace(".", "")) for code in districts)


def test_canonical_code_puts_the_dots_back() -> None:
    assert canonical_code("32") == "32"
    assert canonical_code("3271") == "32.71"
    assert canonical_code("327101") == "32.71.01"
    assert canonical_code(" 3271011001 ") == "32.71.01.1001"
    assert canonical_code("32710") is None
    assert canonical_code("32.7") is None


def test_a_folder_with_the_wrong_columns_is_refused(tmp_path: Path) -> None:
    (tmp_path / "regions.csv").write_text("kode,nama\n11,Aceh\n", encoding="utf-8")

    with pytest.raises(ValueError, match="expected columns"):
        RegionDirectory.from_directory(tmp_path)


def test_children_list_the_regions_inside_a_code_sorted_by_name(
    regions: RegionDirectory,
) -> None:
    provinces = regions.children("")
    assert len(provinces) == 38
    assert "Jawa Barat" in [p.name for p in provinces]
    districts = regions.children("32.71")  # Kota Bogor's six kecamatan
    assert [d.name for d in districts] == sorted((d.name for d in districts), key=str.casefold)
    assert {d.code for d in districts} == {f"32.71.0{n}" for n in range(1, 7)}
    assert regions.children("327101") == regions.children("32.71.01")
    assert regions.children("99.99") == ()
    assert regions.children("not a code") == ()
