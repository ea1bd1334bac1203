"""Contribution months and ages."""

from __future__ import annotations

import datetime as dt

import pytest

from sertakan.kernel.periods import Month, age_on


def test_adding_months_crosses_year_ends_both_ways() -> None:
    assert Month(2025, 12).next() == Month(2026, 1)
    assert Month(2026, 1).plus(-1) == Month(2025, 12)
    assert Month(2026, 1).plus(14) == Month(2027, 3)
    assert Month(2026, 3).plus(-27) == Month(2023, 12)


def test_months_order_across_years() -> None:
    assert Month(2025, 12) < Month(2026, 1) < Month(2026, 4)
    assert sorted([Month(2027, 1), Month(2026, 12)]) == [Month(2026, 12), Month(2027, 1)]


def test_a_month_knows_its_first_and_last_day() -> None:
    assert Month(2024, 2).first_day == dt.date(2024, 2, 1)
    assert Month(2024, 2).last_day == dt.date(2024, 2, 29)
    assert Month(2025, 12).last_day == dt.date(2025, 12, 31)


def test_a_month_is_parsed_and_printed_as_yyyy_mm() -> None:
    assert Month.parse("2026-04") == Month(2026, 4)
    assert str(Month(2026, 4)) == "2026-04"
    assert Month.of(dt.date(2027, 3, 31)) == Month(2027, 3)


@pytest.mark.parametrize("text", ["2026", "2026-13", "April 2026", "2026-04-01"])
def test_a_malformed_month_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Month.parse(text)


def test_age_counts_completed_years_and_turns_on_the_birthday() -> None:
    born = dt.date(2010, 6, 1)
    assert age_on(born, dt.date(2025, 5, 31)) == 14
    assert age_on(born, dt.date(2025, 6, 1)) == 15


def test_a_leap_day_birthday_is_celebrated_on_the_first_of_march() -> None:
    born = dt.date(2008, 2, 29)
    assert age_on(born, dt.date(2023, 2, 28)) == 14
    assert age_on(born, dt.date(2023, 3, 1)) == 15
