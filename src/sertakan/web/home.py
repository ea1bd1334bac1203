"""`GET /`: what SERTAKAN is, what the three programmes give, and what cover costs today.

The prices are not written in the template: they are quoted from the regulation at the lowest
declared income on today's date, so a change in the law (or the end of the PP 50/2025
discount) changes the page by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from sertakan.access.permissions import Permission
from sertakan.http.auth import Requires, current_actor
from sertakan.regulation.contributions import Sector, quote_bpu
from sertakan.web.breakdown import Breakdown
from sertakan.web.next_target import landing
from sertakan.web.state import container_of, web_state

router = APIRouter(dependencies=[Depends(Requires(Permission.PUBLIC))])

BASE = ("JKK", "JKM")
WITH_JHT = ("JKK", "JKM", "JHT")


@dataclass(frozen=True, slots=True)
class Prices:
    """The two headline prices for one sector: JKK + JKM, and with JHT."""

    base: Breakdown
    with_jht: Breakdown

    @property
    def has_discount(self) -> bool:
        return self.base.has_discount or self.with_jht.has_discount

    @property
    def totals(self) -> tuple[int, int]:
        return self.base.total, self.with_jht.total


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> HTMLResponse:
    container = container_of(request)
    today = container.clock.today()
    levels = container.params.bpu.declared_income_levels.value_on(today).value

    def prices(sector: Sector) -> Prices:
        quotes = [
            quote_bpu(
                container.params,
                declared_income=levels.minimum,
                on=today,
                programs=programs,
                sector=sector,
            )
            for programs in (BASE, WITH_JHT)
        ]
        return Prices(Breakdown.of(quotes[0]), Breakdown.of(quotes[1]))

    other = prices(Sector.OTHER)
    transport = prices(Sector.TRANSPORT)
    return web_state(request).renderer.render(
        request,
        "home.html",
        {
            "today": today,
            "minimum_income": levels.minimum,
            "other": other,
            # Drivers and couriers have their own discount window (PP 50/2025): shown apart
            # only on the days it differs from everyone else's.
            "transport": transport if transport.totals != other.totals else None,
            "my_page": landing(current_actor(request)),
        },
    )
