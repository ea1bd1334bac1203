"""Identifiers: opaque ids for records, and the Luhn check digit used by the KPJ scheme."""

from __future__ import annotations

import os
import threading
import time
import uuid

# Names made by `id_for` (a fixed namespace: the same key gives the same id on every machine).
_NAMESPACE = uuid.UUID("5b0f3c9e-2d1a-4c1e-9a57-7e2f5d0c8b31")
_v7_lock = threading.Lock()
_last_v7 = [0]  # the last UUIDv7's 48-bit milliseconds and 12-bit counter, as one number


def new_id() -> str:
    """A random, unguessable record id (UUID4, hex)."""
    return uuid.uuid4().hex


def new_ordered_id() -> str:
    """A UUIDv7 (RFC 9562), hex: unguessable, and ordered by time of making, so rows keyed by
    it sort in the order they were written (the event outbox publishes in that order).

    The 12 bits after the milliseconds count up within one millisecond (RFC 9562 section
    6.2, method 1), so ids made by one process never go backwards."""
    with _v7_lock:
        stamp = (time.time_ns() // 1_000_000) << 12
        head = _last_v7[0] = max(stamp, _last_v7[0] + 1)
    ms, counter = head >> 12, head & 0xFFF
    tail = int.from_bytes(os.urandom(8)) & ((1 << 62) - 1)
    value = (ms << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | tail
    return uuid.UUID(int=value).hex


def id_for(key: str) -> str:
    """The record id a stable key names (UUID5, hex): a reaction run twice writes one row."""
    return uuid.uuid5(_NAMESPACE, key).hex


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
