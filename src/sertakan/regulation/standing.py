"""A BPU member's standing on a date, from the months paid (R3, docs/rules.md).

The reference rule, for one member; `sertakan.analytics.batch_standing` compiles the same
parameters into column expressions for millions and is tested to agree with `standing_on`.

The statuses (`MembershipStatus`; ``nonaktif``, an ended membership whose JHT was claimed,
is told by the caller):

* ``menunggu``  — no contribution month has been paid yet: awaiting the first payment. Cover
  starts only when the first payment settles (project policy, `bpu/coverage_policy.yaml`),
  so a member who never paid stays here however long ago they enrolled.
* ``aktif``     — every month still payable whose deadline has passed is paid (since the
  member's last (re)activation).
* ``menunggak`` — in arrears: one or more months whose deadline has passed are unpaid and
  still payable (at most `grace_months` of them), and the membership has not ended.
* ``berakhir``  — membership ended: more than `ends_after_consecutive_unpaid_months`
  consecutive months whose deadline has passed went unpaid ("berakhir kepesertaan/keluar",
  Perdir 22/PERDIR.02/072022 §12, `bpu/arrears.yaml`). A later payment for a month after
  the gap reactivates the membership ("pay with the NIK", BPJS FAQ): the member is
  then judged from that month on.

How the dates work:

* The contribution for month M is due on `due_day` of M + `month_offset` (day 15 of M itself
  for BPU, `bpu/payment_deadline.yaml`). The deadline "has passed" from the day after it: a
  month paid on the 15th is on time, and on the 15th that month is not yet owed.
* When the deadline falls on a weekend or a public holiday, the law moves it to the next
  working day (PP 44/2015): pass `working_day=regulation.calendar.next_working_day`
  (billing does). Without it the calendar day stands, as the batch report
  (`analytics.batch_standing`) computes it: there, a member paying on the working day
  after a holiday 15th is shown in arrears for the few days in between.
* Arrears can be paid for at most `grace_months` months counted from the date protection
  ended (Perdir 22/PERDIR.02/072022). So only the last `grace_months` due months can be in arrears:
  a month missed longer ago, without a lapse, can no longer be paid and no longer counts
  (the member had no cover for it, `bpu/coverage_policy.yaml`) — such a member is ``aktif``
  again once the recent months are paid.
* Months before the enrolment month are not months of this membership and are ignored;
  months paid ahead (prepaid, `bpu/prepayment.yaml`) count as paid when their turn comes.
* The numbers are those in force on the date judged: every month is judged by the deadline
  and arrears rules of `on`. (Each has had a single value so far; a dated change of either
  would need a per-month table here, docs/architecture.md, "Where the law lives".)

Pure: no clock, no I/O. A date the parameters do not cover raises `ParameterMissing`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum

from sertakan.kernel.periods import Month
from sertakan.regulation.loader import Parameters

__all__ = [
    "MembershipStatus",
    "Standing",
    "StandingRule",
    "month_index",
    "standing_on",
    "standing_rule",
]


class MembershipStatus(StrEnum):
    """A membership's standing: the one vocabulary of the API, the pages, the CLI and the
    national report. The values are the Indonesian words the law and the reports use
    (`bpu/arrears.yaml`: status_after_lapse "berakhir", status_after_lapse_if_jht_claimed
    "nonaktif"). `standing_on` gives the first four; ``nonaktif`` needs to know whether the
    JHT was claimed, which the caller says (`billing.coverage.standing_at`).
    """

    MENUNGGU = "menunggu"  # enrolled, first payment not settled yet
    AKTIF = "aktif"
    MENUNGGAK = "menunggak"  # in the arrears window
    BERAKHIR = "berakhir"  # more than `ends_after` consecutive unpaid months
    NONAKTIF = "nonaktif"  # ended, and the JHT was already claimed

    @property
    def label_id(self) -> str:
        """What members and branch staff call it (Bahasa Indonesia; `web/labels.py`)."""
        return _LABELS_ID[self]


_LABELS_ID = {
    MembershipStatus.MENUNGGU: "Menunggu pembayaran pertama",
    MembershipStatus.AKTIF: "Aktif",
    MembershipStatus.MENUNGGAK: "Menunggak",
    MembershipStatus.BERAKHIR: "Kepesertaan berakhir",
    MembershipStatus.NONAKTIF: "Nonaktif",
}


def month_index(month: Month) -> int:
    """Months since year 0: consecutive months have consecutive indexes (batch code uses it)."""
    return month.year * 12 + month.month - 1


@dataclass(frozen=True, slots=True)
class StandingRule:
    """The numbers the standing reads, as in force on one date (with their citations)."""

    due_day: int  # bpu/payment_deadline.yaml
    month_offset: int  # 0: due in the contribution month itself
    grace_months: int  # bpu/arrears.yaml: arrears payable for at most this many months
    ends_after: int  # bpu/arrears.yaml: more than this many consecutive unpaid months ends it
    deadline_reference: str
    arrears_reference: str
    # Moves a deadline off weekends and holidays (`calendar.next_working_day`); None: as is.
    working_day: Callable[[dt.date], dt.date] | None = None

    def deadline(self, month: Month) -> dt.date:
        """The last day to pay month M on time."""
        due_month = month.plus(self.month_offset)
        day = dt.date(due_month.year, due_month.month, self.due_day)
        return day if self.working_day is None else self.working_day(day)

    def last_due_month(self, on: dt.date) -> Month:
        """The latest month whose deadline has passed on `on` (the deadline day itself is
        still on time)."""
        current = Month.of(on)
        latest = current.plus(-self.month_offset)
        latest = latest if on.day > self.due_day else latest.plus(-1)
        # A moved deadline is at most days later, so at most one month steps back.
        return latest if self.deadline(latest) < on else latest.plus(-1)

    @property
    def lookback_months(self) -> int:
        """How many months before the last due month can still change a standing, besides
        the latest month paid: `grace_months + ends_after`. Older history cannot, so batch
        code reads only this window (a reactivation is seen from the `ends_after` + 1 months
        before it; the arrears window is `grace_months` long)."""
        return self.grace_months + self.ends_after


def standing_rule(
    params: Parameters, on: dt.date, working_day: Callable[[dt.date], dt.date] | None = None
) -> StandingRule:
    """The deadline and arrears numbers in force on `on`; ParameterMissing before them."""
    deadline = params.bpu.payment_deadline.value_on(on)
    arrears = params.bpu.arrears.value_on(on)
    return StandingRule(
        due_day=deadline.value.due_day,
        month_offset=deadline.value.month_offset,
        grace_months=arrears.value.grace_months,
        ends_after=arrears.value.ends_after_consecutive_unpaid_months,
        deadline_reference=deadline.reference,
        arrears_reference=arrears.reference,
        working_day=working_day if deadline.value.if_holiday == "next_working_day" else None,
    )


@dataclass(frozen=True, slots=True)
class Standing:
    """A member's standing on `on`, with the months that decided it."""

    status: MembershipStatus
    on: dt.date
    last_due_month: Month  # the latest month whose deadline had passed on `on`
    last_paid_month: Month | None  # the latest month paid (may be ahead of `on`: prepaid)
    active_since: Month | None  # first month paid since the last (re)activation
    arrears: tuple[Month, ...]  # unpaid months still payable, oldest first (menunggak only)
    # The run of unpaid due months up to the last due month (0 when a payment for a month not
    # yet due reactivated an ended membership).
    consecutive_unpaid: int


def standing_on(
    params: Parameters,
    *,
    enrolled_on: dt.date,
    paid_months: Collection[Month],
    on: dt.date,
    working_day: Callable[[dt.date], dt.date] | None = None,
) -> Standing:
    """A member's standing on `on` from the contribution months whose payment had settled by
    `on` (the caller leaves out payments settled later). See the module docstring for the
    statuses; raises ValueError when `on` is before the enrolment."""
    if on < enrolled_on:
        raise ValueError(f"not a member yet on {on.isoformat()}: enrolled {enrolled_on}")
    rule = standing_rule(params, on, working_day)
    last_due = rule.last_due_month(on)
    first_month = Month.of(enrolled_on)
    paid = sorted({month for month in paid_months if month >= first_month})
    if not paid:
        return Standing(MembershipStatus.MENUNGGU, on, last_due, None, None, (), 0)

    # Walk the due months from the first one paid: a run of more than `ends_after` unpaid
    # months ends the membership; a month paid after such a run reactivates it.
    paid_set = set(paid)
    active_since = paid[0]
    unpaid_run = 0
    month = paid[0]
    while month <= last_due:
        if month in paid_set:
            if unpaid_run > rule.ends_after:
                active_since = month
            unpaid_run = 0
        else:
            unpaid_run += 1
        month = month.next()
    ahead = [p for p in paid if p > last_due]
    if unpaid_run > rule.ends_after and ahead:  # reactivated by paying a month not yet due
        active_since, unpaid_run = ahead[0], 0

    if unpaid_run > rule.ends_after:
        return Standing(
            MembershipStatus.BERAKHIR, on, last_due, paid[-1], active_since, (), unpaid_run
        )
    # Only the last `grace_months` due months (since the activation) can still be paid.
    window_start = max(active_since, last_due.plus(1 - rule.grace_months))
    arrears: list[Month] = []
    month = window_start
    while month <= last_due:
        if month not in paid_set:
            arrears.append(month)
        month = month.next()
    status = MembershipStatus.MENUNGGAK if arrears else MembershipStatus.AKTIF
    return Standing(status, on, last_due, paid[-1], active_since, tuple(arrears), unpaid_run)
