"""Record ids and the Luhn check digit of the KPJ scheme (policy P7, docs/rules.md)."""

from __future__ import annotations

import pytest

from sertakan.kernel.ids import is_luhn_valid, luhn_check_digit, new_id


@pytest.mark.parametrize(
    ("payload", "check"),
    [("7992739871", 3), ("4539578763621486"[:-1], 6), ("1234567890", 3), ("0000000000", 0)],
)
def test_the_luhn_check_digit_of_known_numbers(payload: str, check: int) -> None:
    assert luhn_check_digit(payload) == check


def test_a_number_with_its_check_digit_is_valid_and_a_typo_is_caught() -> None:
    assert is_luhn_valid("79927398713")
    assert not is_luhn_valid("79927398714")
    assert not is_luhn_valid("79927389713")  # two neighbouring digits swapped


def test_a_luhn_number_needs_digits_only() -> None:
    assert not is_luhn_valid("7992739871a")
    assert not is_luhn_valid("7")
    with pytest.raises(ValueError):
        luhn_check_digit("12-34")


def test_new_ids_are_unique_hex_strings() -> None:
    ids = {new_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


def test_a_number_with_a_superscript_or_full_width_digit_is_simply_not_luhn_valid() -> None:
    assert is_luhn_valid("1234567890²") is False
    assert is_luhn_valid("７９９２７３９８７１３") is False


def test_ordered_ids_are_uuid7_and_sort_in_the_order_they_were_made() -> None:
    import uuid

    from sertakan.kernel.ids import new_ordered_id

    made = [new_ordered_id() for _ in range(5000)]  # many within one millisecond
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    parsed = uuid.UUID(made[0])
    assert (parsed.version, parsed.variant) == (7, uuid.RFC_4122)
    assert len(made[0]) == 32  # fits the ID column


def test_an_id_for_a_key_is_the_same_every_time_and_differs_between_keys() -> None:
    from sertakan.kernel.ids import id_for

    assert id_for("billing.invoice_paid:p1") == id_for("billing.invoice_paid:p1")
    assert id_for("billing.invoice_paid:p1") != id_for("billing.invoice_paid:p2")
    assert len(id_for("x")) == 32
