"""`/api/v1/members/{id}/coverage`: is this member protected now (or at a moment asked about),
per programme and why, and what to pay to be protected again.

Moments are civil time in Indonesia: a date alone means 12:00 WIB that day, and a time without
an offset is WIB (docs/architecture.md: contribution months and due dates are WIB dates).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from sertakan.access.actor import Actor
from sertakan.access.permissions import Permission
from sertakan.api.billing_schemas import MemberCoverageRead
from sertakan.api.problems import responses
from sertakan.http.auth import Requires, container_of
from sertakan.kernel.clock import WIB
from sertakan.kernel.errors import RuleViolation

router = APIRouter(prefix="/members", tags=["coverage"])

NOON = dt.time(12, 0)
# The moments a question can be about: the programme's parameters hold nothing older, and the
# contribution calendar (due dates, holidays) is not computed centuries ahead.
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2099, 12, 31)
# An offset's "+" sent unencoded in a query string arrives as a space: "...T08:30:00 07:00".
_PLUS_AS_SPACE = re.compile(r"(T[\d:.]+) (\d{2}:?\d{2})$")


@router.get("/{member_id}/coverage", response_model=MemberCoverageRead, responses=responses(422))
def member_coverage(
    request: Request,
    member_id: str,
    actor: Annotated[Actor, Depends(Requires(Permission.MEMBER_READ))],
    on: Annotated[
        str | None,
        Query(
            max_length=40,
            description="The moment asked about: an ISO date (12:00 WIB that day) or date and "
            "time (WIB when it has no offset); now when left out",
            examples=["2026-12-10", "2026-12-10T08:30:00+07:00"],
        ),
    ] = None,
) -> MemberCoverageRead:
    """Per programme: covered or not at that moment and why (English and Indonesian), the
    membership's status, protected until when, the arrears and the open invoices to pay."""
    at = moment(on) if on is not None else None
    cover = container_of(request).coverage.member(actor, member_id, at)
    return MemberCoverageRead.of(cover)


def moment(text: str) -> dt.datetime:
    """`text` as a timezone-aware moment; RuleViolation on field `on` when it is not one."""
    text = _PLUS_AS_SPACE.sub(r"\1+\2", text.strip())
    try:
        try:
            found = dt.datetime.combine(dt.date.fromisoformat(text), NOON, tzinfo=WIB)
        except ValueError:
            found = dt.datetime.fromisoformat(text)
            if found.tzinfo is None:
                found = found.replace(tzinfo=WIB)
        local = found.astimezone(WIB)
    except (ValueError, OverflowError):
        raise _bad_moment() from None
    if not EARLIEST <= local.date() <= LATEST:
        raise _bad_moment()
    return found


def _bad_moment() -> RuleViolation:
    return RuleViolation.single(
        "on",
        "coverage.on",
        "on must be an ISO 8601 date (2026-12-10) or date and time "
        f"(2026-12-10T08:30:00+07:00) between {EARLIEST.isoformat()} and {LATEST.isoformat()}",
        "Tanggal harus berformat ISO 8601, misalnya 2026-12-10 atau 2026-12-10T08:30:00+07:00",
    )
