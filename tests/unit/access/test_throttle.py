"""Repeated sign-in failures cost a growing delay and then a temporary lock (NIST §5.2.2)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sertakan.access.throttle import LoginThrottle
from sertakan.kernel.clock import WIB

NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=WIB)
THROTTLE = LoginThrottle()


def seconds(value: dt.timedelta) -> float:
    return value.total_seconds()


def test_the_first_three_failures_cost_no_delay() -> None:
    assert [seconds(THROTTLE.delay_after(n)) for n in range(4)] == [0, 0, 0, 0]


def test_further_failures_double_the_delay_up_to_five_seconds() -> None:
    assert [seconds(THROTTLE.delay_after(n)) for n in range(4, 10)] == [1, 2, 4, 5, 5, 5]


def test_the_delay_stays_capped_for_an_absurd_number_of_failures() -> None:
    assert THROTTLE.delay_after(10**9) == dt.timedelta(seconds=5)


def test_nine_failures_do_not_lock_and_the_tenth_locks_for_fifteen_minutes() -> None:
    assert THROTTLE.locked_until(9, NOW) is None
    assert THROTTLE.locked_until(10, NOW) == NOW + dt.timedelta(minutes=15)


def test_every_failure_after_the_lock_ends_locks_the_account_again() -> None:
    later = NOW + dt.timedelta(minutes=16)
    assert THROTTLE.locked_until(11, later) == later + dt.timedelta(minutes=15)


def test_a_hundred_consecutive_failures_disable_the_account() -> None:
    assert not THROTTLE.is_disabled(99)
    assert THROTTLE.is_disabled(100)


def test_a_policy_allowing_more_than_a_hundred_failures_is_refused() -> None:
    with pytest.raises(ValueError, match="100"):
        LoginThrottle(disable_after=101)
    with pytest.raises(ValueError):
        LoginThrottle(lock_after=0)


def test_a_stricter_policy_is_honoured() -> None:
    strict = LoginThrottle(free_failures=0, delay_step=dt.timedelta(seconds=2), lock_after=3)
    assert strict.delay_after(1) == dt.timedelta(seconds=2)
    assert strict.locked_until(3, NOW) == NOW + dt.timedelta(minutes=15)


def test_a_negative_count_or_a_naive_time_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        THROTTLE.delay_after(-1)
    with pytest.raises(ValueError):
        THROTTLE.locked_until(10, NOW.replace(tzinfo=None))


@given(st.integers(min_value=0, max_value=10_000))
def test_the_delay_never_decreases_as_failures_grow(failures: int) -> None:
    assert THROTTLE.delay_after(failures + 1) >= THROTTLE.delay_after(failures)
    assert dt.timedelta(0) <= THROTTLE.delay_after(failures) <= THROTTLE.max_delay


@given(st.integers(min_value=0, max_value=200))
def test_an_account_is_locked_exactly_from_the_tenth_failure(failures: int) -> None:
    assert (THROTTLE.locked_until(failures, NOW) is not None) == (failures >= 10)


def test_the_whole_account_locks_at_nists_hundred_and_an_address_at_ten() -> None:
    # docs/security.md: ten failures lock one address out of an account; only a hundred
    # consecutive failures from all addresses together lock the account itself (§5.2.2).
    assert (THROTTLE.lock_after, THROTTLE.account_lock_after) == (10, 100)
    with pytest.raises(ValueError):
        LoginThrottle(account_lock_after=101)  # above NIST SP 800-63B §5.2.2's bound
    with pytest.raises(ValueError):
        LoginThrottle(lock_after=10, account_lock_after=9)  # an address never outlasts it
