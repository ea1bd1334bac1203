"""`sertakan notifications deliver` and `sertakan notifications pending`: the delivery worker
of the outbox, and what waits in it.

Several workers may run at once (on PostgreSQL): each claims its own messages, so none is
sent twice (see `notifications.delivery`). Sign-in and consent codes are sent by the request
itself; the worker sends them only if that failed. `sertakan serve` delivers the outbox by
itself every minute (`http.background`); these commands stay for operators.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from time import sleep
from typing import TYPE_CHECKING, Annotated

import typer
from rich.logging import RichHandler
from rich.table import Table

from sertakan.cli.common import console, err, open_container
from sertakan.notifications.delivery import DeliveryReport

if TYPE_CHECKING:
    from sertakan.bootstrap import Container
    from sertakan.notifications.delivery import Deliverer

notifications_app = typer.Typer(help="Messages to phones: the outbox.", no_args_is_help=True)


def deliverer_for(container: Container) -> Deliverer:
    """The worker over the container's database, provider and clock (built by bootstrap)."""
    return container.delivery


@notifications_app.command("deliver")
def deliver(
    limit: Annotated[int, typer.Option(min=1, help="Most messages to try in one run")] = 500,
    loop: Annotated[
        bool, typer.Option("--loop", help="Keep delivering until stopped (Ctrl-C)")
    ] = False,
    interval: Annotated[
        float, typer.Option(min=0.1, help="Seconds between runs with --loop when idle")
    ] = 5.0,
) -> None:
    """Send the messages that are due, through the configured provider, and say how it went."""
    container = open_container()
    deliverer = deliverer_for(container)
    with _logs_to_stderr():
        if not loop:
            console.print(_summary(deliverer.deliver_due(limit)))
            return
        console.print(f"Delivering every {interval:g} s; Ctrl-C stops.")
        try:
            while True:
                report = deliverer.deliver_due(limit)
                if report != DeliveryReport():
                    console.print(_summary(report))
                # A full run suggests more is waiting: go again at once.
                if report.sent + report.failed + report.gave_up < limit:
                    sleep(interval)
        except KeyboardInterrupt:
            console.print("Stopped.")


@notifications_app.command("pending")
def pending() -> None:
    """Count what waits in the outbox, per template: due now, retrying, given up."""
    counts = open_container().delivery.pending()
    if not counts:
        console.print("Nothing waits in the outbox.")
        return
    table = Table("Template", "Pending", "Due now", "Retrying", "Gave up", title="Outbox")
    for row in counts:
        table.add_row(
            row.template, str(row.pending), str(row.due), str(row.retrying), str(row.gave_up)
        )
    console.print(table)


@contextmanager
def _logs_to_stderr() -> Iterator[None]:
    """Show the worker's log while it runs: each refusal, and what the console provider
    "sends" (phones masked; the console provider is for a laptop, see its docstring)."""
    logger = logging.getLogger("sertakan")
    handler = RichHandler(console=err, show_path=False)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _summary(report: DeliveryReport) -> str:
    gave_up = f"[red]{report.gave_up}[/red]" if report.gave_up else "0"
    failed = f"[yellow]{report.failed}[/yellow]" if report.failed else "0"
    return f"Sent {report.sent}, failed {failed} (to retry), gave up {gave_up}."
