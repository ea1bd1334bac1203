"""`apply_rate_exactly` rounds like `kernel.money.apply_rate`: half up, in integers, any rate.

With today's BPU levels no amount needs rounding (policy P2, docs/rules.md), so the vectors cannot
show that the batch rounds as the scalar does; these tests can: odd amounts, rates with many
decimals, halves exactly on the boundary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import ibis
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sertakan.analytics.engines import BatchEngine, DuckDBEngine, SparkEngine
from sertakan.analytics.exact_rates import apply_rate_exactly
from sertakan.analytics.month_rules import ExactRate
from sertakan.kernel.money import apply_rate

RATES = st.one_of(
    st.sampled_from(["0.01", "0.02", "0.5", "0.50", "0.0024", "0.0089", "0.037", "1", "0"]),
    st.decimals(min_value=0, max_value=1, places=6).map(str),
)
AMOUNTS = st.one_of(
    st.integers(0, 25_000_000),
    st.integers(0, 10_000).map(lambda n: n * 50 + 25),  # ends in 25 or 75: halves at 0.02
    st.just(0),
)


@pytest.fixture(scope="module")
def duckdb_engine() -> Iterator[DuckDBEngine]:
    engine = DuckDBEngine(threads=1)
    yield engine
    engine.close()


def _batch(engine: BatchEngine, rate: str, amounts: list[int]) -> list[int]:
    table = engine.from_arrow(pa.table({"amount": pa.array(amounts, pa.int64())}))
    rounded = table.select(
        amount=table.amount,
        result=apply_rate_exactly(table.amount, ExactRate.of(Decimal(rate))),
    )
    rows = engine.backend.to_pyarrow(rounded.order_by("amount")).to_pylist()
    return [row["result"] for row in rows]


def test_a_half_rupiah_is_rounded_up_and_a_bit_less_is_rounded_down(
    duckdb_engine: DuckDBEngine,
) -> None:
    # 2% of 25 is 0.5 -> 1; 2% of 24 is 0.48 -> 0; half of 6,801 is 3,400.5 -> 3,401.
    assert _batch(duckdb_engine, "0.02", [24, 25, 75]) == [0, 1, 2]
    assert _batch(duckdb_engine, "0.5", [6_800, 6_801]) == [3_400, 3_401]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rate=RATES, amounts=st.lists(AMOUNTS, min_size=1, max_size=50))
def test_any_rate_and_amount_round_as_apply_rate_does_on_duckdb(
    duckdb_engine: DuckDBEngine, rate: str, amounts: list[int]
) -> None:
    expected = [apply_rate(amount, Decimal(rate)) for amount in sorted(amounts)]
    assert _batch(duckdb_engine, rate, amounts) == expected


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rate=RATES, amounts=st.lists(AMOUNTS, min_size=20, max_size=50))
def test_any_rate_and_amount_round_as_apply_rate_does_on_spark(
    spark_session: Any, rate: str, amounts: list[int]
) -> None:
    expected = [apply_rate(amount, Decimal(rate)) for amount in sorted(amounts)]
    assert _batch(SparkEngine(spark_session), rate, amounts) == expected


def test_the_division_is_an_integer_division_in_the_sql_of_both_engines(
    duckdb_engine: DuckDBEngine,
) -> None:
    table = ibis.table({"amount": "int64"}, name="members")
    expression = table.select(jkk=apply_rate_exactly(table.amount, ExactRate(1, 100)))
    for dialect in ("duckdb", "pyspark"):
        sql = ibis.to_sql(expression, dialect=dialect)
        assert re.search(r"\bDIV\b", sql.upper()), sql  # div(a, b) or Spark's a DIV b
        assert "/" not in sql  # no floating-point division anywhere near money
