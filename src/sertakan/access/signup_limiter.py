"""The brake on signing up: accounts with a phone are asked for at most so often per client
address and per phone (issue 12: 30 anonymous sponsor sign-ups went through in 0.8 s).

Every sign-up request counts: asking for the code that proves the phone, and registering
with it. Anonymous visitors are counted per client address; signed-in staff and agents, who
register people at one branch counter (one address for a whole office), per account instead,
with a wider allowance, since their every step is audited under their name. Every request is
also counted per phone, whoever sends it, so nobody can flood one person's phone with codes
or wear down the attempts on its codes from many addresses.

The counting is the `limits` library's moving window (no fixed window edge to burst across),
in memory by default (one server process); `Settings.signup_limit_storage` names a shared
storage (e.g. ``redis://host:6379``) when several processes serve the site.

Sources: NIST SP 800-63B rev. 3 §5.2.2 (rate limiting of attempts against an authenticator:
the phone's one-time code); OWASP Automated Threat Handbook OAT-019 (account creation) and
the OWASP Forgot Password / MFA cheat sheets' advice against SMS pumping (toll fraud).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from sertakan.kernel.errors import RateLimited

MEMORY = "memory://"

PER_ADDRESS = (
    "access.sign_up.per_address",
    "Too many sign-ups from this address: try again later",
    "Terlalu banyak pendaftaran dari alamat ini: coba lagi nanti",
)
PER_ACCOUNT = (
    "access.sign_up.per_account",
    "Too many sign-ups by this account: try again later",
    "Terlalu banyak pendaftaran oleh akun ini: coba lagi nanti",
)
PER_PHONE = (
    "access.sign_up.per_phone",
    "Too many sign-up attempts for this phone: try again later",
    "Terlalu banyak percobaan pendaftaran untuk nomor HP ini: coba lagi nanti",
)


@dataclass(frozen=True, slots=True)
class SignUpPolicy:
    """Allowances in the `limits` notation ("N/period"). A household signs up once, with one
    code request and one registration (a typo or two more); an agent's day is dozens."""

    per_address: str = "20/hour"
    per_account: str = "200/hour"
    per_phone: str = "6/hour"


class SignUpLimiter:
    def __init__(self, storage_uri: str = MEMORY, policy: SignUpPolicy | None = None) -> None:
        self.policy = policy or SignUpPolicy()
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self._per_address = parse(self.policy.per_address)
        self._per_account = parse(self.policy.per_account)
        self._per_phone = parse(self.policy.per_phone)

    def hit(self, *, phone: str, client_ip: str, account_id: str | None) -> None:
        """Count one sign-up request, or raise RateLimited (with the seconds until a slot
        frees) naming the brake that held it. A refused request uses up no allowance."""
        source = (
            (self._per_account, ("account", account_id), PER_ACCOUNT)
            if account_id
            else (self._per_address, ("address", client_ip), PER_ADDRESS)
        )
        checks = [source, (self._per_phone, ("phone", phone), PER_PHONE)]
        for item, keys, refusal in checks:
            if not self._limiter.test(item, "sign_up", *keys):
                raise self._refused(item, keys, refusal)
        for item, keys, refusal in checks:
            # `hit` is atomic per key: a request racing past `test` is still refused here.
            if not self._limiter.hit(item, "sign_up", *keys):
                raise self._refused(item, keys, refusal)

    def _refused(
        self, item: RateLimitItem, keys: tuple[str, str], refusal: tuple[str, str, str]
    ) -> RateLimited:
        rule, message, message_id = refusal
        stats = self._limiter.get_window_stats(item, "sign_up", *keys)
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        return RateLimited(message, message_id, rule, wait)
