"""Money is whole rupiah; the one rounding rule is half up, each part on its own (policy P2)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sertakan.kernel.money import Rupiah, apply_rate, rate, rupiah, total


@pytest.mark.parametrize(
    ("amount", "factor", "expected"),
    [
        (1_000_000, "0.01", 10_000),
        (25, "0.1", 3),  # 2.5 rounds up, not to the even 2
        (15, "0.1", 2),  # 1.5 rounds up
        (4_500_500, "0.003", 13_502),  # 13,501.5
        (3_333_333, "0.0089", 29_667),  # 29,666.66
        (1_000_049, "0.01", 10_000),  # 10,000.49 rounds down
        (10_050, "0.5", 5_025),
        (0, "0.02", 0),
    ],
)
def test_a_rate_of_an_amount_rounds_half_up_to_the_whole_rupiah(
    amount: int, factor: str, expected: int
) -> None:
    assert apply_rate(amount, rate(factor)) == expected


def test_rounding_half_up_also_holds_for_negative_corrections() -> None:
    assert apply_rate(-25, Decimal("0.1")) == -3  # ROUND_HALF_UP rounds away from zero


def test_a_float_amount_is_refused() -> None:
    with pytest.raises(TypeError, match="int"):
        rupiah(1000.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        apply_rate(1000.0, Decimal("0.01"))  # type: ignore[arg-type]


def test_a_boolean_is_not_an_amount() -> None:
    with pytest.raises(TypeError):
        rupiah(True)


def test_a_rate_is_parsed_from_a_string_and_never_from_a_float() -> None:
    assert rate("0.01") == Decimal("0.01")
    with pytest.raises(TypeError, match="str"):
        rate(0.01)  # type: ignore[arg-type]


def test_a_total_is_the_sum_of_its_rounded_parts() -> None:
    parts = {"JKK": apply_rate(1_000_050, Decimal("0.01")), "JKM": Rupiah(6_800)}
    assert parts["JKK"] == 10_001  # 10,000.5 rounds up
    assert total(parts) == 16_801
    assert total([Rupiah(1), Rupiah(2)]) == 3
