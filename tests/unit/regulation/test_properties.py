"""Properties of the BPU contribution that must hold for every allowed input (Hypothesis)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sertakan.regulation.contributions import Sector, quote_bpu
from sertakan.regulation.loader import load_parameters

PARAMS = load_parameters()
LEVELS = PARAMS.bpu.declared_income_levels.value_on(dt.date(2025, 1, 1)).value

incomes = st.sampled_from(LEVELS.levels())
dates = st.dates(dt.date(2015, 7, 1), dt.date(2028, 12, 31))
programme_sets = st.sampled_from([("JKK", "JKM"), ("JKK", "JKM", "JHT")])
sectors = st.sampled_from(list(Sector))


@given(incomes, dates, programme_sets, sectors, st.booleans())
def test_the_total_is_the_sum_of_the_parts(
    income: int, on: dt.date, programs: tuple[str, ...], sector: Sector, funded: bool
) -> None:
    quote = quote_bpu(
        PARAMS,
        declared_income=income,
        on=on,
        programs=programs,
        sector=sector,
        publicly_funded=funded,
    )
    assert quote.total == sum(quote.parts.values())
    assert tuple(quote.parts) == programs == quote.programs


@given(incomes, incomes, dates, programme_sets, sectors)
def test_the_contribution_never_falls_as_income_rises(
    first: int, second: int, on: dt.date, programs: tuple[str, ...], sector: Sector
) -> None:
    low, high = sorted((first, second))

    def total(income: int) -> int:
        return quote_bpu(
            PARAMS, declared_income=income, on=on, programs=programs, sector=sector
        ).total

    assert total(low) <= total(high)


@given(incomes, dates, programme_sets, sectors)
def test_the_discount_never_raises_a_part_and_never_touches_jht(
    income: int, on: dt.date, programs: tuple[str, ...], sector: Sector
) -> None:
    discounted = quote_bpu(PARAMS, declared_income=income, on=on, programs=programs, sector=sector)
    # A publicly funded member never gets PP 50/2025: the undiscounted reference.
    full = quote_bpu(
        PARAMS,
        declared_income=income,
        on=on,
        programs=programs,
        sector=sector,
        publicly_funded=True,
    )
    assert full.discounts == ()
    assert discounted.full_parts == full.parts
    for code, amount in discounted.parts.items():
        assert amount <= full.parts[code]
    if "JHT" in programs:
        assert discounted.parts["JHT"] == full.parts["JHT"]
    if discounted.discounts:
        assert discounted.total < full.total
        assert set(discounted.discounts[0].programs) == {"JKK", "JKM"}
