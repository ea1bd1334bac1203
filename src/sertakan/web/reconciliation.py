"""`/rekonsiliasi`: the reconciliation runs against the gateway's settlement files, for staff.

A run is made at the console (`sertakan payments reconcile`); these pages show every run,
newest first, and one run's rows with the flagged ones first (unreadable lines, amounts that
differ, notices missing from the file, payments never notified), and download them as CSV.
The rows hold invoice numbers and amounts, no personal data; the gateway's file covers every
branch, so the list is not cut to the reader's branch.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from sertakan.access.permissions import Permission
from sertakan.access.roles import Role
from sertakan.billing.model import NoticeOutcome
from sertakan.billing.reconciliation import (
    ReconciliationRun,
    ReconciliationService,
    ReconciliationStatus,
    report_csv,
)
from sertakan.http.auth import Requires, current_actor
from sertakan.web.error_pages import N_
from sertakan.web.state import container_of, web_state

router = APIRouter(dependencies=[Depends(Requires(Permission.PAYMENT_REVIEW))])
PAGE_SIZE = 50
MAX_PAGE = 10_000
MAX_ROWS_SHOWN = 2_000  # more: the CSV download

OUTCOME_ID = {
    NoticeOutcome.PENDING: N_("Belum diterapkan"),
    NoticeOutcome.APPLIED: N_("Diterapkan"),
    NoticeOutcome.SUSPENSE: N_("Masuk suspense"),
    NoticeOutcome.REJECTED: N_("Ditolak"),
}


@dataclass(frozen=True, slots=True)
class RunView:
    run: ReconciliationRun
    actor_label: str

    @property
    def total(self) -> int:
        return sum(self.run.count(status) for status in ReconciliationStatus)


def _service(request: Request) -> ReconciliationService:
    return container_of(request).reconciliation


def _view(run: ReconciliationRun) -> RunView:
    try:
        who = Role(run.actor_role).label_id
    except ValueError:
        who = run.actor_role
    return RunView(run, who)


@router.get("/rekonsiliasi", response_class=HTMLResponse, include_in_schema=False)
def runs_page(request: Request, halaman: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1) -> Response:
    runs = _service(request).runs(
        current_actor(request), limit=PAGE_SIZE + 1, offset=(halaman - 1) * PAGE_SIZE
    )
    return web_state(request).renderer.render(
        request,
        "reconciliation.html",
        {
            "detail": None,
            "runs": [_view(run) for run in runs[:PAGE_SIZE]],
            "page": halaman,
            "has_next": len(runs) > PAGE_SIZE,
            "statuses": list(ReconciliationStatus),
        },
    )


@router.get("/rekonsiliasi/{run_id}", response_class=HTMLResponse, include_in_schema=False)
def run_page(request: Request, run_id: str) -> Response:
    report = _service(request).report(current_actor(request), run_id, limit=MAX_ROWS_SHOWN)
    assert report.run is not None
    view = _view(report.run)
    return web_state(request).renderer.render(
        request,
        "reconciliation.html",
        {
            "detail": view,
            "rows": report.rows,
            "truncated": view.total > len(report.rows),
            "statuses": list(ReconciliationStatus),
            "outcomes": OUTCOME_ID,
        },
    )


@router.get("/rekonsiliasi/{run_id}/unduh.csv", include_in_schema=False)
def run_csv(request: Request, run_id: str) -> Response:
    report = _service(request).report(current_actor(request), run_id)
    day: dt.date = report.day
    return Response(
        report_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="rekonsiliasi-{day}-{run_id[:8]}.csv"'
        },
    )
