"""The brake on failed sign-ins: moving windows from the maintained `limits` library.

Two windows, both counting failed password or code sign-ins: one per client address (whatever
the username or phone tried: one address trying many accounts), and one per account and address
(one address hammering one account). A try is refused with the wait (429) while either window
is full; successes count nothing, so people behind one shared address (a branch office, a
carrier's NAT) do not brake each other. The storage comes from a setting: `memory://` (the
default) is per process, so with several server processes each has its own windows;
`redis://...` shares them. Either way the database's atomic counts (`sign_in_failures`,
`accounts.failed_sign_ins`, `one_time_codes.attempts`) are the hard bound: tries racing past a
window that is about to fill are still counted there. See docs/security.md.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse, storage, strategies


class LimitsSignInBrake:
    def __init__(
        self,
        storage_uri: str = "memory://",
        *,
        per_address: str = "30/minute",
        per_account: str = "15/minute",
    ) -> None:
        self._limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(storage_uri))
        self._per_address = parse(per_address)
        self._per_account = parse(per_account)

    def wait(self, client_ip: str, account_key: str | None = None) -> int | None:
        """None when a try may go ahead, else the seconds until a window has room again."""
        for limit, key in self._windows(client_ip, account_key):
            if not self._limiter.test(limit, *key):
                reset = self._limiter.get_window_stats(limit, *key).reset_time
                return max(math.ceil(reset - time.time()), 1)
        return None

    def failed(self, client_ip: str, account_key: str | None = None) -> None:
        for limit, key in self._windows(client_ip, account_key):
            self._limiter.hit(limit, *key)

    def _windows(
        self, client_ip: str, account_key: str | None
    ) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
        windows: list[tuple[RateLimitItem, tuple[str, ...]]] = [
            (self._per_address, ("sign-in", "address", client_ip))
        ]
        if account_key:
            windows.append((self._per_account, ("sign-in", "account", account_key, client_ip)))
        return windows
