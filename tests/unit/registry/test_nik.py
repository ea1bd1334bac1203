from __future__ import annotations

import csv
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sertakan.kernel.errors import RuleViolation
from sertakan.registry.nik import NikParts, Sex, build_nik, check_nik_matches, mask_nik, parse_nik
from sertakan.registry.regions import RegionDirectory

from .conftest import regions_dir

TODAY = dt.date(2026, 5, 1)
SEXES: tuple[Sex, ...] = ("M", "F")


def rules(error: pytest.ExceptionInfo[RuleViolation]) -> list[tuple[str, str]]:
    return [(v.field, v.rule) for v in error.value.violations]


def test_a_bogor_man_born_on_17_august_1990_is_read_from_his_nik(
    regions: RegionDirectory,
) -> None:
    parts = parse_nik("3271011708900001", regions, today=TODAY)

    assert parts == NikParts("327101", dt.date(1990, 8, 17), "M", "0001")


def test_a_womans_day_of_birth_is_written_plus_forty(regions: RegionDirectory) -> None:
    parts = parse_nik("3271014302850002", regions, today=TODAY)

    assert parts.sex == "F"
    assert parts.birth_date == dt.date(1985, 2, 3)


def test_spaces_typed_inside_a_nik_are_ignored(regions: RegionDirectory) -> None:
    assert parse_nik(" 3271 0117 0890 0001 ", regions, today=TODAY).serial == "0001"


def test_the_century_is_the_latest_that_does_not_put_the_birth_in_the_future(
    regions: RegionDirectory,
) -> None:
    assert parse_nik("3271010101050001", regions, today=TODAY).birth_date.year == 2005
    assert parse_nik("3271010101300001", regions, today=TODAY).birth_date.year == 1930
    # Born on 2 May '26 cannot be read as 2026 on 1 May 2026: it is 1926.
    assert parse_nik("3271010205260001", regions, today=TODAY).birth_date == dt.date(1926, 5, 2)
    assert parse_nik("3271010105260001", regions, today=TODAY).birth_date == dt.date(2026, 5, 1)


def test_29_february_2000_is_a_real_date_of_birth(regions: RegionDirectory) -> None:
    assert parse_nik("3271012902000001", regions, today=TODAY).birth_date == dt.date(2000, 2, 29)


def test_a_district_code_dropped_by_a_later_edition_is_still_accepted(
    regions: RegionDirectory,
) -> None:
    # Merauke was 91.01.01 until Papua Selatan (93) was split from Papua in 2022; a NIK
    # issued there before keeps 910101 for life (Dukcapil).
    with (regions_dir() / "region_code_history.csv").open(encoding="utf-8", newline="") as f:
        merauke = next(row for row in csv.DictReader(f) if row["code"] == "91.01.01")
    assert (merauke["level"], merauke["last_edition"]) == ("3", "2022")
    assert "910101" not in regions.district_codes_current()

    parts = parse_nik("9101011708900001", regions, today=TODAY)

    assert parts.district == "910101"


def test_a_district_code_no_edition_ever_had_is_refused(regions: RegionDirectory) -> None:
    with pytest.raises(RuleViolation) as error:
        parse_nik("3299991708900001", regions, today=TODAY)

    assert rules(error) == [("nik", "nik.district")]
    assert "329999" in error.value.violations[0].message_id


@pytest.mark.parametrize(
    "nik",
    [
        "327101170890001",  # 15 digits
        "32710117089000011",  # 17 digits
        "32710117089O0001",  # letter O for zero
        "3271-0117-0890-0001",  # dashes are not spaces
        "３２７１０１１７０８９００００１",  # full-width digits
        "",
    ],
)
def test_anything_but_sixteen_digits_is_refused_as_a_format_error(
    regions: RegionDirectory, nik: str
) -> None:
    with pytest.raises(RuleViolation) as error:
        parse_nik(nik, regions, today=TODAY)

    assert rules(error) == [("nik", "nik.format")]
    assert error.value.violations[0].message_id == "NIK harus 16 digit angka"


@pytest.mark.parametrize(
    "nik",
    [
        "3271013208900001",  # day 32
        "3271010008900001",  # day 00
        "3271013508900001",  # day 35: neither a man's 01-31 nor a woman's 41-71
        "3271017208900001",  # a woman's day 72 = 32
        "3271013002900001",  # 30 February
        "3271017002900001",  # a woman's 30 February
        "3271012902990001",  # 29 February 1999
        "3271011713900001",  # month 13
        "3271011700900001",  # month 00
    ],
)
def test_a_date_of_birth_that_does_not_exist_is_refused(regions: RegionDirectory, nik: str) -> None:
    with pytest.raises(RuleViolation) as error:
        parse_nik(nik, regions, today=TODAY)

    assert rules(error) == [("nik", "nik.birth_date")]


def test_serial_0000_is_refused(regions: RegionDirectory) -> None:
    with pytest.raises(RuleViolation) as error:
        parse_nik("3271011708900000", regions, today=TODAY)

    assert rules(error) == [("nik", "nik.serial")]


def test_every_broken_rule_of_a_nik_is_reported_at_once(regions: RegionDirectory) -> None:
    with pytest.raises(RuleViolation) as error:
        parse_nik("3299993202900000", regions, today=TODAY)

    assert rules(error) == [
        ("nik", "nik.district"),
        ("nik", "nik.birth_date"),
        ("nik", "nik.serial"),
    ]


def test_a_nik_agrees_with_the_typed_birth_date_and_sex(regions: RegionDirectory) -> None:
    parts = parse_nik("3271014302850002", regions, today=TODAY)

    check_nik_matches(parts, birth_date=dt.date(1985, 2, 3), sex="F")  # raises nothing


def test_a_typed_birth_date_that_differs_from_the_nik_is_caught(
    regions: RegionDirectory,
) -> None:
    parts = parse_nik("3271011708900001", regions, today=TODAY)

    with pytest.raises(RuleViolation) as error:
        check_nik_matches(parts, birth_date=dt.date(1990, 8, 18), sex="M")

    assert rules(error) == [("birth_date", "nik.birth_date_mismatch")]
    assert "17-08-1990" in error.value.violations[0].message_id


@pytest.mark.parametrize(
    "typed",
    [dt.date(1990, 7, 17), dt.date(1991, 8, 17), dt.date(1980, 8, 17)],
)
def test_a_different_month_or_year_of_birth_is_caught(
    regions: RegionDirectory, typed: dt.date
) -> None:
    parts = parse_nik("3271011708900001", regions, today=TODAY)

    with pytest.raises(RuleViolation) as error:
        check_nik_matches(parts, birth_date=typed, sex="M")

    assert rules(error) == [("birth_date", "nik.birth_date_mismatch")]


def test_only_the_two_digit_year_is_compared_because_the_nik_has_no_century(
    regions: RegionDirectory,
) -> None:
    parts = parse_nik("3271011708300001", regions, today=TODAY)  # read as 1930

    check_nik_matches(parts, birth_date=dt.date(1930, 8, 17), sex="M")
    check_nik_matches(parts, birth_date=dt.date(2030, 8, 17), sex="M")  # same digits


def test_a_woman_who_types_male_is_caught(regions: RegionDirectory) -> None:
    parts = parse_nik("3271015708900001", regions, today=TODAY)  # day 57 = 17, woman

    with pytest.raises(RuleViolation) as error:
        check_nik_matches(parts, birth_date=dt.date(1990, 8, 17), sex="M")

    assert rules(error) == [("sex", "nik.sex_mismatch")]
    assert "perempuan" in error.value.violations[0].message_id


def test_a_man_who_types_female_and_the_wrong_day_gets_both_mismatches(
    regions: RegionDirectory,
) -> None:
    parts = parse_nik("3271011708900001", regions, today=TODAY)

    with pytest.raises(RuleViolation) as error:
        check_nik_matches(parts, birth_date=dt.date(1990, 8, 16), sex="F")

    assert rules(error) == [("birth_date", "nik.birth_date_mismatch"), ("sex", "nik.sex_mismatch")]


def test_build_nik_writes_a_womans_day_plus_forty() -> None:
    assert build_nik("327101", dt.date(1990, 8, 17), "M", 1) == "3271011708900001"
    assert build_nik("327101", dt.date(1985, 2, 3), "F", 2) == "3271014302850002"


@pytest.mark.parametrize(
    ("district", "sex", "serial"),
    [("32710", "M", 1), ("32710a", "M", 1), ("327101", "X", 1), ("327101", "M", 0)],
)
def test_build_nik_refuses_parts_no_nik_can_carry(district: str, sex: str, serial: int) -> None:
    with pytest.raises(ValueError):
        build_nik(district, dt.date(1990, 8, 17), sex, serial)


def test_a_masked_nik_shows_only_its_first_and_last_four_digits() -> None:
    assert mask_nik("3271011708900001") == "3271********0001"
    assert mask_nik("3271 0117 0890 0001") == "3271********0001"
    assert mask_nik("1234") == "****"


def nik_inputs(regions: RegionDirectory) -> st.SearchStrategy[tuple[str, dt.date, Sex, int]]:
    return st.tuples(
        st.sampled_from(regions.district_codes_all_editions()),
        st.dates(dt.date(1930, 1, 1), TODAY.replace(year=TODAY.year - 15)),
        st.sampled_from(SEXES),
        st.integers(1, 9999),
    )


def test_any_nik_built_from_valid_parts_decodes_back_to_them(regions: RegionDirectory) -> None:
    # @given inside the test so the strategy can sample the session's region codes.
    @given(nik_inputs(regions))
    def decodes_back(inputs: tuple[str, dt.date, Sex, int]) -> None:
        district, born, sex, serial = inputs

        parts = parse_nik(build_nik(district, born, sex, serial), regions, today=TODAY)

        assert parts == NikParts(district, born, sex, f"{serial:04d}")
        check_nik_matches(parts, birth_date=born, sex=sex)

    decodes_back()
