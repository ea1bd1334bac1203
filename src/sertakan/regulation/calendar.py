"""Working days in Indonesia, for deadlines that move off holidays (PP 44/2015, rule R3).

"If the 15th is a holiday, the next working day": Saturdays, Sundays and the national public
holidays (hari libur nasional, set each year by a joint ministerial decree, SKB 3 Menteri) are
not working days. The holidays come from the maintained `holidays` library (category
"public"), not from a hand list. Collective leave days (cuti bersama, the library's
"government" category) are left as working days: payment channels stay open on them and the
law says "holiday". Which of the two the deadline rule means was not found: policy P8.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

from sertakan.kernel.periods import Month
from sertakan.regulation.loader import Parameters

__all__ = ["due_date", "holiday_name", "is_working_day", "next_working_day"]


@lru_cache(maxsize=64)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("ID", years=year, language="id")


def holiday_name(day: dt.date) -> str | None:
    """The public holiday on `day`, in Indonesian, or None."""
    name = _holidays(day.year).get(day)
    return None if name is None else str(name)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and holiday_name(day) is None


def next_working_day(day: dt.date) -> dt.date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def due_date(params: Parameters, month: Month) -> dt.date:
    """The last day to pay the BPU contribution of `month` on time: day `due_day` of the month
    (+ `month_offset`), moved to the next working day when the parameter says so
    (`bpu/payment_deadline.yaml`, in force on the first day of `month`)."""
    deadline = params.bpu.payment_deadline.value_on(month.first_day).value
    due_month = month.plus(deadline.month_offset)
    day = dt.date(due_month.year, due_month.month, deadline.due_day)
    return next_working_day(day) if deadline.if_holiday == "next_working_day" else day
