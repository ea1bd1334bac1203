"""`sertakan payments`: the daily payment jobs at the console.

    sertakan payments apply
    sertakan payments reconcile --date 2026-12-15 --file settlement.csv [--csv-out report.csv]
    sertakan payments report --date 2026-12-15 [--csv-out report.csv]

`apply` applies the notices stored but not applied yet (a crash between the two steps).
`reconcile` reads the gateway's settlement file of one WIB day (`sertakan sandbox settlement`
writes the sandbox's), matches it against the notices received, applies the payments that were
never notified, and stores the run; it prints the counts and the flagged rows, and exits 0 once
the run is stored, whatever it found. A line of the file that cannot be read is printed (line,
column, why) and kept in the report as unreadable; the other lines are still reconciled. A file
that cannot be read at all (not UTF-8, no header) stores nothing and exits 2. `report` prints
the newest stored run of a day.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from sertakan.billing.model import NoticeOutcome
from sertakan.billing.settlement_file import LineError, parse_settlement
from sertakan.cli.common import CONSOLE, console, err, open_container, parse_date, reported
from sertakan.cli.render import rupiah
from sertakan.kernel.clock import WIB
from sertakan.kernel.errors import RuleViolation

if TYPE_CHECKING:  # the services import the regulation and its calendar: when a command runs
    from sertakan.billing.reconciliation import (
        ReconciliationReport,
        ReconciliationRow,
        ReconciliationService,
    )
    from sertakan.bootstrap import Container

payments_app = typer.Typer(
    help="Payments: apply stored notices, reconcile the gateway's settlement file.",
    no_args_is_help=True,
)

Day = Annotated[str, typer.Option("--date", help="WIB day the payments were made, YYYY-MM-DD")]
CsvOut = Annotated[
    Path | None, typer.Option("--csv-out", help="Also write the report's rows to this CSV")
]
MAX_SHOWN = 200  # flagged rows printed; the CSV has them all


def reconciliation_service(container: Container) -> ReconciliationService:
    return container.reconciliation


@payments_app.command("apply")
def apply() -> None:
    """Apply every stored notice that is still pending (after a crash between the steps)."""
    container = open_container()
    with reported():
        counts = container.payments.apply_pending()
    if not counts:
        console.print("No pending notices: nothing to apply.")
        return
    table = Table("Outcome", "Notices", title="Pending notices applied")
    for outcome in NoticeOutcome:
        if outcome in counts:
            table.add_row(outcome.value, str(counts[outcome]))
    console.print(table)


@payments_app.command("reconcile")
def reconcile(
    date: Day,
    file: Annotated[Path, typer.Option("--file", help="The gateway's settlement CSV")],
    csv_out: CsvOut = None,
) -> None:
    """Match the gateway's settlement file of a day against the notices received."""
    day = parse_date(date, "--date")
    try:
        content = file.read_bytes()
    except OSError as error:
        err.print(f"[red]error:[/red] --file: cannot read {escape(str(file))}: {error.strerror}")
        raise typer.Exit(2) from None
    try:
        settlement = parse_settlement(content, day)
    except RuleViolation as unreadable:
        for v in unreadable.violations:
            err.print(f"[red]error:[/red] {escape(str(file))}: {escape(v.message)} [{v.rule}]")
            err.print(f"       {escape(v.message_id)}")
        err.print("Nothing was reconciled or stored.")
        raise typer.Exit(2) from None
    container = open_container()
    with reported():
        report = reconciliation_service(container).run(CONSOLE, day, settlement, file.name)
    _print_line_errors(settlement.errors)
    _print_report(report)
    if csv_out is not None:
        _write_csv(report, csv_out)


@payments_app.command("report")
def report(date: Day, csv_out: CsvOut = None) -> None:
    """Print the newest stored reconciliation of a day."""
    day = parse_date(date, "--date")
    container = open_container()
    with reported():
        found = reconciliation_service(container).latest(CONSOLE, day)
    if found is None:
        err.print(f"No reconciliation of {day} yet: run `sertakan payments reconcile`.")
        raise typer.Exit(1)
    _print_report(found)
    if csv_out is not None:
        _write_csv(found, csv_out)


def _print_line_errors(errors: tuple[LineError, ...]) -> None:
    if not errors:
        return
    err.print(
        f"[yellow]{len(errors)} problem(s) in the file; those lines are not applied:[/yellow]"
    )
    for error in errors:
        err.print(f"  {escape(error.describe())} [{error.rule}]")
        err.print(f"  {escape(error.describe_id())}")


def _print_report(report: ReconciliationReport) -> None:
    from sertakan.billing.reconciliation import ReconciliationStatus

    run = report.run
    assert run is not None, "only a stored run is printed"
    console.print(
        f"Reconciliation {run.id} of {run.settlement_date} ({escape(run.gateway)}), "
        f"file {escape(run.file_name)}, run {run.created_at.astimezone(WIB):%Y-%m-%d %H:%M} WIB"
    )
    counts = Table("Status", "Keterangan", "Rows", title="Counts")
    for status in ReconciliationStatus:
        style = "red" if status.is_flagged and run.count(status) else ""
        counts.add_row(status.value, status.label_id, Text(str(run.count(status)), style=style))
    console.print(counts)
    console.print(f"Applied by this run: {run.applied}")
    flagged = [row for row in report.rows if row.status.is_flagged]
    if not flagged:
        console.print("[green]Every payment in the file matches a notice.[/green]")
        return
    # One line per row, not a table: ids and notes stay whole on a narrow terminal.
    console.print(f"Flagged rows ({len(flagged)}):")
    for row in flagged[:MAX_SHOWN]:
        console.print(Text(_flagged_line(row)), soft_wrap=True)
    if len(flagged) > MAX_SHOWN:
        console.print(f"… and {len(flagged) - MAX_SHOWN} more: see --csv-out or the web page.")


def _flagged_line(row: ReconciliationRow) -> str:
    from sertakan.billing.reconciliation import Application

    parts = [
        f"  {row.status.value:<15}",
        f"line {row.line}" if row.line is not None else "not in file",
        row.transaction_id or "?",
        row.invoice_number or "?",
        f"file {_amount(row.file_amount)}",
        f"notice {_amount(row.notice_amount)}",
    ]
    if row.application is not Application.NONE:
        parts.append(f"applied: {row.application.value}")
    if row.note:
        parts.append(f"({row.note})")
    return "  ".join(parts)


def _amount(amount: int | None) -> str:
    return "-" if amount is None else rupiah(amount)


def _write_csv(report: ReconciliationReport, path: Path) -> None:
    from sertakan.billing.reconciliation import report_csv

    try:
        path.write_text(report_csv(report), encoding="utf-8")
    except OSError as error:
        err.print(
            f"[red]error:[/red] --csv-out: cannot write {escape(str(path))}: {error.strerror}"
        )
        raise typer.Exit(2) from None
    console.print(f"Report rows written to {escape(str(path))}")
