from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sertakan.kernel.errors import RuleViolation
from sertakan.registry.kpj import (
    KpjIssuer,
    RandomKpjIssuer,
    is_valid_kpj,
    make_kpj,
    mask_kpj,
    normalize_kpj,
)


def test_a_kpj_is_the_zero_padded_serial_and_its_luhn_check_digit() -> None:
    # Luhn over 0000000001: the 1 is doubled -> 2, so the check digit is 8.
    assert make_kpj(1) == "00000000018"
    assert make_kpj(1234567890) == "12345678903"


@pytest.mark.parametrize("serial", [0, -1, 10**10, True])
def test_a_serial_outside_ten_digits_is_refused(serial: int) -> None:
    with pytest.raises(ValueError):
        make_kpj(serial)


@given(st.integers(1, 10**10 - 1))
def test_every_made_kpj_is_valid(serial: int) -> None:
    kpj = make_kpj(serial)

    assert len(kpj) == 11
    assert is_valid_kpj(kpj)


@given(st.integers(1, 10**10 - 1), st.integers(0, 10), st.integers(1, 9))
def test_changing_any_single_digit_of_a_kpj_makes_it_invalid(
    serial: int, position: int, shift: int
) -> None:
    kpj = make_kpj(serial)
    changed = kpj[:position] + str((int(kpj[position]) + shift) % 10) + kpj[position + 1 :]

    assert not is_valid_kpj(changed)


@pytest.mark.parametrize(
    "text", ["1234567890", "123456789031", "1234567890a", "", "１２３４５６７８９０３"]
)
def test_text_that_is_not_eleven_digits_is_not_a_kpj(text: str) -> None:
    assert not is_valid_kpj(text)


def test_a_kpj_read_off_the_card_in_groups_is_accepted() -> None:
    assert is_valid_kpj("1234 5678 903")
    assert normalize_kpj("1234-5678-903") == "12345678903"


def test_a_kpj_with_a_typo_is_refused_with_a_check_digit_error() -> None:
    with pytest.raises(RuleViolation) as error:
        normalize_kpj("12345678904")

    assert [(v.field, v.rule) for v in error.value.violations] == [("kpj", "kpj.check_digit")]


def test_a_kpj_of_the_wrong_length_is_refused_with_a_format_error() -> None:
    with pytest.raises(RuleViolation) as error:
        normalize_kpj("1234567890")

    assert [(v.field, v.rule) for v in error.value.violations] == [("kpj", "kpj.format")]


def test_a_masked_kpj_shows_only_its_last_four_digits() -> None:
    assert mask_kpj("12345678903") == "*******8903"
    assert mask_kpj("123") == "***"


def test_issued_kpjs_are_valid_and_never_start_with_zero() -> None:
    issuer: KpjIssuer = RandomKpjIssuer()

    for _ in range(200):
        kpj = issuer.next_kpj()
        assert is_valid_kpj(kpj)
        assert kpj[0] != "0"


def test_issued_kpjs_are_not_consecutive() -> None:
    issuer = RandomKpjIssuer()
    serials = [int(issuer.next_kpj()[:10]) for _ in range(50)]

    assert len(set(serials)) == 50
    assert all(abs(b - a) > 1 for a, b in itertools.pairwise(serials))


def test_a_seeded_issuer_repeats_its_kpjs_for_demo_data() -> None:
    first = RandomKpjIssuer(random.Random(7))
    second = RandomKpjIssuer(random.Random(7))

    assert [first.next_kpj() for _ in range(5)] == [second.next_kpj() for _ in range(5)]
