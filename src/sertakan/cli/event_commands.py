"""`sertakan events publish` and `sertakan events pending`: the domain events' outbox.

`publish` hands every unpublished event to its handlers (`kernel.events.Publisher`, the
reactions subscribed in `bootstrap.subscribe`, such as a payment's receipt) and says how many
were published and how many failed (those stay, and are tried again by the next run).
`sertakan serve` publishes by itself right after each commit that recorded events, and the
daily job publishes too; these commands stay for operators and cron.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from sertakan.cli.common import console, open_container, reported

events_app = typer.Typer(help="Domain events: publish the outbox.", no_args_is_help=True)


@events_app.command("publish")
def publish(
    limit: Annotated[int, typer.Option(min=1, help="Events read per round")] = 500,
) -> None:
    """Publish the unpublished domain events to their handlers."""
    container = open_container()
    with reported():
        report = container.publisher.publish(limit)
    console.print(f"Published {report.published:,} events; failed {report.failed:,}.")
    for name, count in sorted(report.failures.items()):
        console.print(f"  {name}: {count:,} failed (tried again next run)")


@events_app.command("pending")
def pending() -> None:
    """Count the unpublished events per kind, and how many of them failed before."""
    container = open_container()
    counts = container.publisher.pending()
    if not counts:
        console.print("No event waits to be published.")
        return
    table = Table("Kind", "Unpublished", "Failed before", title="Domain events")
    for kind, (waiting, failed) in sorted(counts.items()):
        table.add_row(kind, f"{waiting:,}", f"{failed:,}")
    console.print(table)
