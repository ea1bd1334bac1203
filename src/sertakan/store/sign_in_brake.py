"""The brake on sign-in attempts: moving windows from the maintained `limits` library.

Two windows, both counted on every password or code sign-in attempt before it is checked:
one per client address (whatever the username or phone tried: one address trying many
accounts), and one per account and address (one address hammering one account). The storage
comes from a setting: `memory://` (the default) is per process, so with several server
processes each has its own windows; `redis://...` shares them. Either way the database's
atomic counts (`sign_in_failures`, `accounts.failed_sign_ins`, `one_time_codes.attempts`)
are the hard bound; this brake only slows guessing down cheaply. See docs/security.md.
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

    def hit(self, client_ip: str, account_key: str | None = None) -> int | None:
        """Count one attempt: None while under both limits, else the seconds to wait."""
        checks: list[tuple[RateLimitItem, tuple[str, ...]]] = [
            (self._per_address, ("sign-in", "address", client_ip))
        ]
        if account_key:
            checks.append((self._per_account, ("sign-in", "account", account_key, client_ip)))
        for limit, key in checks:
            if not self._limiter.hit(limit, *key):
                reset = self._limiter.get_window_stats(limit, *key).reset_time
                return max(math.ceil(reset - time.time()), 1)
        return None
