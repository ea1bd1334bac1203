"""The sign-in brake: moving windows per client address and per account and address."""

from __future__ import annotations

from sertakan.store.sign_in_brake import LimitsSignInBrake


def test_one_address_is_braked_across_accounts_and_told_when_to_return() -> None:
    brake = LimitsSignInBrake(per_address="3/minute", per_account="100/minute")
    assert [brake.hit("203.0.113.1", f"user{n}") for n in range(3)] == [None] * 3
    wait = brake.hit("203.0.113.1", "user9")
    assert wait is not None and 1 <= wait <= 60
    assert brake.hit("198.51.100.2", "user0") is None  # another address is not braked


def test_one_address_on_one_account_is_braked_without_braking_other_addresses() -> None:
    brake = LimitsSignInBrake(per_address="100/minute", per_account="2/minute")
    assert [brake.hit("203.0.113.1", "officer") for _ in range(2)] == [None, None]
    assert brake.hit("203.0.113.1", "officer") is not None
    assert brake.hit("203.0.113.1", "admin") is None  # the same address, another account
    assert brake.hit("198.51.100.2", "officer") is None  # the holder's own address
