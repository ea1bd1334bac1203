"""The "Cakupan" page: progress toward universal coverage, from a precomputed report.

The page never computes over members: it reads the folder `sertakan nation report` (or
`sertakan nation demo`) wrote, `Settings.analytics_dir`, and shows
Indonesia's headline figures, a chart of coverage by province (or by regency inside a province,
``?provinsi=32``), the trend of contributions billed and collected, and the table, with the
table shown downloadable as CSV or Parquet. When no report exists yet the page says, in
Bahasa Indonesia, which command makes one (status 200).

Routes:
    GET /cakupan[?provinsi=NN]                the page
    GET /cakupan/unduh.csv[?provinsi=NN]      the table shown, as CSV
    GET /cakupan/unduh.parquet[?provinsi=NN]  the table shown, as Parquet
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from sertakan.access.permissions import Permission
from sertakan.analytics.nation_charts import (
    BarChart,
    BarItem,
    LineChart,
    Tick,
    bar_chart,
    line_chart,
)
from sertakan.analytics.nation_files import (
    ReportUnreadable,
    province_table,
    read_report,
    regency_table,
    table_bytes,
)
from sertakan.analytics.nation_report import Level, NationReport, NationRow
from sertakan.http.auth import Requires
from sertakan.regulation.standing import standing_rule
from sertakan.web.error_pages import N_, render_error
from sertakan.web.nation_format import (
    format_compact_rupiah,
    format_count,
    format_month,
    format_month_short,
    format_rupiah,
    format_share,
)
from sertakan.web.state import container_of, web_state

# Coverage figures are for branch staff and auditors (docs/permissions.md).
router = APIRouter(dependencies=[Depends(Requires(Permission.COVERAGE_READ))])

PROVINCE_CODE = re.compile(r"[0-9]{2}", re.ASCII)
# Chart drawings in SVG units: the narrow one about one unit per CSS pixel on a 360-pixel
# phone (shown up to 60rem wide, at most 26rem), the wide one in the 60rem column.
NARROW, WIDE = 300.0, 860.0
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}

NO_REPORT = N_("Belum ada laporan cakupan.")
BAD_PROVINCE = N_("Kode provinsi harus dua angka, misalnya 32 untuk Jawa Barat.")
UNKNOWN_PROVINCE = N_("Provinsi ini tidak ada dalam laporan.")
BILLED = N_("Ditagih")
COLLECTED = N_("Terkumpul")
UNKNOWN_REGION = N_("Wilayah tidak dikenal")


@dataclass(frozen=True, slots=True)
class Figures:
    """One region's row, every number already written the reader's way."""

    code: str
    name: str
    href: str | None  # the region's own page (a province's regencies); None for others
    population: str  # "" when unknown
    members: str
    aktif: str
    menunggak: str
    berakhir: str
    menunggu: str
    coverage: str
    billed: str
    collected: str
    collection: str  # collected / billed


@dataclass(frozen=True, slots=True)
class TrendLine:
    month: str
    aktif: str
    billed: str
    collected: str


@router.get("/cakupan", response_class=HTMLResponse, include_in_schema=False)
def nation_page(request: Request, provinsi: str | None = None) -> Response:
    try:
        province = _province_asked(provinsi)
    except _Malformed:
        return render_error(request, 422, [BAD_PROVINCE])
    renderer = web_state(request).renderer
    folder = container_of(request).settings.analytics_dir
    try:
        report = read_report(folder)
        unreadable = ""
    except ReportUnreadable as problem:
        report, unreadable = None, str(problem)
    if report is None:
        return renderer.render(
            request, "nation_missing.html", {"folder": str(folder), "unreadable": unreadable}
        )
    scope = report.national() if province is None else report.province(province)
    if scope is None:
        return render_error(request, 404, [UNKNOWN_PROVINCE])
    lang = renderer.locale(request)
    rows = report.provinces() if province is None else report.regencies(province)
    trend = report.trend(scope.code, scope.level)
    context: dict[str, Any] = {
        "report": report,
        "province": province,
        "scope": _figures(scope, lang, renderer.gettext(request, UNKNOWN_REGION)),
        "raw": scope,
        "rows": [_figures(row, lang, renderer.gettext(request, UNKNOWN_REGION)) for row in rows],
        "as_of_month": format_month(report.as_of_month.first_day, lang),
        "informal": _informal(report, lang) if province is None else None,
        "bars": _bars(rows, lang, linked=province is None),
        "trend_charts": {
            "narrow": _trend_chart(trend, lang, request, width=NARROW),
            "wide": _trend_chart(trend, lang, request, width=WIDE),
        },
        "trend_lines": [_trend_line(row, lang) for row in trend],
        "query": "" if province is None else f"?provinsi={province}",
        "first_month": format_month(report.months[0].first_day, lang),
        "rule": standing_rule(container_of(request).params, report.as_of),
    }
    return renderer.render(request, "nation.html", context)


@router.get("/cakupan/unduh.{file_format}", include_in_schema=False)
def nation_download(request: Request, file_format: str, provinsi: str | None = None) -> Response:
    if file_format not in MEDIA_TYPES:
        return render_error(request, 404, [N_("Halaman tidak ditemukan")])
    try:
        province = _province_asked(provinsi)
    except _Malformed:
        return render_error(request, 422, [BAD_PROVINCE])
    try:
        report = read_report(container_of(request).settings.analytics_dir)
    except ReportUnreadable:
        report = None
    if report is None:
        return render_error(request, 404, [NO_REPORT])
    if province is None:
        table, scope = province_table(report), "provinsi"
    elif report.province(province) is None:
        return render_error(request, 404, [UNKNOWN_PROVINCE])
    else:
        table, scope = regency_table(report, province), f"kabupaten-{province}"
    name = f"cakupan-{report.as_of.isoformat()}-{scope}.{file_format}"
    return Response(
        table_bytes(table, file_format),
        media_type=MEDIA_TYPES[file_format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


class _Malformed(ValueError):
    """`?provinsi=` is not a two-digit code."""


def _province_asked(provinsi: str | None) -> str | None:
    """The province code asked for, or None for the whole country; _Malformed otherwise."""
    if provinsi is None or provinsi.strip() == "":
        return None
    code = provinsi.strip()
    if not PROVINCE_CODE.fullmatch(code):
        raise _Malformed(code)
    return code


def _figures(row: NationRow, lang: str, unknown_name: str) -> Figures:
    linked = row.level == Level.PROVINCE and PROVINCE_CODE.fullmatch(row.code) is not None
    return Figures(
        code=row.code,
        name=row.name or unknown_name,
        href=f"/cakupan?provinsi={row.code}" if linked else None,
        population="" if row.population is None else format_count(row.population, lang),
        members=format_count(row.members, lang),
        aktif=format_count(row.aktif, lang),
        menunggak=format_count(row.menunggak, lang),
        berakhir=format_count(row.berakhir, lang),
        menunggu=format_count(row.menunggu, lang),
        coverage=format_share(row.coverage_share, lang),
        billed=format_rupiah(row.billed, lang),
        collected=format_rupiah(row.collected, lang),
        collection=format_share(row.collection_share, lang),
    )


def _informal(report: NationReport, lang: str) -> dict[str, str]:
    informal = report.informal
    return {
        "share": format_share(report.informal_share, lang),
        "count": format_count(informal.value, lang),
        "month": format_month(informal.as_of.first_day, lang),
        "reference": informal.reference,
        "sources": informal.sources,
    }


def _bars(rows: Sequence[NationRow], lang: str, *, linked: bool) -> dict[str, BarChart]:
    """Coverage share of each region, highest first, in a narrow and a wide layout."""
    ranked = sorted(
        (row for row in rows if row.coverage_share is not None),
        key=lambda row: (-(row.coverage_share or 0.0), row.code),
    )
    items = [
        BarItem(
            label=row.name,
            value=row.coverage_share or 0.0,
            value_text=format_share(row.coverage_share, lang),
            href=f"/cakupan?provinsi={row.code}" if linked else None,
        )
        for row in ranked
    ]
    return {
        "narrow": bar_chart(items, width=NARROW),
        "wide": bar_chart(items, width=WIDE, label_width=230.0),
    }


def _trend_chart(
    trend: Sequence[NationRow], lang: str, request: Request, *, width: float
) -> LineChart:
    renderer = web_state(request).renderer
    months = [
        Tick(
            0.0,
            format_month_short(row.month, lang),
            str(row.month.year) if index == 0 or row.month.month == 1 else "",
        )
        for index, row in enumerate(trend)
    ]

    def titled(amount: int, row: NationRow) -> str:
        return f"{format_month(row.month, lang)}: {format_rupiah(amount, lang)}"

    return line_chart(
        months,
        [
            (
                "billed",
                renderer.gettext(request, BILLED),
                [row.billed for row in trend],
                [titled(row.billed, row) for row in trend],
            ),
            (
                "collected",
                renderer.gettext(request, COLLECTED),
                [row.collected for row in trend],
                [titled(row.collected, row) for row in trend],
            ),
        ],
        tick_text=lambda amount: format_compact_rupiah(amount, lang),
        width=width,
        height=240.0 if width <= NARROW else 300.0,
    )


def _trend_line(row: NationRow, lang: str) -> TrendLine:
    return TrendLine(
        month=format_month(row.month, lang),
        aktif=format_count(row.aktif, lang),
        billed=format_rupiah(row.billed, lang),
        collected=format_rupiah(row.collected, lang),
    )
