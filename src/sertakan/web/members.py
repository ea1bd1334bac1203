"""Member (peserta) pages: one member's card, and the branch staff's search.

The member page shows the full KPJ (it is the member's own card) and a masked NIK; the search
results list only a masked KPJ, since a list is read over shoulders at the counter.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

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


@router.get("/peserta/{member_id}", response_class=HTMLResponse, include_in_schema=False)
def member_page(request: Request, member_id: str) -> Response:
    container = container_of(request)
    try:
        card = container.registry.member_card(member_id)
    except MemberNotFound:
        return render_error(request, 404, [N_("Peserta tidak ditemukan")])
    member = card.member
    return web_state(request).renderer.render(
        request,
        "member.html",
        {
            "card": card,
            "member": member,
            "nik_masked": mask_nik(member.nik),
            "occupation": occupation(member.occupation),
            "village": container.regions.village(member.region_code),
            "breakdown": Breakdown.of(card.quote),
        },
    )


@router.get("/cari", response_class=HTMLResponse, include_in_schema=False)
def search(request: Request, q: str = "") -> HTMLResponse:
    container = container_of(request)
    query = " ".join(q[:MAX_QUERY].split())
    compact = query.replace(" ", "").replace("-", "")
    problem = ""
    hits: list[Hit] = []
    searched = False
    if not query:
        problem = "" if "q" not in request.query_params else "empty"
    elif compact.isdigit() and len(compact) not in (NIK_LENGTH, KPJ_LENGTH):
        problem = "digits"  # a number that is neither a NIK nor a KPJ
    elif not compact.isdigit() and len(query) < MIN_NAME_QUERY:
        problem = "short"
    else:
        searched = True
        hits = [
            Hit(m, mask_kpj(m.kpj), container.regions.village(m.region_code))
            for m in container.registry.find_members(query)
        ]
    return web_state(request).renderer.render(
        request,
        "search.html",
        {"query": query, "hits": hits, "problem": problem, "searched": searched},
    )
