"""The `/api/v1` router: contributions (public), and the routers of the other resources.

Each route is a thin translation between HTTP and a service call, and declares the one
permission it needs (`Requires`); the services check the scope and write the audit trail.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import OAuth2PasswordBearer

from sertakan.access.permissions import Permission
from sertakan.api import (
    accounts,
    auth_routes,
    billing,
    coverage,
    members,
    payments,
    sponsors,
    sponsorships,
)
from sertakan.api.problems import responses
from sertakan.api.schemas import DAY, BpuQuoteRead, PuQuoteRead
from sertakan.http.auth import Requires, container_of
from sertakan.kernel.errors import RuleViolation
from sertakan.regulation.codes import Sector
from sertakan.regulation.contributions import quote_bpu, quote_date_in_horizon, quote_pu

# Declares the bearer scheme in the OpenAPI document (the "Authorize" button of /docs); the
# token itself is read and checked by `Requires`.
bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)

router = APIRouter(prefix="/api/v1", dependencies=[Depends(bearer)])
# The days a quote can be for: the parameters hold nothing older, and nothing is billed later.
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2099, 12, 31)
PUBLIC = Depends(Requires(Permission.PUBLIC))


def _quote_day(on: dt.date | None, today: dt.date) -> dt.date:
    """The day a quote is for: today when not given, and of this century (the schema's
    pattern says so too). A BPU quote is further bounded by the prepayment horizon
    (`quote_date_in_horizon`)."""
    day = on or today
    if not EARLIEST <= day <= LATEST:
        raise RuleViolation.single(
            "on",
            "quote.on.range",
            f"A quote is for a day from {EARLIEST.isoformat()} to {LATEST.isoformat()}",
            f"Tanggal perhitungan antara {EARLIEST.isoformat()} dan {LATEST.isoformat()}",
        )
    return day


def _programs(text: str) -> tuple[str, ...]:
    return tuple(part.strip().upper() for part in text.split(",") if part.strip())


@router.get(
    "/contributions/bpu",
    response_model=BpuQuoteRead,
    tags=["contributions"],
    dependencies=[PUBLIC],
    responses=responses(422),
)
def bpu_contribution(
    request: Request,
    declared_income: Annotated[int, Query(description="Declared monthly income, rupiah")],
    programs: Annotated[str, Query(description="Comma-separated: JKK,JKM or JKK,JKM,JHT")] = (
        "JKK,JKM"
    ),
    on: Annotated[
        dt.date | None,
        Query(
            description="Date the quote applies on: at most the prepayment horizon ahead",
            json_schema_extra=DAY,
        ),
    ] = None,
    sector: Annotated[
        str,
        Query(
            max_length=20,
            description="transport or other (PP 50/2025)",
            json_schema_extra={"enum": [s.value for s in Sector]},
        ),
    ] = "other",
    publicly_funded: Annotated[bool, Query(description="JKK+JKM paid from APBN/APBD")] = False,
) -> BpuQuoteRead:
    """What a BPU (informal) worker's cover costs per month, part by part, with its law.
    A day past the prepayment horizon (`max_months_ahead` months after this one) is 422."""
    container = container_of(request)
    today = container.clock.today()
    if on is not None:
        quote_date_in_horizon(container.params, on, today)
    quote = quote_bpu(
        container.params,
        declared_income=declared_income,
        on=_quote_day(on, today),
        programs=_programs(programs),
        sector=sector,
        publicly_funded=publicly_funded,
    )
    return BpuQuoteRead.of(quote)


@router.get(
    "/contributions/pu",
    response_model=PuQuoteRead,
    tags=["contributions"],
    dependencies=[PUBLIC],
    responses=responses(422),
)
def pu_contribution(
    request: Request,
    wage: Annotated[int, Query(description="Monthly wage, rupiah")],
    risk_class: Annotated[str, Query(description="very_low|low|medium|high|very_high")],
    on: Annotated[dt.date | None, Query(json_schema_extra=DAY)] = None,
    in_jkp: Annotated[bool, Query(description="Registered in JKP (job-loss cover)")] = False,
) -> PuQuoteRead:
    """A wage earner's (PU) contributions: employer and worker shares per programme."""
    container = container_of(request)
    quote = quote_pu(
        container.params,
        wage=wage,
        risk_class=risk_class,
        on=_quote_day(on, container.clock.today()),
        in_jkp=in_jkp,
    )
    return PuQuoteRead.of(quote)


# FastAPI tries routes in order, each a regular expression: the gateway's callback is the
# busiest route (hundreds a second around the 15th), so its router comes first.
for module in (payments, auth_routes, members, coverage, sponsors, sponsorships, accounts, billing):
    router.include_router(module.router)
