"""A BPU member's standing from the months paid: R3, docs/rules.md (deadline on the 15th of the
contribution month; arrears payable for 3 months; more than 3 consecutive unpaid months end the
membership; paying again reactivates it)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sertakan.kernel.errors import ParameterMissing
from sertakan.kernel.periods import Month
from sertakan.regulation.loader import Parameters, Series, load_parameters
from sertakan.regulation.schema import Arrears, PaymentDeadline
from sertakan.regulation.standing import MembershipStatus, Standing, standing_on, standing_rule

PARAMS = load_parameters()
ENROLLED = dt.date(2023, 1, 10)


def months(first: str, last: str | None = None) -> list[Month]:
    """Every month from `first` to `last` inclusive (YYYY-MM)."""
    start, stop = Month.parse(first), Month.parse(last or first)
    found = []
    while start <= stop:
        found.append(start)
        start = start.next()
    return found


def standing(
    paid: list[Month], on: dt.date, *, params: Parameters = PARAMS, enrolled: dt.date = ENROLLED
) -> Standing:
    return standing_on(params, enrolled_on=enrolled, paid_months=paid, on=on)


def with_rules(
    *, due_day: int = 15, grace_months: int = 3, ends_after: int = 3, month_offset: int = 0
) -> Parameters:
    """The real parameters with other deadline and arrears numbers, as a future decree might."""

    def replaced(series: Series[Any], value: object) -> Series[Any]:
        last = series.values[-1]
        return dataclasses.replace(series, values=(last.model_copy(update={"value": value}),))

    deadline = PaymentDeadline(
        due_day=due_day, month_offset=month_offset, if_holiday="next_working_day",
        has_late_fine=False,
    )  # fmt: skip
    arrears = Arrears(
        grace_months=grace_months, ends_after_consecutive_unpaid_months=ends_after,
        status_after_lapse="berakhir", status_after_lapse_if_jht_claimed="nonaktif",
    )  # fmt: skip
    bpu = dataclasses.replace(
        PARAMS.bpu,
        payment_deadline=replaced(PARAMS.bpu.payment_deadline, deadline),
        arrears=replaced(PARAMS.bpu.arrears, arrears),
    )
    return dataclasses.replace(PARAMS, bpu=bpu)


# --- menunggu ---------------------------------------------------------------------------------


def test_a_member_who_never_paid_is_awaiting_the_first_payment() -> None:
    found = standing([], dt.date(2024, 2, 29))

    assert found.status is MembershipStatus.MENUNGGU
    assert found.last_paid_month is None
    assert found.arrears == ()


def test_a_member_who_never_paid_still_awaits_the_first_payment_a_year_later() -> None:
    assert standing([], dt.date(2024, 3, 1)).status is MembershipStatus.MENUNGGU


def test_a_payment_for_a_month_before_the_enrolment_is_not_a_payment_of_this_membership() -> None:
    found = standing(months("2022-12"), dt.date(2023, 1, 20))

    assert found.status is MembershipStatus.MENUNGGU


# --- aktif and the 15th -------------------------------------------------------------------------


def test_a_member_who_paid_every_month_is_active() -> None:
    found = standing(months("2023-01", "2024-02"), dt.date(2024, 2, 29))

    assert found.status is MembershipStatus.AKTIF
    assert found.last_due_month == Month(2024, 2)
    assert found.active_since == Month(2023, 1)


def test_on_the_15th_itself_the_month_is_not_yet_owed() -> None:
    paid_to_january = months("2023-01", "2024-01")

    assert standing(paid_to_january, dt.date(2024, 2, 15)).status is MembershipStatus.AKTIF
    assert standing(paid_to_january, dt.date(2024, 2, 15)).last_due_month == Month(2024, 1)


def test_on_the_16th_an_unpaid_month_is_in_arrears() -> None:
    found = standing(months("2023-01", "2024-01"), dt.date(2024, 2, 16))

    assert found.status is MembershipStatus.MENUNGGAK
    assert found.arrears == (Month(2024, 2),)
    assert found.consecutive_unpaid == 1


def test_the_first_payment_for_the_current_month_makes_a_new_member_active_before_the_15th() -> (
    None
):
    found = standing(months("2024-02"), dt.date(2024, 2, 10), enrolled=dt.date(2024, 2, 1))

    assert found.status is MembershipStatus.AKTIF
    assert found.last_due_month == Month(2024, 1)


def test_the_deadline_crosses_the_year_end() -> None:
    paid_to_november = months("2023-01", "2023-11")

    assert standing(paid_to_november, dt.date(2023, 12, 15)).status is MembershipStatus.AKTIF
    assert standing(paid_to_november, dt.date(2024, 1, 1)).arrears == (Month(2023, 12),)


# --- menunggak and berakhir ---------------------------------------------------------------------


def test_three_unpaid_months_are_arrears_still_payable() -> None:
    found = standing(months("2023-01", "2023-10"), dt.date(2024, 1, 16))

    assert found.status is MembershipStatus.MENUNGGAK
    assert found.arrears == (Month(2023, 11), Month(2023, 12), Month(2024, 1))


def test_the_day_the_fourth_unpaid_deadline_passes_the_membership_ends() -> None:
    paid_to_october = months("2023-01", "2023-10")

    assert standing(paid_to_october, dt.date(2024, 2, 15)).status is MembershipStatus.MENUNGGAK
    ended = standing(paid_to_october, dt.date(2024, 2, 16))
    assert ended.status is MembershipStatus.BERAKHIR
    assert ended.consecutive_unpaid == 4
    assert ended.arrears == ()


def test_a_hole_is_arrears_even_when_later_months_are_paid() -> None:
    paid = [m for m in months("2023-01", "2024-02") if m != Month(2024, 1)]

    found = standing(paid, dt.date(2024, 2, 29))

    assert found.status is MembershipStatus.MENUNGGAK
    assert found.arrears == (Month(2024, 1),)


def test_a_month_missed_longer_ago_than_the_grace_period_no_longer_counts() -> None:
    paid = [m for m in months("2023-01", "2024-02") if m != Month(2023, 10)]

    # On 16 December the payable months are October to December: October is owed.
    assert standing(paid, dt.date(2023, 12, 16)).arrears == (Month(2023, 10),)
    # On 16 January they are November to January: October can no longer be paid.
    assert standing(paid, dt.date(2024, 1, 16)).status is MembershipStatus.AKTIF


def test_paying_arrears_late_makes_the_member_active_again() -> None:
    paid = months("2023-01", "2024-02")

    assert standing(paid, dt.date(2024, 2, 29)).status is MembershipStatus.AKTIF


# --- lapse and reactivation ---------------------------------------------------------------------


def test_a_lapsed_member_who_pays_again_is_active_from_that_month() -> None:
    # Paid to June 2023, nothing from July to December (6 months): ended; paid January 2024.
    paid = [*months("2023-01", "2023-06"), *months("2024-01", "2024-02")]

    found = standing(paid, dt.date(2024, 2, 29))

    assert found.status is MembershipStatus.AKTIF
    assert found.active_since == Month(2024, 1)
    assert found.arrears == ()


def test_after_a_reactivation_only_months_since_it_can_be_in_arrears() -> None:
    paid = [*months("2023-01", "2023-06"), Month(2024, 1)]

    found = standing(paid, dt.date(2024, 2, 29))

    assert found.status is MembershipStatus.MENUNGGAK
    assert found.arrears == (Month(2024, 2),)


def test_paying_an_old_month_after_the_lapse_does_not_reactivate() -> None:
    # Ended after July–October 2023; a late payment for July is not a new start.
    paid = [*months("2023-01", "2023-07")]

    assert standing(paid, dt.date(2024, 2, 16)).status is MembershipStatus.BERAKHIR


def test_a_lapsed_member_paying_ahead_is_active_again() -> None:
    paid = [*months("2023-01", "2023-06"), Month(2024, 3)]

    found = standing(paid, dt.date(2024, 2, 20))

    assert found.status is MembershipStatus.AKTIF
    assert found.active_since == Month(2024, 3)
    assert found.consecutive_unpaid == 0


# --- prepaid months -----------------------------------------------------------------------------


def test_months_paid_ahead_keep_a_member_active_until_they_run_out() -> None:
    paid = months("2023-01", "2023-12")  # paid in January 2023 for the whole year

    assert standing(paid, dt.date(2023, 2, 1)).status is MembershipStatus.AKTIF
    assert standing(paid, dt.date(2023, 12, 31)).status is MembershipStatus.AKTIF
    assert standing(paid, dt.date(2024, 1, 16)).status is MembershipStatus.MENUNGGAK


def test_a_first_payment_for_a_month_not_yet_due_is_already_active() -> None:
    found = standing([Month(2024, 3)], dt.date(2024, 2, 20), enrolled=dt.date(2024, 2, 20))

    assert found.status is MembershipStatus.AKTIF
    assert found.last_paid_month == Month(2024, 3)


# --- the numbers come from the parameters -----------------------------------------------------


def test_a_date_before_the_arrears_rule_is_not_in_the_parameters() -> None:
    with pytest.raises(ParameterMissing, match=r"bpu/arrears\.yaml"):
        standing([], dt.date(2022, 6, 30), enrolled=dt.date(2022, 1, 1))


def test_a_date_before_the_enrolment_is_refused() -> None:
    with pytest.raises(ValueError, match="not a member yet"):
        standing([], dt.date(2023, 1, 9))


def test_another_due_day_moves_the_deadline() -> None:
    params = with_rules(due_day=10)
    paid = months("2023-01", "2024-01")

    assert standing(paid, dt.date(2024, 2, 10), params=params).status is MembershipStatus.AKTIF
    assert standing(paid, dt.date(2024, 2, 11), params=params).status is MembershipStatus.MENUNGGAK


def test_a_deadline_in_the_following_month_gives_one_more_month() -> None:
    params = with_rules(month_offset=1)  # as for PU employers: the 15th of the next month
    paid = months("2023-01", "2024-01")

    assert standing(paid, dt.date(2024, 2, 20), params=params).status is MembershipStatus.AKTIF
    assert standing(paid, dt.date(2024, 3, 16), params=params).status is MembershipStatus.MENUNGGAK


def test_a_shorter_arrears_rule_ends_the_membership_sooner() -> None:
    params = with_rules(grace_months=1, ends_after=1)
    paid = months("2023-01", "2023-12")

    assert standing(paid, dt.date(2024, 1, 16), params=params).status is MembershipStatus.MENUNGGAK
    assert standing(paid, dt.date(2024, 2, 16), params=params).status is MembershipStatus.BERAKHIR


def test_the_rule_cites_the_perdir_and_the_pp() -> None:
    rule = standing_rule(PARAMS, dt.date(2024, 2, 29))

    assert rule.arrears_reference == "Perdir 22/PERDIR.02/072022 §12"
    assert rule.deadline_reference.startswith("PP 44/2015")
    assert (rule.due_day, rule.grace_months, rule.ends_after) == (15, 3, 3)


# --- properties -------------------------------------------------------------------------------

FIRST = Month(2023, 1)
histories = st.sets(st.integers(min_value=0, max_value=30), max_size=30).map(
    lambda offsets: [FIRST.plus(offset) for offset in offsets]
)
days = st.dates(dt.date(2023, 1, 10), dt.date(2025, 6, 30))


@given(histories, days)
def test_history_older_than_the_lookback_never_changes_the_standing(
    paid: list[Month], on: dt.date
) -> None:
    rule = standing_rule(PARAMS, on)
    oldest_that_matters = rule.last_due_month(on).plus(-rule.lookback_months)
    recent = [m for m in paid if m >= oldest_that_matters]
    full, trimmed = standing(paid, on), standing(recent, on)

    if full.status is MembershipStatus.BERAKHIR or not recent:
        assert trimmed.status in {MembershipStatus.BERAKHIR, MembershipStatus.MENUNGGU}
    else:
        assert (trimmed.status, trimmed.arrears) == (full.status, full.arrears)


@given(histories, days)
def test_paying_every_month_due_and_payable_makes_a_member_active(
    paid: list[Month], on: dt.date
) -> None:
    found = standing(paid, on)

    if found.status is MembershipStatus.MENUNGGAK:
        assert standing([*paid, *found.arrears], on).status is MembershipStatus.AKTIF
    assert len(found.arrears) <= standing_rule(PARAMS, on).grace_months
