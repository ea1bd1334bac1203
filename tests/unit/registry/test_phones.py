from __future__ import annotations

import pytest

from sertakan.kernel.errors import RuleViolation
from sertakan.registry.phones import display_phone, normalize_mobile


@pytest.mark.parametrize(
    "typed",
    [
        "0812-3456-7890",
        "081234567890",
        "0812 3456 7890",
        "(0812) 3456-7890",
        "+62 812 3456 7890",
        "+6281234567890",
        "6281234567890",
        "62 812-3456-7890",
        "+62 0812 3456 7890",
        " 0812.3456.7890 ",
    ],
)
def test_the_usual_spellings_of_a_mobile_number_become_one_e164_number(typed: str) -> None:
    assert normalize_mobile(typed) == "+6281234567890"


def test_mobile_numbers_of_other_lengths_are_accepted() -> None:
    assert normalize_mobile("0811-1234-567") == "+628111234567"
    assert normalize_mobile("0857 1234 5678") == "+6285712345678"


def rule_of(typed: str) -> tuple[str, str]:
    with pytest.raises(RuleViolation) as error:
        normalize_mobile(typed)
    (violation,) = error.value.violations
    return violation.field, violation.rule


@pytest.mark.parametrize("typed", ["0251 8321234", "(021) 5551234", "+62 21 5551234"])
def test_a_landline_is_refused_because_it_cannot_receive_sms(typed: str) -> None:
    assert rule_of(typed) == ("phone", "phone.not_mobile")


@pytest.mark.parametrize("typed", ["+1 650 253 0000", "+44 7911 123456", "+60 12-345 6789"])
def test_a_foreign_number_is_refused(typed: str) -> None:
    assert rule_of(typed) == ("phone", "phone.not_indonesian")


@pytest.mark.parametrize(
    "typed", ["", "0812", "08123456", "0812345678901234", "0800-FLOWERS", "nomor saya 0812"]
)
def test_text_that_is_no_phone_number_is_refused(typed: str) -> None:
    assert rule_of(typed) == ("phone", "phone.invalid")


def test_the_refusal_is_explained_in_bahasa_indonesia() -> None:
    with pytest.raises(RuleViolation) as error:
        normalize_mobile("0812")

    assert error.value.violations[0].message_id == "Nomor HP tidak valid"


def test_a_stored_number_is_shown_in_the_national_format() -> None:
    assert display_phone("+6281234567890") == "0812-3456-7890"
    assert display_phone(normalize_mobile("+62 811 1234 567")) == "0811-1234-567"


def test_showing_a_number_that_is_not_e164_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        display_phone("081234567890")
