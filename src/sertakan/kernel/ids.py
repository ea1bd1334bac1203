"""Identifiers: opaque ids for records, and the Luhn check digit used by the KPJ scheme."""

from __future__ import annotations

import uuid


def new_id() -> str:
    """A random, unguessable record id (UUID4, hex)."""
    return uuid.uuid4().hex


def luhn_check_digit(digits: str) -> int:
    """The Luhn check digit to append to `digits` (the project's KPJ scheme, policy P7)."""
    if not (digits.isascii() and digits.isdigit()):  # isdigit alone accepts "²"
        raise ValueError("luhn_check_digit takes the digits 0-9 only")
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # doubled: rightmost of the payload sits next to the check digit
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def is_luhn_valid(number: str) -> bool:
    if not (number.isascii() and number.isdigit()) or len(number) < 2:  # isdigit accepts "²"
        return False
    return luhn_check_digit(number[:-1]) == int(number[-1])
