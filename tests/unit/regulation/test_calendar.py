"""Due dates move off weekends and Indonesian public holidays (PP 44/2015, rule R3)."""

from __future__ import annotations

import datetime as dt

import pytest

from sertakan.kernel.periods import Month
from sertakan.regulation.calendar import (
    due_date,
    holiday_name,
    is_working_day,
    next_working_day,
)
from sertakan.regulation.loader import Parameters, load_parameters
from sertakan.regulation.standing import MembershipStatus, standing_on


@pytest.fixture(scope="module")
def params() -> Parameters:
    return load_parameters()


def test_a_15th_on_a_weekday_is_the_due_date_itself(params: Parameters) -> None:
    assert due_date(params, Month(2026, 12)) == dt.date(2026, 12, 15)  # a Tuesday


def test_a_15th_on_a_weekend_before_independence_day_moves_to_the_18th(params: Parameters) -> None:
    # 15-16 August 2026 are a Saturday and a Sunday; the 17th is Hari Kemerdekaan.
    assert holiday_name(dt.date(2026, 8, 17)) is not None
    assert due_date(params, Month(2026, 8)) == dt.date(2026, 8, 18)


def test_a_15th_on_a_weekday_holiday_moves_past_the_holiday_and_the_weekend(
    params: Parameters,
) -> None:
    # 15-16 February 2029 are Idul Fitri (the library's estimate), then a weekend.
    assert not is_working_day(dt.date(2029, 2, 15))
    assert due_date(params, Month(2029, 2)) == dt.date(2029, 2, 19)


def test_paying_on_the_moved_due_date_is_on_time_for_the_standing(params: Parameters) -> None:
    paid = {Month(2026, 7)}  # August not paid yet
    enrolled = dt.date(2026, 7, 1)
    on_moved_day = standing_on(
        params,
        enrolled_on=enrolled,
        paid_months=paid,
        on=dt.date(2026, 8, 18),
        working_day=next_working_day,
    )
    by_calendar = standing_on(
        params, enrolled_on=enrolled, paid_months=paid, on=dt.date(2026, 8, 18)
    )

    assert (
        on_moved_day.status is MembershipStatus.AKTIF
    )  # August is due only at the end of the 18th
    assert by_calendar.status is MembershipStatus.MENUNGGAK  # the batch rule: the calendar 15th
