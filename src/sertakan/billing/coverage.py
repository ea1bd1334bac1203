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
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from sertakan.billing.model import Settlement
from sertakan.kernel.clock import WIB
from sertakan.kernel.errors import ParameterMissing
from sertakan.kernel.periods import Month, date_id
from sertakan.regulation.calendar import next_working_day
from sertakan.regulation.loader import Parameters
from sertakan.regulation.standing import Standing, Status, standing_on

PROGRAMS = ("JKK", "JKM", "JHT")


class CoverStatus(StrEnum):
    """The membership's status as members and staff read it (R3, docs/rules.md)."""

    MENUNGGU = "menunggu"  # enrolled, first payment not settled yet
    AKTIF = "aktif"
    MENUNGGAK = "menunggak"  # in the arrears window
    BERAKHIR = "berakhir"  # more than 3 consecutive unpaid months
    NONAKTIF = "nonaktif"  # ended, and the JHT was already claimed

    @property
    def label_id(self) -> str:
        return {
            "menunggu": "Menunggu pembayaran pertama",
            "aktif": "Aktif",
            "menunggak": "Menunggak",
            "berakhir": "Kepesertaan berakhir",
            "nonaktif": "Nonaktif",
        }[self.value]


@dataclass(frozen=True, slots=True)
class Coverage:
    program: str
    at: dt.datetime
    covered: bool
    status: CoverStatus
    why: str  # English, for the API and logs
    why_id: str  # Bahasa Indonesia, for the pages
    month: Month
    settled_at: dt.datetime | None  # when the event month's contribution settled, if it did
    protected_until: dt.date | None  # the last day of the run of paid months from `at` on
    standing: Standing | None
    reference: str


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
            CoverStatus.MENUNGGU,
            f"Not a member yet on {on.isoformat()}",
            f"Belum menjadi peserta pada {date_id(on)}",
            month,
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
        return Coverage(
            program, at, False, status, why, why_id, month, None, until, standing, reference
        )
    if program not in this.programs:
        return Coverage(
            program,
            at,
            False,
            status,
            f"{program} was not among the programmes paid for {month}",
            f"Program {program} tidak termasuk iuran {month.name_id}",
            month,
            this.settled_at,
            until,
            standing,
            reference,
        )
    return Coverage(
        program,
        at,
        True,
        status,
        f"The contribution for {month} settled {_moment(this.settled_at)}, before the event",
        f"Iuran {month.name_id} lunas {_momen(this.settled_at)}: terlindungi",
        month,
        this.settled_at,
        until,
        standing,
        reference,
    )


def _status(standing: Standing, jht_claimed: bool) -> CoverStatus:
    if standing.status is Status.BERAKHIR:
        return CoverStatus.NONAKTIF if jht_claimed else CoverStatus.BERAKHIR
    return CoverStatus(standing.status.value)


def _protected_until(by_month: dict[Month, Settlement], month: Month) -> dt.date | None:
    """The last day of the unbroken run of settled months starting at `month`."""
    if month not in by_month:
        return None
    while month.next() in by_month:
        month = month.next()
    return month.last_day


def _moment(moment: dt.datetime) -> str:
    return moment.astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")


def _momen(moment: dt.datetime) -> str:
    local = moment.astimezone(WIB)
    return f"{date_id(local.date())} pukul {local:%H.%M} WIB"
