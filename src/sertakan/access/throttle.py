"""What repeated sign-in failures cost: a growing delay, then a temporary lock. Pure.

The store counts consecutive failures per account *and* client address, and per account
whatever the address, each try counted atomically before the password is checked (reset by a
successful sign-in); the service asks this policy how long to delay the answer and when a
count locks. docs/security.md explains the policy and why.

Sources:
- NIST SP 800-63B rev. 3 §5.2.2 ("Rate Limiting (Throttling)"): the verifier "SHALL limit
  consecutive failed authentication attempts on a single account to no more than 100", and
  may require a wait after a failed attempt that grows with the number of failures.
- OWASP Authentication Cheat Sheet ("Account Lockout"): lock after a threshold for a
  duration, rather than for ever, so that an attacker cannot lock staff out at will; use
  an increasing delay before that.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# §5.2.2: never more than 100 consecutive failures on one account.
NIST_MAX_CONSECUTIVE_FAILURES = 100


@dataclass(frozen=True, slots=True)
class LoginThrottle:
    """The sign-in failure policy.

    - The first `free_failures` failures cost nothing (typos happen).
    - Each further failure delays the answer by `delay_step`, doubling, at most `max_delay`.
    - From `lock_after` consecutive failures from one client address, that address is locked
      out of the account for `lock_for` (the try that makes the count sets the lock, before
      the password is checked). Only a successful sign-in from that address resets its count
      (the caller's job), not the end of a lock, so each further try locks it again: one
      guess per `lock_for`. Other addresses, the holder's among them, are not locked.
    - From `account_lock_after` consecutive failures on the account from all addresses
      together, the whole account is locked for `lock_for` the same way: the hard bound of
      §5.2.2 against guessing from many addresses.
    - From `disable_after` consecutive failures (100 at most, §5.2.2) `is_disabled` says the
      account must be re-enabled by an administrator.
    """

    free_failures: int = 3
    delay_step: dt.timedelta = dt.timedelta(seconds=1)
    max_delay: dt.timedelta = dt.timedelta(seconds=5)
    lock_after: int = 10
    lock_for: dt.timedelta = dt.timedelta(minutes=15)
    account_lock_after: int = NIST_MAX_CONSECUTIVE_FAILURES
    disable_after: int = NIST_MAX_CONSECUTIVE_FAILURES

    def __post_init__(self) -> None:
        if self.free_failures < 0 or self.delay_step < dt.timedelta(0):
            raise ValueError("free_failures and delay_step cannot be negative")
        if self.max_delay < dt.timedelta(0) or self.lock_for <= dt.timedelta(0):
            raise ValueError("max_delay cannot be negative and lock_for must be positive")
        if not 1 <= self.lock_after <= self.disable_after <= NIST_MAX_CONSECUTIVE_FAILURES:
            raise ValueError(
                "need 1 <= lock_after <= disable_after <= 100 (NIST SP 800-63B §5.2.2)"
            )
        if not self.lock_after <= self.account_lock_after <= NIST_MAX_CONSECUTIVE_FAILURES:
            raise ValueError(
                "need lock_after <= account_lock_after <= 100 (NIST SP 800-63B §5.2.2)"
            )

    def delay_after(self, failures: int) -> dt.timedelta:
        """How long to hold the answer to the attempt that made `failures` consecutive failures.

        Zero for the first `free_failures`; then `delay_step`, doubling each time, capped at
        `max_delay`. Never decreases as `failures` grows.
        """
        _check_count(failures)
        over = failures - self.free_failures
        if over <= 0:
            return dt.timedelta(0)
        # Past 30 doublings any sane step exceeds any sane cap; stop before the number grows huge.
        delay = self.delay_step * (1 << min(over - 1, 30))  # doubling
        return min(delay, self.max_delay)

    def locked_until(self, failures: int, now: dt.datetime) -> dt.datetime | None:
        """When the lock set by the failure at `now` ends, or None when there is no lock.

        `failures` counts consecutive failures including the one at `now`.
        """
        _check_count(failures)
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        if failures < self.lock_after:
            return None
        return now + self.lock_for

    def is_disabled(self, failures: int) -> bool:
        """Whether the account has failed so often (§5.2.2: at most 100) that only an
        administrator may re-enable it."""
        _check_count(failures)
        return failures >= self.disable_after


def _check_count(failures: int) -> None:
    if failures < 0:
        raise ValueError("a failure count cannot be negative")
