"""`sertakan jobs daily [--on DATE]`: the daily billing job, for cron or a systemd timer.

    sertakan jobs daily                  # today, by the container's clock
    sertakan jobs daily --on 2026-12-12  # a given day (a missed day, a demo)

It applies pending payment notices, issues the month's invoices, cancels invoices past the
arrears window, queues the day's reminders and publishes the domain events (`billing.daily`).
Safe to run again the same day or after a crash: the second run prints zeros. The reminders
and receipts it queues are sent by `sertakan notifications deliver`. `sertakan serve` runs
the same job by itself every day (`http.background`); this command stays for operators, cron
and missed days.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from sertakan.cli.billing_issue import issue_table
from sertakan.cli.common import CONSOLE, console, open_container, parse_date, reported

if TYPE_CHECKING:
    from sertakan.billing.daily import DailyReport

jobs_app = typer.Typer(help="Scheduled jobs (run them from cron).", no_args_is_help=True)


@jobs_app.command("daily")
def daily(
    on: Annotated[
        str | None, typer.Option(help="The day to run for, YYYY-MM-DD (default today)")
    ] = None,
) -> None:
    """Apply pending payments, bill the month, cancel the unpayable, queue reminders."""
    from sertakan.http.background import daily_job

    day = parse_date(on, "--on") if on else None
    container = open_container()
    with reported():
        report = daily_job(container, CONSOLE, day)
    print_report(report)


def print_report(report: DailyReport) -> None:
    console.print(f"[bold]Daily job for {report.on.isoformat()}[/bold]")
    applied = ", ".join(f"{outcome.value} {count:,}" for outcome, count in report.notices.items())
    console.print(
        f"1. Pending payment notices applied: {report.notices_applied:,}"
        + (f" ({applied})" if applied else "")
    )
    console.print("2. Invoices issued:")
    console.print(issue_table(report.issued))
    console.print(f"3. Invoices cancelled (past the arrears window): {report.cancelled:,}")
    reminders = report.reminders
    table = Table("Reminder", "Queued", title=f"4. Reminders queued: {reminders.queued:,}")
    table.add_row("Due soon (jatuh tempo segera)", f"{reminders.due_soon:,}")
    table.add_row("Unpaid on the due date (belum dibayar)", f"{reminders.unpaid_on_due:,}")
    table.add_row("Cover ending (perlindungan berakhir)", f"{reminders.cover_ending:,}")
    console.print(table)
    if reminders.already_sent:
        console.print(f"   Queued by another run meanwhile: {reminders.already_sent:,}")
    if reminders.without_phone:
        console.print(f"   No phone to send to (recorded): {reminders.without_phone:,}")
    for reason, count in sorted(reminders.refused.items()):
        console.print(f"   Cover ending not sent, no amount ({reason}): {count:,}")
    events = report.events
    console.print(
        f"5. Domain events published: {events.published:,}"
        + (f" (failed, tried again next run: {events.failed:,})" if events.failed else "")
    )
