"""Record ids and the Luhn check digit of the KPJ scheme (policy P7, docs/rules.md)."""

from __future__ import annotations

import time
import uuid

import pytest

from sertakan.kernel.ids import (
    EventIdGenerator,
    is_luhn_valid,
    luhn_check_digit,
    new_event_id,
    new_id,
    uuid7_from,
)


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


# -- audit event ids: UUIDv7 (RFC 9562) ------------------------------------------------------


def test_an_event_id_is_a_version_7_uuid_with_the_rfc_variant() -> None:
    value = uuid.UUID(hex=new_event_id())
    assert value.version == 7
    assert value.variant == uuid.RFC_4122  # the bits 10 that RFC 9562 keeps
    assert (value.int >> 76) & 0xF == 7
    assert (value.int >> 62) & 0b11 == 0b10


def test_an_event_id_carries_the_millisecond_it_was_made_in() -> None:
    before = time.time_ns() // 1_000_000
    made = uuid.UUID(hex=new_event_id()).int >> 80
    after = time.time_ns() // 1_000_000
    assert before <= made <= after


def test_ids_made_in_one_millisecond_sort_in_the_order_they_were_made() -> None:
    frozen = 1_764_676_800_000 * 1_000_000  # the clock does not move at all
    make = EventIdGenerator(time_ns=lambda: frozen)
    ids = [make().hex for _ in range(5_000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert {uuid.UUID(hex=i).int >> 80 for i in ids} == {frozen // 1_000_000}


def test_a_clock_that_steps_back_does_not_make_ids_go_backwards() -> None:
    moments = iter([2_000, 1_000, 1_000, 3_000])
    make = EventIdGenerator(time_ns=lambda: next(moments) * 1_000_000)
    ids = [make().hex for _ in range(4)]
    assert ids == sorted(ids)
    assert uuid.UUID(hex=ids[-1]).int >> 80 == 3_000


def test_a_counter_that_runs_out_borrows_the_next_millisecond() -> None:
    make = EventIdGenerator(time_ns=lambda: 5_000_000_000)
    first = make()
    make._counter = (1 << 42) - 2  # 2^41 ids in one millisecond would take too long to make
    second, third = make(), make()
    assert first.hex < second.hex < third.hex
    assert second.int >> 80 == 5_000
    assert third.int >> 80 == 5_001


def test_a_hundred_thousand_event_ids_are_all_different_and_ordered() -> None:
    ids = [new_event_id() for _ in range(100_000)]
    assert len(set(ids)) == 100_000
    assert ids == sorted(ids)
    assert all(len(i) == 32 and i == i.lower() for i in ids)


def test_the_layout_puts_each_part_where_rfc_9562_says() -> None:
    value = uuid7_from(0x0123456789AB, counter=(0xABC << 30) | 0x1234567, tail=0xDEADBEEF)
    assert str(value) == "01234567-89ab-7abc-8123-4567deadbeef"
    with pytest.raises(ValueError):
        uuid7_from(1 << 48, 0, 0)


def test_an_id_for_a_key_is_the_same_every_time_and_differs_between_keys() -> None:
    from sertakan.kernel.ids import id_for

    assert id_for("billing.invoice_paid:p1") == id_for("billing.invoice_paid:p1")
    assert id_for("billing.invoice_paid:p1") != id_for("billing.invoice_paid:p2")
    assert len(id_for("x")) == 32
