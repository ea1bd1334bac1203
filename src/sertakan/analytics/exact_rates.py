"""`kernel.money.apply_rate` as an Ibis column expression, in integer arithmetic only.

`apply_rate` rounds `amount × rate` half up to the whole rupiah (policy P2, docs/rules.md). With the
rate as the exact fraction p/q of its Decimal, and an amount that is not negative:

    round_half_up(amount × p / q) = floor((2 × amount × p + q) / (2 × q))

The division must be an integer division. Ibis writes `a // b` as `FLOOR(a / b)`, which both
DuckDB and Spark evaluate in floating point; so the expression calls the SQL function `div`
instead: Spark SQL's built-in integral division, and on DuckDB (which has the `//` operator but
no such function) a macro that `prepare_backend` installs. Money never passes through a float.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from sertakan.analytics.month_rules import ExactRate

_DUCKDB_DIV_MACRO = "CREATE OR REPLACE TEMP MACRO div(dividend, divisor) AS dividend // divisor"


# ibis ships no type information (mypy override ibis.*), so its decorators are untyped.
@ibis.udf.scalar.builtin(name="div")  # type: ignore[untyped-decorator]
def _integer_divide(dividend: dt.Int64, divisor: dt.Int64) -> dt.Int64:
    """SQL `div(a, b)`: the integer quotient (rounded toward zero; our operands are >= 0)."""


def apply_rate_exactly(amount: ir.IntegerValue, rate: ExactRate) -> ir.IntegerValue:
    """round_half_up(amount × rate) for amounts >= 0, as `kernel.money.apply_rate` computes it."""
    numerator, denominator = rate.numerator, rate.denominator
    if numerator == 0:
        return ibis.literal(0, type="int64")
    scaled: ir.IntegerValue = amount.cast("int64") * numerator
    if denominator == 1:
        return scaled
    result: ir.IntegerValue = _integer_divide(
        scaled * 2 + denominator, ibis.literal(2 * denominator, type="int64")
    )
    return result


def prepare_backend(backend: Any) -> None:
    """Make `div` callable on `backend`: a no-op on Spark; a session macro on DuckDB.

    Idempotent and cheap; called by every function that builds a batch expression, so a
    caller with their own DuckDB connection needs no set-up.
    """
    if getattr(backend, "name", None) != "duckdb":
        return
    import duckdb

    try:
        backend.raw_sql("SELECT div(7, 2)").fetchall()
    except duckdb.CatalogException:  # not defined yet on this connection
        backend.raw_sql(_DUCKDB_DIV_MACRO)
