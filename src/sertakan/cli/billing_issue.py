"""`sertakan billing issue --month YYYY-MM`: issue a month's invoices (tagihan) in the database.

One invoice per payer (a sponsor for all the workers they pay for, or a self-paying worker),
through `InvoiceService.issue_month`. Idempotent: a month already billed issues nothing again,
so running it twice prints 0 new invoices the second time. Registered in `billing_app`
(`batch_commands`) beside `billing run`, the national batch run that writes Parquet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from sertakan.cli.common import CONSOLE, console, err, open_container, reported
from sertakan.cli.render import rupiah
from sertakan.kernel.periods import Month

if TYPE_CHECKING:
    from sertakan.billing.invoicing import IssueReport


def billing_issue(
    month: Annotated[str, typer.Option(help="Contribution month, YYYY-MM")],
) -> None:
    """Issue a month's invoices, one per payer; a month already billed issues nothing again."""
    try:
        billed = Month.parse(month)
    except ValueError:
        err.print(f"[red]error:[/red] --month: expected a month as YYYY-MM, got {month!r}")
        raise typer.Exit(2) from None
    container = open_container()
    with reported():
        report = container.invoices.issue_month(CONSOLE, billed)
    console.print(issue_table(report))


def issue_table(report: IssueReport) -> Table:
    """What one `issue_month` did, for the console (also printed by `jobs daily`)."""
    table = Table("Invoices", "Count", title=f"Invoices for {report.month}")
    table.add_row("New invoices", f"{report.invoices:,}")
    table.add_row("Lines (members billed now)", f"{report.lines:,}")
    table.add_row("Amount billed now", rupiah(report.amount))
    table.add_row("Already billed (not billed again)", f"{report.already_billed:,}")
    table.add_row("Already paid (prepaid)", f"{report.already_paid:,}")
    table.add_row("Membership ended (not billed)", f"{report.ended:,}")
    refused = sum(report.refused.values())
    table.add_row("Refused", f"{refused:,}")
    for reason, count in sorted(report.refused.items(), key=lambda item: (-item[1], item[0])):
        table.add_row(f"  {reason}", f"{count:,}")
    return table
