"""Every member's standing on a date, as one Ibis expression (DuckDB or PySpark alike).

The batch twin of `sertakan.regulation.standing.standing_on` (the reference, whose docstring
defines the four statuses, R3 in docs/rules.md): the same parameters, read through the same
`StandingRule`, compiled into column expressions; no Python runs per member. A test proves the
two agree for every member of random payment histories on both engines.

How the scalar walk becomes columns (months are integers, `month_index`):

* ``L`` is the last month whose deadline had passed on the date (a constant).
* A member has paid at all when a payment for a month of the membership (not before the
  enrolment month) settled by the date: ``menunggu`` otherwise.
* ``berakhir`` when the latest month paid is more than `ends_after` months before ``L``.
* A paid month *starts* the membership (first payment, or reactivation) when more than
  `ends_after` due months before it went unpaid: ``min(m - 1, L) - previous paid month``.
  The window function `lag` finds the previous paid month.
* Arrears are the unpaid months in ``[max(last start, L - grace_months + 1), L]``.

Only months from ``L - lookback_months`` on are read for the window part (`StandingRule.
lookback_months`: older history cannot change a standing; a property test in the regulation
tests checks it on the scalar rule). That keeps the sort behind `lag` to about a year of
payment rows per member however long the history is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from sertakan.kernel.periods import Month
from sertakan.regulation.loader import Parameters
from sertakan.regulation.standing import MembershipStatus, month_index, standing_rule

__all__ = ["BATCH_STATUSES", "PaidMonths", "month_number", "standing_table"]

# The values of `MembershipStatus` (the one vocabulary, `regulation.standing`) the batch gives.
# Not ``nonaktif``: that needs the JHT claims, which the batch's input does not hold yet; an
# ended membership is counted ``berakhir`` (a test ties these to the enum and the scalar rule).
BATCH_STATUSES = (
    MembershipStatus.MENUNGGU,
    MembershipStatus.AKTIF,
    MembershipStatus.MENUNGGAK,
    MembershipStatus.BERAKHIR,
)


def month_number(day: ir.DateValue) -> ir.IntegerValue:
    """The column twin of `regulation.standing.month_index`: months since year 0."""
    return day.year().cast("int64") * 12 + day.month().cast("int64") - 1


@dataclass(frozen=True)
class PaidMonths:
    """The paid months of each membership, each with the day its first payment settled.

    `rows`: member_id, m (month index), settled_on — one row per member and month, months
    before the enrolment month left out (they are not months of this membership), and
    months before `since` too when it is set (a report reads only the recent ones).
    `first_settled`: member_id, first_settled_on — when the member's first payment for a
    month of the membership settled, over the whole history.
    Built once and reused for every date a report looks at.
    """

    rows: ir.Table
    first_settled: ir.Table
    since: int | None = None  # month index of the oldest month in `rows`; None: all

    @classmethod
    def of(cls, members: ir.Table, payments: ir.Table, *, since: Month | None = None) -> PaidMonths:
        enrolled = members.select(
            member_id=members.member_id, enrolled_m=month_number(members.enrolled_on)
        )
        paid = payments.select(
            member_id=payments.member_id,
            m=month_number(payments.month),
            paid_on=payments.paid_on,
        )
        joined = paid.join(enrolled, "member_id")
        within = joined.filter(joined.m >= joined.enrolled_m)
        first = within.group_by("member_id").aggregate(first_settled_on=within.paid_on.min())
        start = None if since is None else month_index(since)
        recent = within if start is None else within.filter(within.m >= start)
        rows = recent.group_by(["member_id", "m"]).aggregate(settled_on=recent.paid_on.min())
        return cls(rows=rows, first_settled=first, since=start)


def standing_table(
    members: ir.Table, paid: PaidMonths, *, on: dt.date, params: Parameters
) -> ir.Table:
    """member_id, region_code, status (`Status` values), arrears_months, for every member
    enrolled by `on`. Raises ParameterMissing when the parameters do not cover `on`."""
    rule = standing_rule(params, on)
    last_due = month_index(rule.last_due_month(on))
    ends_after, grace = rule.ends_after, rule.grace_months
    if paid.since is not None and paid.since > last_due - rule.lookback_months:
        raise ValueError(f"the paid months start too late to judge {on.isoformat()}")

    recent = paid.rows.filter(
        paid.rows.settled_on <= on, paid.rows.m >= last_due - rule.lookback_months
    )
    by_member = ibis.window(group_by=recent.member_id, order_by=recent.m)
    previous = recent.m.lag().over(by_member)
    starts = previous.isnull() | ((ibis.least(recent.m - 1, last_due) - previous) > ends_after)
    recent = recent.mutate(start_m=ibis.cases((starts, recent.m), else_=ibis.null("int64")))
    recent = recent.mutate(
        window_start=ibis.greatest(
            recent.start_m.max().over(ibis.window(group_by=recent.member_id)),
            last_due - grace + 1,
        )
    )
    in_window = (recent.m >= recent.window_start) & (recent.m <= last_due)
    per_member = recent.group_by("member_id").aggregate(
        last_paid=recent.m.max(),
        window_start=recent.window_start.max(),
        paid_in_window=recent.m.count(where=in_window),
    )

    enrolled = members.filter(members.enrolled_on <= on).select("member_id", "region_code")
    joined = _attach(_attach(enrolled, paid.first_settled), per_member)
    has_paid = joined.first_settled_on.notnull() & (joined.first_settled_on <= on)
    lapsed = joined.last_paid.isnull() | (joined.last_paid < last_due - ends_after)
    arrears = ibis.greatest(last_due - joined.window_start + 1, 0) - joined.paid_in_window
    status = ibis.cases(
        (~has_paid, MembershipStatus.MENUNGGU.value),
        (lapsed, MembershipStatus.BERAKHIR.value),
        (arrears > 0, MembershipStatus.MENUNGGAK.value),
        else_=MembershipStatus.AKTIF.value,
    )
    return joined.select(
        member_id=joined.member_id,
        region_code=joined.region_code,
        status=status,
        arrears_months=ibis.cases((has_paid & ~lapsed, arrears), else_=0).cast("int64"),
    )


def _attach(left: ir.Table, right: ir.Table) -> ir.Table:
    """`left` with the columns of `right` (keyed by member_id) beside it; null when absent."""
    joined = left.left_join(right, "member_id")
    return joined.select(*left.columns, *(c for c in right.columns if c != "member_id"))
