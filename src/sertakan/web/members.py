"""Member (peserta) pages: one member's card, and the branch staff's search.

The member page shows the full KPJ (it is the member's own card) and the NIK masked, except to
the counter staff who check identity; it lists who sponsors the worker, with the consent and
the actions the reader may take. The search is POSTed, so a NIK never lands in a URL or an
access log (issue 4); results list only a masked KPJ, read over shoulders at the counter.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from sertakan.access.permissions import Permission, allows
from sertakan.access.scope import sees_full_nik
from sertakan.http.auth import Requires, current_actor
from sertakan.kernel.periods import Month
from sertakan.registry.errors import MemberNotFound
from sertakan.registry.kpj import KPJ_LENGTH, mask_kpj
from sertakan.registry.model import Member
from sertakan.registry.nik import NIK_LENGTH, mask_nik
from sertakan.registry.occupations import occupation
from sertakan.registry.regions import Village
from sertakan.web.breakdown import Breakdown
from sertakan.web.error_pages import N_, render_error
from sertakan.web.state import container_of, web_state

router = APIRouter()

MIN_NAME_QUERY = 2  # RegistryService.find_members searches names from 2 characters
MAX_QUERY = 100


@dataclass(frozen=True, slots=True)
class Hit:
    member: Member
    kpj_masked: str
    village: Village | None


@router.get(
    "/peserta/{member_id}",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(Requires(Permission.MEMBER_READ))],
)
def member_page(request: Request, member_id: str) -> Response:
    container = container_of(request)
    actor = current_actor(request)
    try:
        card = container.registry.member_card(actor, member_id)
        lines = container.sponsorships.for_member(actor, member_id)
        cover = container.coverage.member(actor, member_id)  # the protection line
    except MemberNotFound:
        return render_error(request, 404, [N_("Peserta tidak ditemukan")])
    member = card.member
    return web_state(request).renderer.render(
        request,
        "member.html",
        {
            "card": card,
            "member": member,
            "nik_masked": member.nik if sees_full_nik(actor) else mask_nik(member.nik),
            "sponsorships": lines,
            "may_end": allows(actor.role, Permission.SPONSORSHIP_END),
            "may_attest": allows(actor.role, Permission.CONSENT_ATTEST),
            "month_now": Month.of(card.quote.on),
            "occupation": occupation(member.occupation),
            "village": container.regions.village(member.region_code),
            "breakdown": Breakdown.of(card.quote),
            "cover": cover,
            "ended_from": _month(request.query_params.get("sponsor_berakhir", "")),
        },
    )


def _month(text: str) -> Month | None:
    """The month a sponsorship was just ended from (the redirect after ending says it)."""
    try:
        return Month.parse(text[:7]) if text else None
    except ValueError:
        return None


SEARCH = Depends(Requires(Permission.MEMBER_SEARCH))


@router.get("/cari", response_class=HTMLResponse, include_in_schema=False, dependencies=[SEARCH])
def search_form(request: Request) -> HTMLResponse:
    return web_state(request).renderer.render(
        request, "search.html", {"query": "", "hits": [], "problem": "", "searched": False}
    )


@router.post("/cari", response_class=HTMLResponse, include_in_schema=False, dependencies=[SEARCH])
async def search(request: Request) -> HTMLResponse:
    container = container_of(request)
    form = await request.form()
    q = form.get("q")
    q = q if isinstance(q, str) else ""
    query = " ".join(q[:MAX_QUERY].split())
    compact = query.replace(" ", "").replace("-", "")
    problem = ""
    hits: list[Hit] = []
    searched = False
    if not query:
        problem = "empty"
    elif compact.isdigit() and len(compact) not in (NIK_LENGTH, KPJ_LENGTH):
        problem = "digits"  # a number that is neither a NIK nor a KPJ
    elif not compact.isdigit() and len(query) < MIN_NAME_QUERY:
        problem = "short"
    else:
        searched = True
        hits = [
            Hit(m, mask_kpj(m.kpj), container.regions.village(m.region_code))
            for m in container.registry.find_members(current_actor(request), query)
        ]
    return web_state(request).renderer.render(
        request,
        "search.html",
        {"query": query, "hits": hits, "problem": problem, "searched": searched},
    )
