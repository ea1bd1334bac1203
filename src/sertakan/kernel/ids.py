"""Identifiers: opaque ids for records, time-ordered ids for audit events, and the Luhn check
digit used by the KPJ scheme."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable

# UUIDv7 (RFC 9562 sect. 5.7): 48 bits of Unix milliseconds, then 4 version bits, 12 bits
# rand_a, 2 variant bits, 62 bits rand_b. Here rand_a and the top 30 bits of rand_b hold a
# 42-bit counter (sect. 6.2, method 1: "fixed bit-length dedicated counter"), seeded at random
# each new millisecond and stepped by one within it, so ids made in one process sort in the
# order they were made; the low 32 bits of rand_b are fresh random bits for every id, so two
# branch offices writing in the same millisecond do not collide (docs/architecture.md).
_COUNTER_BITS = 42
_COUNTER_SEED_MASK = (1 << (_COUNTER_BITS - 1)) - 1  # seeded below half: room to step
_COUNTER_MAX = (1 << _COUNTER_BITS) - 1
_TAIL_BITS = 32

# Names made by `id_for` (a fixed namespace: the same key gives the same id on every machine).
_NAMESPACE = uuid.UUID("5b0f3c9e-2d1a-4c1e-9a57-7e2f5d0c8b31")


def new_id() -> str:
    """A random, unguessable record id (UUID4, hex)."""
    return uuid.uuid4().hex


def uuid7_from(unix_ms: int, counter: int, tail: int) -> uuid.UUID:
    """The UUIDv7 laid out from its parts: milliseconds, the 42-bit counter, 32 tail bits."""
    if not 0 <= unix_ms < 1 << 48:
        raise ValueError("unix_ms must fit in 48 bits")
    if not 0 <= counter <= _COUNTER_MAX:
        raise ValueError("counter must fit in 42 bits")
    if not 0 <= tail < 1 << _TAIL_BITS:
        raise ValueError("tail must fit in 32 bits")
    rand_a = counter >> 30  # the counter's top 12 bits
    rand_b = ((counter & ((1 << 30) - 1)) << _TAIL_BITS) | tail  # its low 30, then the tail
    value = (unix_ms << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
    return uuid.UUID(int=value)


class EventIdGenerator:
    """Makes UUIDv7 ids that never go backwards in one process, even when the clock does.

    The wall clock is read through `time_ns` (tests give their own). Within one millisecond
    the counter steps; should it ever run out, or the clock step back, the generator carries
    on from the last millisecond it used (RFC 9562 sect. 6.2 allows borrowing ahead).
    """

    def __init__(
        self,
        time_ns: Callable[[], int] = time.time_ns,
        random_bits: Callable[[int], int] = lambda n: int.from_bytes(os.urandom(8)) >> (64 - n),
    ) -> None:
        self._time_ns = time_ns
        self._random_bits = random_bits
        self._lock = threading.Lock()
        self._last_ms = -1
        self._counter = 0

    def __call__(self) -> uuid.UUID:
        with self._lock:
            now_ms = self._time_ns() // 1_000_000
            if now_ms > self._last_ms:
                self._last_ms = now_ms
                self._counter = self._random_bits(_COUNTER_BITS) & _COUNTER_SEED_MASK
            elif self._counter < _COUNTER_MAX:
                self._counter += 1
            else:  # 2^41 ids in one millisecond: borrow the next one
                self._last_ms += 1
                self._counter = self._random_bits(_COUNTER_BITS) & _COUNTER_SEED_MASK
            return uuid7_from(self._last_ms, self._counter, self._random_bits(_TAIL_BITS))


_event_ids = EventIdGenerator()


def new_event_id() -> str:
    """A time-ordered, globally unique id for an audit event (UUIDv7, 32 lowercase hex).

    As text the ids sort like the moments they were made in, so a table keyed by them reads
    in time order, and books kept by several offices can be merged without renumbering.
    """
    return _event_ids().hex


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
