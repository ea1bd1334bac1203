"""`sertakan audit export` and `sertakan access matrix`: the audit trail to a file, and the
permission matrix as printed in docs/permissions.md.

The export runs at the server's console and is itself audited (as role "system"). It streams
in pages, so a year of events never sits in memory at once.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sertakan.access.actor import Actor
from sertakan.access.permissions import matrix_markdown
from sertakan.audit.views import COLUMNS, event_row
from sertakan.cli.common import console, open_container, parse_date, reported

if TYPE_CHECKING:
    from sertakan.access.audit_trail import AuditTrail

audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
access_app = typer.Typer(help="Roles and permissions.", no_args_is_help=True)
BATCH = 10_000


@audit_app.command("export")
def audit_export(
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD (WIB)")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD (WIB), inclusive")],
    out: Annotated[Path, typer.Option(help="File to write (.csv or .parquet)")],
    file_format: Annotated[str, typer.Option("--format", help="csv or parquet")] = "csv",
) -> None:
    """Write the audit events of a day range to CSV or Parquet, oldest first."""
    first, last = parse_date(start, "from"), parse_date(end, "to")
    if file_format not in ("csv", "parquet"):
        raise typer.BadParameter("choose csv or parquet", param_hint="--format")
    trail = open_container().audit
    actor = Actor.console("audit-export")
    count = 0
    with reported():
        rows_seen = _pages(trail, actor, first, last)
        if file_format == "csv":
            with out.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=COLUMNS)
                writer.writeheader()
                for rows in rows_seen:
                    writer.writerows(rows)
                    count += len(rows)
        else:
            count = _write_parquet(out, rows_seen)
    console.print(f"{count} audit events from {first} to {last} written to {out}")


def _pages(
    trail: AuditTrail, actor: Actor, first: dt.date, last: dt.date
) -> Iterator[list[dict[str, Any]]]:
    """The events as rows, BATCH at a time, from one read of the trail (audited once)."""
    page: list[dict[str, Any]] = []
    for event in trail.events(actor, first, last):
        page.append(event_row(event))
        if len(page) == BATCH:
            yield page
            page = []
    if page:
        yield page


def _write_parquet(out: Path, pages: Iterator[list[dict[str, Any]]]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(name, pa.string()) for name in COLUMNS])
    count = 0
    with pq.ParquetWriter(out, schema) as writer:
        for rows in pages:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
            count += len(rows)
    if count == 0:  # an empty range still writes a readable file with the columns
        pq.write_table(schema.empty_table(), out)
    return count


@access_app.command("matrix")
def access_matrix() -> None:
    """Print the permission matrix (Markdown), as in docs/permissions.md."""
    typer.echo(matrix_markdown(), nl=False)
