"""One-time codes: 6 random digits, stored as a keyed digest, good once, for 5 minutes."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sertakan.access.codes import (
    CodePolicy,
    CodeState,
    CodeVerdict,
    RateVerdict,
    attempts_left,
    code_digest,
    codes_match,
    judge,
    new_code,
    rate_limit_verdict,
)
from sertakan.kernel.clock import WIB

SECRET = b"k" * 32
PHONE = "+6281234567890"
OTHER_PHONE = "+6281234567891"
ISSUED = dt.datetime(2026, 11, 25, 9, 30, tzinfo=WIB)


def state(*, used_at: dt.datetime | None = None, attempts: int = 0) -> CodeState:
    fresh = CodeState.fresh(ISSUED)
    return CodeState(fresh.issued_at, fresh.expires_at, used_at, attempts)


# --- making codes ------------------------------------------------------------------------------


def test_a_code_keeps_its_leading_zeros() -> None:
    assert new_code(randbelow=lambda _: 4211) == "004211"
    assert new_code(randbelow=lambda _: 0) == "000000"
    assert new_code(randbelow=lambda n: n - 1) == "999999"


def test_codes_are_drawn_from_a_million_values() -> None:
    asked: list[int] = []

    def spy(bound: int) -> int:
        asked.append(bound)
        return 7

    new_code(randbelow=spy)
    assert asked == [1_000_000]


def test_a_random_source_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        new_code(randbelow=lambda n: n)


def test_real_codes_vary() -> None:
    assert len({new_code() for _ in range(200)}) > 190


@given(st.integers(min_value=0, max_value=999_999))
def test_a_code_is_always_six_ascii_digits(number: int) -> None:
    code = new_code(randbelow=lambda _: number)
    assert len(code) == 6
    assert code.isascii() and code.isdigit()
    assert int(code) == number


def test_a_longer_code_policy_makes_longer_codes() -> None:
    assert new_code(CodePolicy(digits=8), randbelow=lambda _: 42) == "00000042"


def test_a_policy_below_twenty_bits_is_refused() -> None:
    with pytest.raises(ValueError, match="20 bits"):
        CodePolicy(digits=5)


# --- digests -----------------------------------------------------------------------------------


def test_the_digest_is_a_keyed_hmac_not_a_plain_hash() -> None:
    digest = code_digest("123456", phone=PHONE, purpose="sign_in", secret=SECRET)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert digest != hashlib.sha256(b"123456").hexdigest()
    assert digest != code_digest("123456", phone=PHONE, purpose="sign_in", secret=b"j" * 32)


def test_the_digest_is_bound_to_the_phone_and_the_purpose() -> None:
    digest = code_digest("123456", phone=PHONE, purpose="consent", secret=SECRET)
    assert codes_match(digest, "123456", phone=PHONE, purpose="consent", secret=SECRET)
    assert not codes_match(digest, "123456", phone=PHONE, purpose="sign_in", secret=SECRET)
    assert not codes_match(digest, "123456", phone=OTHER_PHONE, purpose="consent", secret=SECRET)


def test_a_wrong_code_does_not_match() -> None:
    digest = code_digest("123456", phone=PHONE, purpose="sign_in", secret=SECRET)
    assert not codes_match(digest, "123457", phone=PHONE, purpose="sign_in", secret=SECRET)
    assert not codes_match(digest, "", phone=PHONE, purpose="sign_in", secret=SECRET)


@pytest.mark.parametrize("typed", ["123 456", " 123-456 ", "１２３４５６"])
def test_a_code_typed_with_spaces_dashes_or_full_width_digits_matches(typed: str) -> None:
    digest = code_digest("123456", phone=PHONE, purpose="sign_in", secret=SECRET)
    assert codes_match(digest, typed, phone=PHONE, purpose="sign_in", secret=SECRET)


@pytest.mark.parametrize("typed", ["12345a", "123456\x00", "١٢٣٤٥٦", "123456.", "+123456"])
def test_anything_but_digits_simply_does_not_match(typed: str) -> None:
    digest = code_digest("123456", phone=PHONE, purpose="sign_in", secret=SECRET)
    assert codes_match(digest, typed, phone=PHONE, purpose="sign_in", secret=SECRET) is False


def test_a_corrupted_stored_digest_does_not_match_or_raise() -> None:
    assert not codes_match("é" * 64, "123456", phone=PHONE, purpose="sign_in", secret=SECRET)


@pytest.mark.parametrize(
    ("phone", "purpose", "secret"),
    [
        ("081234567890", "sign_in", SECRET),  # not E.164
        (PHONE, "sign in\n", SECRET),  # a purpose that could forge the message layout
        (PHONE, "sign_in", b"short"),  # a secret anyone could brute-force
    ],
)
def test_a_digest_refuses_inputs_that_would_weaken_it(
    phone: str, purpose: str, secret: bytes
) -> None:
    with pytest.raises(ValueError):
        code_digest("123456", phone=phone, purpose=purpose, secret=secret)


@given(st.integers(min_value=0, max_value=999_999))
def test_a_digest_never_equals_or_contains_the_code(number: int) -> None:
    code = f"{number:06d}"
    digest = code_digest(code, phone=PHONE, purpose="sign_in", secret=SECRET)
    assert digest != code
    assert codes_match(digest, code, phone=PHONE, purpose="sign_in", secret=SECRET)


# --- judging a try -----------------------------------------------------------------------------


def test_the_right_code_within_five_minutes_is_accepted() -> None:
    now = ISSUED + dt.timedelta(minutes=4, seconds=59)
    assert judge(state(), now, matches=True) is CodeVerdict.OK


def test_a_wrong_code_is_wrong() -> None:
    assert judge(state(), ISSUED, matches=False) is CodeVerdict.WRONG


def test_a_code_expires_after_five_minutes() -> None:
    assert CodeState.fresh(ISSUED).expires_at == ISSUED + dt.timedelta(minutes=5)
    now = ISSUED + dt.timedelta(minutes=5)
    assert judge(state(), now, matches=True) is CodeVerdict.EXPIRED


def test_a_used_code_is_refused_even_when_right() -> None:
    used = state(used_at=ISSUED + dt.timedelta(minutes=1))
    assert judge(used, ISSUED + dt.timedelta(minutes=2), matches=True) is CodeVerdict.USED


def test_after_five_wrong_tries_even_the_right_code_is_refused() -> None:
    assert judge(state(attempts=4), ISSUED, matches=True) is CodeVerdict.OK
    assert judge(state(attempts=5), ISSUED, matches=True) is CodeVerdict.TOO_MANY_ATTEMPTS
    assert attempts_left(state(attempts=4)) == 1
    assert attempts_left(state(attempts=7)) == 0


@given(
    used=st.booleans(),
    attempts=st.integers(min_value=0, max_value=20),
    minutes=st.integers(min_value=0, max_value=20),
)
def test_a_refused_code_gets_the_same_answer_right_or_wrong(
    used: bool, attempts: int, minutes: int
) -> None:
    # Only a live code reveals whether a guess was right: a stale one confirms nothing.
    current = state(used_at=ISSUED if used else None, attempts=attempts)
    now = ISSUED + dt.timedelta(minutes=minutes)
    right, wrong = judge(current, now, matches=True), judge(current, now, matches=False)
    if right is CodeVerdict.OK:
        assert wrong is CodeVerdict.WRONG
    else:
        assert right is wrong


@pytest.mark.parametrize(
    ("verdict", "indonesian"),
    [
        (CodeVerdict.WRONG, "Kode salah"),
        (CodeVerdict.EXPIRED, "Kode sudah kedaluwarsa, minta kode baru"),
        (CodeVerdict.USED, "Kode sudah dipakai, minta kode baru"),
        (CodeVerdict.TOO_MANY_ATTEMPTS, "Terlalu banyak percobaan, minta kode baru"),
    ],
)
def test_each_refusal_speaks_indonesian_and_english(verdict: CodeVerdict, indonesian: str) -> None:
    assert verdict.message_id == indonesian
    assert verdict.message and verdict.message != verdict.message_id
    violation = verdict.violation()
    assert (violation.field, violation.rule) == ("code", f"code.{verdict.value}")


def test_an_accepted_code_is_no_violation() -> None:
    with pytest.raises(ValueError):
        CodeVerdict.OK.violation()


# --- rate limits -------------------------------------------------------------------------------


def test_three_codes_per_phone_are_allowed_and_the_fourth_is_refused() -> None:
    assert rate_limit_verdict(2, 0) is RateVerdict.OK
    assert rate_limit_verdict(3, 0) is RateVerdict.PHONE_LIMIT


def test_twenty_codes_per_ip_are_allowed_and_the_twenty_first_is_refused() -> None:
    assert rate_limit_verdict(0, 19) is RateVerdict.OK
    assert rate_limit_verdict(0, 20) is RateVerdict.IP_LIMIT


def test_when_both_limits_are_hit_the_longer_wait_is_named() -> None:
    assert rate_limit_verdict(3, 20) is RateVerdict.IP_LIMIT
    long_phone = CodePolicy(per_phone_window=dt.timedelta(hours=2))
    assert rate_limit_verdict(3, 20, long_phone) is RateVerdict.PHONE_LIMIT


def test_the_rate_messages_name_the_wait() -> None:
    assert RateVerdict.PHONE_LIMIT.message_id == (
        "Terlalu banyak permintaan kode; coba lagi dalam 15 menit"
    )
    assert RateVerdict.PHONE_LIMIT.message.endswith("try again in 15 minutes")
    assert RateVerdict.IP_LIMIT.message_id.endswith("coba lagi dalam 1 jam")
    assert RateVerdict.IP_LIMIT.retry_after() == dt.timedelta(hours=1)


def test_a_different_policy_is_worded_with_its_own_window() -> None:
    policy = CodePolicy(per_phone_window=dt.timedelta(minutes=30))
    english, indonesian = RateVerdict.PHONE_LIMIT.messages(policy)
    assert indonesian.endswith("coba lagi dalam 30 menit")
    assert english.endswith("30 minutes")
    assert RateVerdict.PHONE_LIMIT.violation(policy).field == "phone"


@given(phone=st.integers(min_value=0, max_value=50), ip=st.integers(min_value=0, max_value=50))
def test_a_request_is_allowed_exactly_when_both_counts_are_under_their_limits(
    phone: int, ip: int
) -> None:
    allowed = rate_limit_verdict(phone, ip) is RateVerdict.OK
    assert allowed == (phone < 3 and ip < 20)
