"""Was this member covered for this programme at this moment? From the months paid, and when.

Policies P3, P4 (docs/rules.md; `bpu/coverage_policy.yaml`, UNCERTAIN): an event is covered when the
contribution for its month had settled before the event, or the month was prepaid; a month
paid later (arrears within the 3-month window) keeps the membership alive but does not cover
an event that happened while it was unpaid; first cover starts when the first payment settles.
The membership's standing (aktif, menunggak, berakhir; `nonaktif` where the JHT was already
claimed) is `regulation.standing.standing_on` over the months settled by then, with deadlines
moved off holidays (PP 44/2015, `bpu/payment_deadline.yaml`).

Pure: the caller passes the settlements; no clock, no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sertakan.billing.model import Settlement
from sertakan.kernel.clock import WIB
from sertakan.kernel.errors import ParameterMissing
from sertakan.kernel.periods import Month, date_id
from sertakan.regulation.calendar import next_working_day
from sertakan.regulation.loader import Parameters
from sertakan.regulation.standing import MembershipStatus, Standing, standing_on

PROGRAMS = ("JKK", "JKM", "JHT")


class CoverReason(StrEnum):
    """Why a programme did or did not cover a moment: the code a claim records beside its
    answer (`why`/`why_id` say it in words)."""

    PAID = "paid"  # the moment's month had settled before it (or was prepaid): covered
    NOT_YET_MEMBER = "not_yet_member"  # before the enrolment day
    NEVER_PAID = "never_paid"  # no month settled yet (menunggu)
    UNPAID = "unpaid"  # the moment's month had not settled by then (in arrears, or not yet due)
    PAID_LATE = "paid_late"  # settled only after the moment: no cover for the past (P4)
    LAPSED = "lapsed"  # the membership had ended (berakhir, nonaktif) and the month was unpaid
    PROGRAM_NOT_PAID = "program_not_paid"  # the month settled, without this programme


@dataclass(frozen=True, slots=True)
class Coverage:
    program: str
    at: dt.datetime
    covered: bool
    status: MembershipStatus
    reason: CoverReason
    why: str  # English, for the API and logs
    why_id: str  # Bahasa Indonesia, for the pages
    month: Month
    settled_at: dt.datetime | None  # when the event month's contribution settled, if it did
    covered_since: dt.date | None  # the first day of the run of paid months holding `month`
    protected_until: dt.date | None  # the last day of the run of paid months from `at` on
    standing: Standing | None
    reference: str


@dataclass(frozen=True, slots=True)
class MemberStanding:
    """Is this member covered at `at`, since when, until when, and why: the one answer the
    member page, the API, the CLI and (later) a claim read. `covered` is true when any of the
    member's programmes covers the moment; the rest is the first programme's (JKK: every BPU
    member has it), whose status is the membership's."""

    at: dt.datetime
    status: MembershipStatus
    covered: bool
    since: dt.date | None
    until: dt.date | None
    reason: CoverReason
    programs: tuple[Coverage, ...]  # in the member's order, JKK, JKM, JHT

    @property
    def arrears(self) -> tuple[Month, ...]:
        standing = self.programs[0].standing if self.programs else None
        return standing.arrears if standing is not None else ()


def standing_at(
    params: Parameters,
    *,
    enrolled_on: dt.date,
    programs: Sequence[str],
    settlements: Collection[Settlement],
    at: dt.datetime,
    jht_claimed: bool = False,
) -> MemberStanding:
    """The member's standing at the moment `at` (timezone-aware), from the months settled."""
    if not programs:
        raise ValueError("a member has at least one programme")
    covers = tuple(
        coverage_at(
            params,
            enrolled_on=enrolled_on,
            settlements=settlements,
            program=program,
            at=at,
            jht_claimed=jht_claimed,
        )
        for program in programs
    )
    first = covers[0]
    return MemberStanding(
        at=at,
        status=first.status,
        covered=any(c.covered for c in covers),
        since=first.covered_since,
        until=first.protected_until,
        reason=first.reason,
        programs=covers,
    )


def coverage_at(
    params: Parameters,
    *,
    enrolled_on: dt.date,
    settlements: Collection[Settlement],
    program: str,
    at: dt.datetime,
    jht_claimed: bool = False,
) -> Coverage:
    """Cover for `program` at the moment `at` (timezone-aware), and why."""
    if at.tzinfo is None:
        raise ValueError("`at` must be timezone-aware (an event time in WIB, for example)")
    program = program.upper()
    if program not in PROGRAMS:
        raise ValueError(f"program must be one of {', '.join(PROGRAMS)}")
    local = at.astimezone(WIB)
    on, month = local.date(), Month.of(local.date())
    policy = params.bpu.coverage_policy.value_on(on)
    if policy.value.late_payment_covers_past_event:  # the only policy written so far is "no"
        raise ParameterMissing("bpu.coverage_policy", "late payment covering past events")
    reference = policy.reference
    if on < enrolled_on:
        return Coverage(
            program,
            at,
            False,
            MembershipStatus.MENUNGGU,
            CoverReason.NOT_YET_MEMBER,
            f"Not a member yet on {on.isoformat()}",
            f"Belum menjadi peserta pada {date_id(on)}",
            month,
            None,
            None,
            None,
            None,
            reference,
        )
    known = [s for s in settlements if s.settled_at <= at]  # what had settled by then
    standing = standing_on(
        params,
        enrolled_on=enrolled_on,
        paid_months={s.month for s in known},
        on=on,
        working_day=next_working_day,
    )
    status = _status(standing, jht_claimed)
    by_month = {s.month: s for s in known}
    this = by_month.get(month)
    until = _protected_until(by_month, month)
    since = _covered_since(by_month, month)
    later = next((s for s in settlements if s.month == month and s.settled_at > at), None)
    if this is None:
        why = f"The contribution for {month} had not settled by {_moment(at)}"
        why_id = f"Iuran {month.name_id} belum lunas pada {_momen(at)}"
        if later is not None:
            why += f" (it settled later, {_moment(later.settled_at)}: it does not cover the past)"
            why_id += (
                f" (dibayar kemudian, {_momen(later.settled_at)}: tidak melindungi kejadian "
                "sebelumnya)"
            )
        if later is not None:
            reason = CoverReason.PAID_LATE
        elif status is MembershipStatus.MENUNGGU:
            reason = CoverReason.NEVER_PAID
        elif status in (MembershipStatus.BERAKHIR, MembershipStatus.NONAKTIF):
            reason = CoverReason.LAPSED
        else:
            reason = CoverReason.UNPAID
        return Coverage(
            program,
            at,
            False,
            status,
            reason,
            why,
            why_id,
            month,
            None,
            None,
            until,
            standing,
            reference,
        )
    if program not in this.programs:
        return Coverage(
            program,
            at,
            False,
            status,
            CoverReason.PROGRAM_NOT_PAID,
            f"{program} was not among the programmes paid for {month}",
            f"Program {program} tidak termasuk iuran {month.name_id}",
            month,
            this.settled_at,
            None,
            until,
            standing,
            reference,
        )
    return Coverage(
        program,
        at,
        True,
        status,
        CoverReason.PAID,
        f"The contribution for {month} settled {_moment(this.settled_at)}, before the event",
        f"Iuran {month.name_id} lunas {_momen(this.settled_at)}: terlindungi",
        month,
        this.settled_at,
        since,
        until,
        standing,
        reference,
    )


def _status(standing: Standing, jht_claimed: bool) -> MembershipStatus:
    if standing.status is MembershipStatus.BERAKHIR and jht_claimed:
        return MembershipStatus.NONAKTIF  # bpu/arrears.yaml status_after_lapse_if_jht_claimed
    return standing.status


def _protected_until(by_month: dict[Month, Settlement], month: Month) -> dt.date | None:
    """The last day of the unbroken run of settled months starting at `month`."""
    if month not in by_month:
        return None
    while month.next() in by_month:
        month = month.next()
    return month.last_day


def _covered_since(by_month: dict[Month, Settlement], month: Month) -> dt.date | None:
    """The first day of the unbroken run of settled months ending at `month`."""
    if month not in by_month:
        return None
    while month.plus(-1) in by_month:
        month = month.plus(-1)
    return month.first_day


def _moment(moment: dt.datetime) -> str:
    return moment.astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")


def _momen(moment: dt.datetime) -> str:
    local = moment.astimezone(WIB)
    return f"{date_id(local.date())} pukul {local:%H.%M} WIB"
