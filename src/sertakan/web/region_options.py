"""`GET /wilayah`: the <option>s of one level of the region picker, loaded with htmx.

`/wilayah?induk=32.71&tingkat=kecamatan` answers the districts of Kota Bogor. The picker's
selects send their own value under their own name instead (`?provinsi=32&tingkat=kabupaten`),
which needs no script. Levels below the one answered are emptied (htmx out-of-band swaps), so
a village of the previous regency can never stay chosen.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from sertakan.access.permissions import Permission
from sertakan.http.auth import Requires
from sertakan.web.region_picker import LEVELS, Level
from sertakan.web.state import web_state

router = APIRouter(dependencies=[Depends(Requires(Permission.PUBLIC))])


@router.get("/wilayah", response_class=HTMLResponse, include_in_schema=False)
def region_options(request: Request) -> HTMLResponse:
    state = web_state(request)
    params = request.query_params
    try:
        level = Level(params.get("tingkat", ""))
    except ValueError:
        level = None
    parent_code = params.get("induk")
    if level is None and parent_code is not None:
        level = _level_below(parent_code)
    if level is None or level is Level.PROVINCE:
        level = Level.PROVINCE
        parent_code = ""
    elif parent_code is None:
        parent_code = params.get(LEVELS[level.depth - 2].value, "")
    options = state.regions.options(level, parent_code.strip()[:20])
    emptied = LEVELS[level.depth :]
    return state.renderer.render(
        request,
        "partials/region_options.html",
        {"level": level, "options": options, "selected": "", "emptied": emptied},
    )


def _level_below(parent_code: str) -> Level | None:
    depth = parent_code.strip().count(".") + 2 if parent_code.strip() else 1
    return LEVELS[depth - 1] if depth <= len(LEVELS) else None
