"""The sign-in brake: moving windows of failures per client address and per account and
address; successes count nothing."""

from __future__ import annotations

from sertakan.store.sign_in_brake import LimitsSignInBrake


def test_one_address_failing_across_accounts_is_braked_and_told_when_to_return() -> None:
    brake = LimitsSignInBrake(per_address="3/minute", per_account="100/minute")
    for n in range(3):
        assert brake.wait("203.0.113.1", f"user{n}") is None
        brake.failed("203.0.113.1", f"user{n}")
    wait = brake.wait("203.0.113.1", "user9")
    assert wait is not None and 1 <= wait <= 60
    assert brake.wait("198.51.100.2", "user0") is None  # another address is not braked


def test_one_address_failing_on_one_account_does_not_brake_other_addresses() -> None:
    brake = LimitsSignInBrake(per_address="100/minute", per_account="2/minute")
    brake.failed("203.0.113.1", "officer")
    brake.failed("203.0.113.1", "officer")
    assert brake.wait("203.0.113.1", "officer") is not None
    assert brake.wait("203.0.113.1", "admin") is None  # the same address, another account
    assert brake.wait("198.51.100.2", "officer") is None  # the holder's own address


def test_asking_is_not_failing() -> None:
    brake = LimitsSignInBrake(per_address="1/minute", per_account="1/minute")
    assert [brake.wait("203.0.113.1", "officer") for _ in range(5)] == [None] * 5
