"""`coverage_at`: covered only by a month settled before the event (policy P3, docs/rules.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from sertakan.billing.coverage import CoverReason, coverage_at, standing_at
from sertakan.billing.model import Settlement
from sertakan.kernel.clock import WIB
from sertakan.kernel.periods import Month
from sertakan.regulation.loader import Parameters, load_parameters
from sertakan.regulation.standing import MembershipStatus

ENROLLED = dt.date(2026, 9, 20)


@pytest.fixture(scope="module")
def params() -> Parameters:
    return load_parameters()


def _paid(month: Month, settled: dt.datetime, programs: str = "JKK,JKM") -> Settlement:
    return Settlement("m1", month, "inv", "pay", tuple(programs.split(",")), 16_800, settled)


def _at(day: dt.date, hour: int = 14) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=WIB)


def test_an_accident_after_the_month_settled_is_covered_and_says_why(params: Parameters) -> None:
    paid = [_paid(Month(2026, 11), _at(dt.date(2026, 11, 2), 9))]

    cover = coverage_at(
        params,
        enrolled_on=ENROLLED,
        settlements=paid,
        program="JKK",
        at=_at(dt.date(2026, 11, 3)),
    )

    assert cover.covered
    assert cover.protected_until == dt.date(2026, 11, 30)
    assert "2 November 2026 pukul 09.00 WIB" in cover.why_id


def test_a_payment_settled_after_the_accident_does_not_cover_it(params: Parameters) -> None:
    paid = [_paid(Month(2026, 11), _at(dt.date(2026, 11, 3), 15))]

    cover = coverage_at(
        params, enrolled_on=ENROLLED, settlements=paid, program="JKK", at=_at(dt.date(2026, 11, 3))
    )

    assert not cover.covered
    assert "tidak melindungi" in cover.why_id


def test_jht_is_not_covered_in_a_month_paid_for_jkk_and_jkm_only(params: Parameters) -> None:
    paid = [_paid(Month(2026, 11), _at(dt.date(2026, 11, 1), 8))]

    cover = coverage_at(
        params, enrolled_on=ENROLLED, settlements=paid, program="JHT", at=_at(dt.date(2026, 11, 3))
    )

    assert not cover.covered
    assert cover.why.startswith("JHT was not among")


def test_prepaid_months_extend_the_protection_to_the_last_one(params: Parameters) -> None:
    settled = _at(dt.date(2026, 10, 5))
    paid = [_paid(Month(2026, m), settled) for m in (10, 11, 12)]

    cover = coverage_at(
        params, enrolled_on=ENROLLED, settlements=paid, program="JKM", at=_at(dt.date(2026, 10, 6))
    )

    assert cover.covered
    assert cover.protected_until == dt.date(2026, 12, 31)


def test_more_than_three_unpaid_months_end_the_membership_or_make_it_nonaktif(
    params: Parameters,
) -> None:
    paid = [_paid(Month(2026, 9), _at(dt.date(2026, 9, 20)))]
    # Due months October-January unpaid on 16 January 2027: four in a row.
    at = _at(dt.date(2027, 1, 16))

    ended = coverage_at(params, enrolled_on=ENROLLED, settlements=paid, program="JKK", at=at)
    claimed = coverage_at(
        params, enrolled_on=ENROLLED, settlements=paid, program="JKK", at=at, jht_claimed=True
    )

    assert (ended.covered, ended.status) == (False, MembershipStatus.BERAKHIR)
    assert claimed.status is MembershipStatus.NONAKTIF


def test_an_event_before_enrolment_is_not_covered(params: Parameters) -> None:
    cover = coverage_at(
        params, enrolled_on=ENROLLED, settlements=[], program="JKK", at=_at(dt.date(2026, 9, 1))
    )

    assert (cover.covered, cover.status) == (False, MembershipStatus.MENUNGGU)


def test_a_naive_time_is_refused(params: Parameters) -> None:
    with pytest.raises(ValueError, match="timezone"):
        coverage_at(
            params,
            enrolled_on=ENROLLED,
            settlements=[],
            program="JKK",
            at=dt.datetime(2026, 11, 3, 14),
        )


# -- standing_at: the one answer a claim asks (covered at D? since when, until when, why) --------


def test_a_member_paid_for_three_months_is_covered_since_the_first_until_the_last(
    params: Parameters,
) -> None:
    paid = [_paid(Month(2026, m), _at(dt.date(2026, 10, 1), 8)) for m in (10, 11, 12)]

    found = standing_at(
        params,
        enrolled_on=ENROLLED,
        programs=("JKK", "JKM"),
        settlements=paid,
        at=_at(dt.date(2026, 11, 20)),
    )

    assert found.covered
    assert (found.since, found.until) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert found.reason is CoverReason.PAID
    assert found.status is MembershipStatus.AKTIF
    assert [c.program for c in found.programs] == ["JKK", "JKM"]


def test_why_a_member_is_not_covered_is_a_code_a_claim_can_keep(params: Parameters) -> None:
    def reason(settlements: list[Settlement], day: dt.date) -> CoverReason:
        found = standing_at(
            params,
            enrolled_on=ENROLLED,
            programs=("JKK",),
            settlements=settlements,
            at=_at(day),
        )
        assert not found.covered and found.since is None
        return found.reason

    september = [_paid(Month(2026, 9), _at(dt.date(2026, 9, 20)))]
    late = [_paid(Month(2026, 11), _at(dt.date(2026, 11, 3), 15))]
    assert reason([], dt.date(2026, 9, 1)) is CoverReason.NOT_YET_MEMBER
    assert reason([], dt.date(2026, 11, 3)) is CoverReason.NEVER_PAID
    assert reason(late, dt.date(2026, 11, 3)) is CoverReason.PAID_LATE
    assert reason(september, dt.date(2026, 11, 3)) is CoverReason.UNPAID  # menunggak
    assert reason(september, dt.date(2027, 1, 16)) is CoverReason.LAPSED  # four unpaid: ended


def test_a_member_without_programmes_is_refused(params: Parameters) -> None:
    with pytest.raises(ValueError, match="programme"):
        standing_at(params, enrolled_on=ENROLLED, programs=(), settlements=[], at=_at(ENROLLED))
