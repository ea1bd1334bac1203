"""The KPJ (Kartu Peserta Jamsostek) number: our own 11-digit scheme with a Luhn check digit.

Project policy P7 (docs/rules.md): 11 digits, the last a Luhn check digit over the first ten.
BPJS's own scheme was not found (public code only confirms the length), so this is project policy.
"""

from __future__ import annotations

import random
import secrets
from typing import Protocol

from sertakan.kernel.errors import RuleViolation
from sertakan.kernel.ids import is_luhn_valid, luhn_check_digit

KPJ_LENGTH = 11
SERIAL_DIGITS = KPJ_LENGTH - 1
MAX_SERIAL = 10**SERIAL_DIGITS - 1
REFERENCE = "Sertakan KPJ scheme (11 digits, Luhn check digit)"


def make_kpj(serial: int) -> str:
    """The KPJ for a serial in 1..9,999,999,999: ten zero-padded digits and a check digit."""
    if isinstance(serial, bool) or not 1 <= serial <= MAX_SERIAL:
        raise ValueError(f"KPJ serial must be in 1..{MAX_SERIAL}, got {serial!r}")
    payload = f"{serial:0{SERIAL_DIGITS}d}"
    return payload + str(luhn_check_digit(payload))


def _compact(text: str) -> str:
    # A KPJ is often read off the card in groups; the number is the digits.
    return "".join(text.split()).replace("-", "")


def is_valid_kpj(text: str) -> bool:
    """True for 11 digits whose last is the Luhn check digit of the first ten."""
    number = _compact(text)
    # isascii first: str.isdigit accepts "²", which the Luhn arithmetic cannot read.
    return len(number) == KPJ_LENGTH and number.isascii() and is_luhn_valid(number)


def normalize_kpj(text: str) -> str:
    """The KPJ without spaces or dashes, or `RuleViolation` on field "kpj"."""
    number = _compact(text)
    if len(number) != KPJ_LENGTH or not (number.isascii() and number.isdigit()):
        raise RuleViolation.single(
            "kpj",
            "kpj.format",
            "KPJ must be 11 digits",
            "Nomor KPJ harus 11 digit angka",
            REFERENCE,
        )
    if not is_luhn_valid(number):
        raise RuleViolation.single(
            "kpj",
            "kpj.check_digit",
            "this KPJ has a typo: its check digit does not match",
            "Nomor KPJ salah ketik: digit pemeriksanya tidak cocok",
            REFERENCE,
        )
    return number


def mask_kpj(kpj: str) -> str:
    """The KPJ with all but its last 4 digits hidden: ``*******3456``."""
    number = _compact(kpj)
    if len(number) <= 4:
        return "*" * len(number)
    return "*" * (len(number) - 4) + number[-4:]


class KpjIssuer(Protocol):
    """Hands out new KPJ numbers. Uniqueness is the caller's: retry on a duplicate key."""

    def next_kpj(self) -> str: ...


class RandomKpjIssuer:
    """Random serials, so a KPJ does not reveal its neighbours (no enumeration by +1).

    The serial never starts with 0, so every KPJ has 11 significant digits. Pass a seeded
    `random.Random` for repeatable demo data; by default the OS's CSPRNG is used.
    """

    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng: random.Random = rng if rng is not None else secrets.SystemRandom()

    def next_kpj(self) -> str:
        return make_kpj(self._rng.randint(10 ** (SERIAL_DIGITS - 1), MAX_SERIAL))
