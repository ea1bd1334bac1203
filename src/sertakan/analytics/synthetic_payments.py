"""A synthetic payment history for a chunk of members: monthly payers, lapses, reactivations.

One row per paid member-month of the history window (`member_id`, `month`, `paid_on`,
`amount`), simulated month by month over whole columns of members (NumPy; no loop over rows):

* from the month of enrolment a member pays every month, on or before the 15th (the BPU
  deadline, rule R3) for most, later in the month for some, and at the end of the
  month before (prepaid) for others; the first payment settles a few days after enrolment;
* each month a payer may lapse (self-paying members more often than sponsored ones, members
  paid from APBN/APBD hardly ever); a lapsed member may come back: within the grace period of
  `bpu/arrears.yaml` (3 months) they pay the missed months too, as arrears, on the day they
  return; after it the missed months stay unpaid (the membership had ended) and they start
  again, like a reactivation;
* `amount` is the member's total contribution for that contribution month by `quote_bpu`,
  looked up per distinct (income, programmes, sector, publicly funded, month), never per row.

Rows planted as dirty by `synthetic_members` have no history (they were never billed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from sertakan.analytics.synthetic_members import (
    THREE_PROGRAMMES,
    TWO_PROGRAMMES,
    Ints,
    MemberChunk,
    NationPlan,
    chunk_rng,
)
from sertakan.regulation.codes import Sector
from sertakan.regulation.contributions import quote_bpu
from sertakan.regulation.loader import Parameters

PAYMENT_SCHEMA = pa.schema(
    [
        pa.field("member_id", pa.string(), nullable=False),
        pa.field("month", pa.date32(), nullable=False),
        pa.field("paid_on", pa.date32(), nullable=False),
        pa.field("amount", pa.int64(), nullable=False),
    ]
)

_PAYING, _LAPSED, _NOT_YET = 1, 2, 0
_ON_TIME, _LATE_IN_MONTH, _PREPAYS = 0, 1, 2
_HABIT_SHARES = (0.80, 0.10, 0.10)
_LAPSE_SELF_PAYING = 0.035
_LAPSE_SPONSORED = 0.015
_LAPSE_PUBLICLY_FUNDED = 0.004
_RETURN_WITHIN_GRACE = 0.30
_RETURN_AFTER_GRACE = 0.04
_LAPSED_AT_START = 0.12  # of members enrolled before the window
_DEADLINE_DAY = 15  # bpu/payment_deadline.yaml: the 15th of the contribution month


@dataclass(eq=False)
class AmountBook:
    """quote_bpu's totals, computed once per distinct (member kind, month) and kept."""

    params: Parameters
    plan: NationPlan
    _table: npt.NDArray[np.int64] = field(init=False)

    def __post_init__(self) -> None:
        self._table = np.full((len(self.plan.window), self.kinds), -1, np.int64)

    @property
    def kinds(self) -> int:
        return len(self.plan.income_levels) * 8

    def amounts(self, month: Ints, kind: Ints) -> Ints:
        wanted = np.flatnonzero(np.bincount(month * self.kinds + kind, minlength=self._table.size))
        for flat in wanted:
            row, column = divmod(int(flat), self.kinds)
            if self._table[row, column] < 0:
                self._table[row, column] = self._quote(row, column)
        result: Ints = self._table[month, kind]
        return result

    def _quote(self, month_index: int, kind: int) -> int:
        level, rest = divmod(kind, 8)
        has_jht, is_transport, publicly_funded = bool(rest & 4), bool(rest & 2), bool(rest & 1)
        quote = quote_bpu(
            self.params,
            declared_income=int(self.plan.income_levels[level]),
            on=self.plan.window[month_index].first_day,
            programs=(THREE_PROGRAMMES if has_jht else TWO_PROGRAMMES).split(","),
            sector=Sector.TRANSPORT if is_transport else Sector.OTHER,
            publicly_funded=publicly_funded,
        )
        return quote.total


def member_kind(chunk: MemberChunk) -> Ints:
    """The amount-deciding facts of each member as one small integer (see AmountBook)."""
    result: Ints = (
        chunk.income_level * 8
        + chunk.has_jht.astype(np.int64) * 4
        + chunk.is_transport.astype(np.int64) * 2
        + chunk.publicly_funded.astype(np.int64)
    )
    return result


def payment_batches(
    plan: NationPlan, chunk: MemberChunk, book: AmountBook, grace_months: int
) -> Iterator[pa.RecordBatch]:
    """The chunk's payments, one batch per simulated month (arrears included in their month)."""
    rng = chunk_rng(plan.seed, chunk.index, 2)
    rows = chunk.table.num_rows
    member_ids = chunk.table.column("member_id").combine_chunks()
    kind = member_kind(chunk)
    firsts = np.array([_day(m.first_day) for m in plan.window], np.int64)
    lengths = np.array([m.last_day.day for m in plan.window], np.int64)
    start_month = firsts[0].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    enrolled_month = (
        chunk.enrolled_day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        - start_month
    )
    habit = rng.choice(3, size=rows, p=_HABIT_SHARES)
    lapse_chance = np.where(
        chunk.publicly_funded,
        _LAPSE_PUBLICLY_FUNDED,
        np.where(chunk.sponsored, _LAPSE_SPONSORED, _LAPSE_SELF_PAYING),
    )
    state = np.full(rows, _NOT_YET, np.int64)
    missed = np.zeros(rows, np.int64)  # consecutive unpaid months so far
    before = (enrolled_month < 0) & ~chunk.dirty
    lapsed_at_start = before & (rng.random(rows) < _LAPSED_AT_START)
    state[before] = _PAYING
    state[lapsed_at_start] = _LAPSED
    missed[lapsed_at_start] = rng.integers(1, 10, int(lapsed_at_start.sum()))

    for month in range(len(plan.window)):
        joining = (enrolled_month == month) & ~chunk.dirty
        paying = state == _PAYING
        lapses = paying & (rng.random(rows) < lapse_chance)
        pays = paying & ~lapses
        lapsed = state == _LAPSED
        returns = lapsed & (
            rng.random(rows)
            < np.where(missed <= grace_months, _RETURN_WITHIN_GRACE, _RETURN_AFTER_GRACE)
        )
        day = _pay_days(rng, habit, firsts[month], lengths[month], rows)
        # The first payment settles a few days after enrolment, within the month.
        first_day = np.minimum(
            chunk.enrolled_day + rng.integers(0, 4, rows), firsts[month] + lengths[month] - 1
        )
        # A returning member pays on time this month, and the arrears with it.
        return_day = firsts[month] + rng.integers(0, _DEADLINE_DAY, rows)
        paid_on = np.where(joining, first_day, np.where(returns, return_day, day))

        now = np.flatnonzero(pays | returns | joining)
        members = [now]
        months = [np.full(len(now), month, np.int64)]
        days = [paid_on[now]]
        arrears = returns & (missed <= grace_months)
        for back in range(1, min(grace_months, month) + 1):  # months before the window: not ours
            owed = np.flatnonzero(arrears & (missed >= back) & (enrolled_month <= month - back))
            members.append(owed)
            months.append(np.full(len(owed), month - back, np.int64))
            days.append(paid_on[owed])

        state[joining] = _PAYING
        state[lapses] = _LAPSED
        missed[lapses] = 1
        state[returns] = _PAYING
        missed[returns] = 0
        missed[lapsed & ~returns] += 1
        yield _batch(plan, book, member_ids, kind, firsts, members, months, days)


def _pay_days(
    rng: np.random.Generator, habit: Ints, first: np.int64, length: np.int64, rows: int
) -> Ints:
    on_time = first + rng.integers(0, _DEADLINE_DAY, rows)
    late = (
        first
        + _DEADLINE_DAY
        + np.floor(rng.random(rows) * (length - _DEADLINE_DAY)).astype(np.int64)
    )
    prepaid = first - rng.integers(1, 10, rows)  # at the end of the month before
    result: Ints = np.select([habit == _LATE_IN_MONTH, habit == _PREPAYS], [late, prepaid], on_time)
    return result


def _batch(
    plan: NationPlan,
    book: AmountBook,
    member_ids: pa.Array,
    kind: Ints,
    firsts: Ints,
    members: list[Ints],
    months: list[Ints],
    days: list[Ints],
) -> pa.RecordBatch:
    who = np.concatenate(members)
    month = np.concatenate(months)
    paid_on = np.concatenate(days)
    amount = book.amounts(month, kind[who])
    return pa.RecordBatch.from_arrays(
        [
            member_ids.take(pa.array(who)),
            _dates(firsts[month]),
            _dates(paid_on),
            pa.array(amount, pa.int64()),
        ],
        schema=PAYMENT_SCHEMA,
    )


def _dates(days: Ints) -> pa.Array:
    return pa.array(days.astype(np.int32), pa.int32()).cast(pa.date32())


def _day(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days
