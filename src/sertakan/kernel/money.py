"""Money is whole rupiah (`int`); rates are `Decimal` parsed from strings; never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import NewType

Rupiah = NewType("Rupiah", int)


def rupiah(amount: int) -> Rupiah:
    """Accept an integer amount of rupiah; refuse floats and other types outright."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"rupiah amounts are int, got {type(amount).__name__}")
    return Rupiah(amount)


def rate(text: str) -> Decimal:
    """Parse a rate from its decimal string ("0.01" is 1%); never from a float."""
    if not isinstance(text, str):
        raise TypeError(f"rates are parsed from str, got {type(text).__name__}")
    return Decimal(text)


def apply_rate(amount: int, factor: Decimal) -> Rupiah:
    """The one rounding rule of the project: `amount × factor`, rounded half up to the whole rupiah.

    Project policy P2 (docs/rules.md; no rule was found in the law): round half up, each
    part separately; a total is the sum of its rounded parts. With the BPU income levels of
    `bpu/declared_income_levels.yaml` no BPU amount needs rounding.
    """
    exact = Decimal(rupiah(amount)) * factor
    return Rupiah(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def total(parts: dict[str, Rupiah] | list[Rupiah]) -> Rupiah:
    """A total is the sum of its rounded parts (policy P2, docs/rules.md)."""
    values = parts.values() if isinstance(parts, dict) else parts
    return Rupiah(sum(values))
