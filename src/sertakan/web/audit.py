"""`/audit`: the auditor reads the audit trail, a day range at a time, and downloads it as CSV.

Reading the trail is itself audited (`AuditTrail.events`). The range is in the query string:
dates are no personal data, and the snapshots shown never hold a full NIK.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from sertakan.access.permissions import Permission
from sertakan.audit.rows import COLUMNS, event_row
from sertakan.http.auth import Requires, current_actor
from sertakan.kernel.errors import RuleViolation
from sertakan.web.error_pages import render_error
from sertakan.web.state import container_of, web_state

router = APIRouter(dependencies=[Depends(Requires(Permission.AUDIT_READ))])
PAGE_SIZE = 100
MAX_PAGE = 100_000
MAX_DOWNLOAD = 1_000_000  # larger ranges: `sertakan audit export`, which streams to a file


def _range(
    request: Request, dari: dt.date | None, sampai: dt.date | None
) -> tuple[dt.date, dt.date]:
    today = container_of(request).clock.today()
    last = sampai or today
    return (dari or last - dt.timedelta(days=6)), last


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(
    request: Request,
    dari: Annotated[dt.date | None, Query()] = None,
    sampai: Annotated[dt.date | None, Query()] = None,
    halaman: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    first, last = _range(request, dari, sampai)
    trail = container_of(request).audit
    try:
        events = list(
            trail.events(
                current_actor(request),
                first,
                last,
                limit=PAGE_SIZE + 1,
                offset=(halaman - 1) * PAGE_SIZE,
            )
        )
    except RuleViolation as error:
        return render_error(request, 422, [v.message_id for v in error.violations])
    return web_state(request).renderer.render(
        request,
        "audit.html",
        {
            "rows": [event_row(e) for e in events[:PAGE_SIZE]],
            "first": first,
            "last": last,
            "page": halaman,
            "has_next": len(events) > PAGE_SIZE,
        },
    )


@router.get("/audit/unduh.csv", include_in_schema=False)
def audit_csv(
    request: Request,
    dari: Annotated[dt.date | None, Query()] = None,
    sampai: Annotated[dt.date | None, Query()] = None,
) -> Response:
    first, last = _range(request, dari, sampai)
    events = container_of(request).audit.events(
        current_actor(request), first, last, limit=MAX_DOWNLOAD
    )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for event in events:
        writer.writerow(event_row(event))
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="audit-{first}-{last}.csv"'},
    )
