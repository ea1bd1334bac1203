"""The sign-up brake: per address (per account when signed in) and per phone, moving window."""

from __future__ import annotations

import pytest

from sertakan.access.signup_limiter import SignUpLimiter, SignUpPolicy
from sertakan.kernel.errors import RateLimited


def limiter() -> SignUpLimiter:
    return SignUpLimiter(
        policy=SignUpPolicy(per_address="2/hour", per_account="4/hour", per_phone="3/hour")
    )


def test_an_address_past_its_allowance_is_refused_with_the_seconds_to_wait() -> None:
    brake = limiter()
    brake.hit(phone="+6281200000001", client_ip="10.0.0.1", account_id=None)
    brake.hit(phone="+6281200000002", client_ip="10.0.0.1", account_id=None)

    with pytest.raises(RateLimited) as refused:
        brake.hit(phone="+6281200000003", client_ip="10.0.0.1", account_id=None)

    assert refused.value.rule == "access.sign_up.per_address"
    assert 0 < refused.value.retry_after_seconds <= 3600


def test_a_refused_request_uses_up_no_allowance_of_the_phone() -> None:
    brake = limiter()
    for phone in ("+6281200000001", "+6281200000002"):
        brake.hit(phone=phone, client_ip="10.0.0.1", account_id=None)
    with pytest.raises(RateLimited):
        brake.hit(phone="+6281200000009", client_ip="10.0.0.1", account_id=None)

    # The phone still has its three, from three other addresses; the fourth is refused.
    for address in ("10.0.0.2", "10.0.0.3", "10.0.0.4"):
        brake.hit(phone="+6281200000009", client_ip=address, account_id=None)
    with pytest.raises(RateLimited) as refused:
        brake.hit(phone="+6281200000009", client_ip="10.0.0.5", account_id=None)
    assert refused.value.rule == "access.sign_up.per_phone"


def test_signed_in_staff_are_counted_on_their_account_not_on_the_counters_address() -> None:
    brake = limiter()
    for n in range(2):
        brake.hit(phone=f"+628120000001{n}", client_ip="10.0.0.1", account_id=None)

    for n in range(4):  # the same address, its anonymous allowance spent
        brake.hit(phone=f"+628120000002{n}", client_ip="10.0.0.1", account_id="officer-1")
    with pytest.raises(RateLimited) as refused:
        brake.hit(phone="+6281200000030", client_ip="10.0.0.1", account_id="officer-1")
    assert refused.value.rule == "access.sign_up.per_account"
