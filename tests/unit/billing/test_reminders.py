"""Which day each reminder goes out (project policy: 3 days before a due date, on the due
date, and in the last 5 days of the last paid month)."""

from __future__ import annotations

import datetime as dt

import pytest

from sertakan.billing.reminders import (
    CATCH_UP_DAYS,
    DUE_SOON_DAYS,
    cover_ending_month,
    due_soon_window,
    first_name,
    unpaid_window,
)
from sertakan.kernel.periods import Month

DUE = dt.date(2026, 12, 15)


def _within(day: dt.date, window: tuple[dt.date, dt.date]) -> bool:
    return window[0] <= day <= window[1]


@pytest.mark.parametrize(
    ("on", "reminded"),
    [
        (dt.date(2026, 12, 11), False),  # four days before
        (dt.date(2026, 12, 12), True),  # three days before: the day it is meant for
        (dt.date(2026, 12, 14), True),  # a run missed on the 12th still reminds the day before
        (dt.date(2026, 12, 15), False),  # on the due date the other reminder goes out
    ],
)
def test_a_due_date_is_soon_from_three_days_before_until_the_day_before(
    on: dt.date, reminded: bool
) -> None:
    assert _within(DUE, due_soon_window(on)) is reminded


def test_the_due_soon_window_is_the_policy_of_three_days() -> None:
    assert DUE_SOON_DAYS == 3
    assert due_soon_window(dt.date(2026, 12, 12)) == (dt.date(2026, 12, 13), DUE)


@pytest.mark.parametrize(
    ("on", "announced"),
    [
        (dt.date(2026, 12, 14), False),
        (dt.date(2026, 12, 15), True),  # on the due date itself
        (dt.date(2026, 12, 15) + dt.timedelta(days=CATCH_UP_DAYS), True),  # runs missed
        (dt.date(2026, 12, 16) + dt.timedelta(days=CATCH_UP_DAYS), False),  # long overdue
    ],
)
def test_an_unpaid_invoice_is_announced_on_its_due_date_or_a_few_days_late_at_most(
    on: dt.date, announced: bool
) -> None:
    assert _within(DUE, unpaid_window(on)) is announced


def test_the_two_invoice_windows_never_overlap() -> None:
    for offset in range(40):
        on = dt.date(2026, 12, 1) + dt.timedelta(days=offset)
        assert due_soon_window(on)[0] > unpaid_window(on)[1]


@pytest.mark.parametrize(
    ("on", "month"),
    [
        (dt.date(2026, 12, 25), None),  # six days before the end
        (dt.date(2026, 12, 26), Month(2026, 12)),  # five days before 31 December
        (dt.date(2026, 12, 31), Month(2026, 12)),  # the last day
        (dt.date(2027, 1, 1), None),  # the month after: too late for this one, early for that
        (dt.date(2027, 2, 22), None),
        (dt.date(2027, 2, 23), Month(2027, 2)),  # February ends on the 28th
    ],
)
def test_cover_ending_is_told_in_the_last_five_days_of_the_month(
    on: dt.date, month: Month | None
) -> None:
    assert cover_ending_month(on) == month


def test_the_message_greets_the_member_by_first_name_only() -> None:
    assert first_name("Siti Rahmawati") == "Siti"
    assert first_name("  Asep  ") == "Asep"
    assert first_name("") == ""
