"""`sertakan nation`: the national enrolment report ("Cakupan") from a folder of Parquet.

    sertakan nation report --as-of 2024-02-29 --data DIR [--engine duckdb|spark]
                             [--out REPORT_DIR] [--format table|csv|parquet] [--months 12]
    sertakan nation demo [--if-empty] [--members 50000] [--seed 2024]

`report` prints Indonesia's headline figures and a table by province (numbers and rupiah the
Indonesian way, `Rp36.800`), and writes every export (CSV and Parquet by province, regency
and month, plus summary.json) into REPORT_DIR, by default the folder the web page reads
(`Settings.analytics_dir`). `--format csv|parquet` prints the province table in
that format instead of the Rich table, for a pipe. Bad input is a message and exit code 2.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from sertakan.cli.common import console, err, reported
from sertakan.web.nation_format import format_count, format_month, format_rupiah, format_share

if TYPE_CHECKING:  # Ibis, DuckDB and PyArrow: imported when a report runs
    from sertakan.analytics.nation_report import NationReport

nation_app = typer.Typer(
    help="National enrolment report (Cakupan): members, coverage, billed and collected.",
    no_args_is_help=True,
)


LOCALE = "id"  # the terminal speaks Bahasa Indonesia, as the pages do by default


class EngineChoice(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    parquet = "parquet"


@nation_app.command("report")
def report(
    as_of: Annotated[str, typer.Option("--as-of", help="The date judged, YYYY-MM-DD")],
    data: Annotated[Path, typer.Option("--data", help="Folder with members/ and payments/")],
    engine: Annotated[EngineChoice, typer.Option(help="Batch engine")] = EngineChoice.duckdb,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for the exports (default: the web page's report folder)"),
    ] = None,
    output: Annotated[
        OutputFormat,
        typer.Option("--format", help="Print a table, or the province table as CSV/Parquet"),
    ] = OutputFormat.table,
    months: Annotated[int, typer.Option(min=1, max=120, help="Months of trend")] = 12,
) -> None:
    """Coverage by province and regency on a date, with the trend of the months before."""
    from sertakan.analytics.nation_files import (
        province_table,
        table_bytes,
        write_report,
    )
    from sertakan.analytics.nation_report import run_report
    from sertakan.bootstrap import bootstrap

    day = _parse_date(as_of)
    if output is OutputFormat.parquet and sys.stdout.isatty():
        err.print("[red]error:[/red] Parquet is binary: redirect it (> provinces.parquet)")
        raise typer.Exit(2)
    with reported():
        container = bootstrap()
        target = out or container.settings.analytics_dir
        started = time.monotonic()
        built = run_report(
            data,
            as_of=day,
            engine_name=engine.value,
            params=container.params,
            directory=container.regions,
            months=months,
            on_month=lambda month: err.print(f"[dim]{month} ...[/dim]", highlight=False),
        )
        written = write_report(built, target, data=str(data.resolve()), engine=engine.value)
    if output is OutputFormat.table:
        console.print(_headline(built))
        console.print(_province_table(built))
        console.print(
            f"{len(written)} files in [bold]{escape(str(target))}[/bold] "
            f"({engine.value}, {time.monotonic() - started:.1f} s)"
        )
    else:
        sys.stdout.buffer.write(table_bytes(province_table(built), output.value))
        sys.stdout.flush()


@nation_app.command("demo")
def demo(
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when a report already exists")
    ] = False,
    members: Annotated[int, typer.Option(min=1, help="Synthetic members")] = 50_000,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same data")] = 2024,
    out: Annotated[Path | None, typer.Option(help="Report folder (default: the page's)")] = None,
) -> None:
    """A demo for the Cakupan page: a synthetic nation, then its report (for `make run`)."""
    from sertakan.analytics.nation_demo import build_demo
    from sertakan.analytics.nation_files import read_report
    from sertakan.bootstrap import bootstrap

    with reported():
        container = bootstrap()
        target = out or container.settings.analytics_dir
        if if_empty and read_report(target) is not None:
            console.print(f"A national enrolment report is already in {escape(str(target))}; kept.")
            return
        started = time.monotonic()
        summary = build_demo(
            target, params=container.params, directory=container.regions, members=members, seed=seed
        )
    console.print(
        f"Demo national enrolment report as of {summary.as_of.isoformat()}: "
        f"{format_count(summary.members, LOCALE)} synthetic members, "
        f"{format_count(summary.payments, LOCALE)} payments; written to "
        f"{escape(str(target))} in {time.monotonic() - started:.0f} s."
    )


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        err.print(f"[red]error:[/red] as_of: expected a date as YYYY-MM-DD, got {escape(text)!r}")
        raise typer.Exit(2) from None


def _headline(report: NationReport) -> Table:
    nation = report.national()
    month = format_month(report.as_of_month.first_day, LOCALE)
    table = Table(
        title=f"Cakupan Indonesia per {report.as_of.isoformat()}", show_header=False, box=None
    )
    table.add_column(justify="left")
    table.add_column(justify="right")
    table.add_column(justify="left", style="dim")
    informal = report.informal
    rows = [
        ("Peserta terdaftar", format_count(nation.members, LOCALE), ""),
        (
            "Aktif",
            format_count(nation.aktif, LOCALE),
            f"{format_share(nation.coverage_share, LOCALE)} penduduk; "
            f"{format_share(report.informal_share, LOCALE)} dari "
            f"{format_count(informal.value, LOCALE)} pekerja informal "
            f"({informal.reference}, {informal.sources})",
        ),
        ("Menunggak", format_count(nation.menunggak, LOCALE), ""),
        ("Berakhir", format_count(nation.berakhir, LOCALE), ""),
        ("Menunggu pembayaran pertama", format_count(nation.menunggu, LOCALE), ""),
        (f"Tagihan {month}", format_rupiah(nation.billed, LOCALE), ""),
        (
            f"Terkumpul {month}",
            format_rupiah(nation.collected, LOCALE),
            "basis kas: pembayaran yang diterima dalam bulan itu",
        ),
    ]
    for label, value, note in rows:
        table.add_row(label, value, note)
    return table


def _province_table(report: NationReport) -> Table:
    table = Table(title=f"Per provinsi, {format_month(report.as_of_month.first_day, LOCALE)}")
    table.add_column("Kode")
    table.add_column("Provinsi")
    for heading in ("Peserta", "Aktif", "Menunggak", "Berakhir", "Menunggu", "Cakupan"):
        table.add_column(heading, justify="right")
    table.add_column("Tagihan", justify="right")
    table.add_column("Terkumpul", justify="right")
    provinces = report.provinces()
    for row in [*provinces, report.national()]:
        table.add_row(
            row.code if row.level != "nasional" else "",
            row.name or "Wilayah tidak dikenal",
            *(
                format_count(value, LOCALE)
                for value in (row.members, row.aktif, row.menunggak, row.berakhir, row.menunggu)
            ),
            format_share(row.coverage_share, LOCALE),
            format_rupiah(row.billed, LOCALE),
            format_rupiah(row.collected, LOCALE),
            end_section=row is provinces[-1],
        )
    return table
