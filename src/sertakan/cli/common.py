"""What every command shares: the consoles, the container, dates, and how an expected error
is told (a clear message and exit code 2, never a traceback)."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

import typer
from rich.console import Console
from rich.markup import escape

from sertakan.access.actor import Actor
from sertakan.cli.render import error_lines
from sertakan.kernel.errors import SertakanError

if TYPE_CHECKING:
    from sertakan.bootstrap import Container
    from sertakan.config import Settings
    from sertakan.kernel.clock import Clock
    from sertakan.regulation.loader import Parameters

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
# The operator at the server's console: may do everything, audited as role "system".
CONSOLE = Actor.console("cli")


@contextmanager
def reported() -> Iterator[None]:
    """Rule violations and other expected errors: a clear message and exit code 2, no trace."""
    try:
        yield
    except SertakanError as error:
        for line in error_lines(error):
            err.print(f"[red]error:[/red] {escape(line)}", soft_wrap=True)
        raise typer.Exit(2) from None


def open_container(settings: Settings | None = None) -> Container:
    """The whole platform (database, gateway, services). Imported here, not at the top: the
    database and web engines take a second to import, and `--help` needs none of them."""
    from sertakan.bootstrap import bootstrap

    with reported():
        container = bootstrap(settings)
    # No scheduler runs at the console: a command's domain events (a payment applied by
    # `payments apply`) are published as soon as its unit of work commits, so the receipts
    # are queued as they were when the payment wrote them itself.
    container.doorbell.listen(lambda: _publish(container))
    return container


def _publish(container: Container) -> None:
    container.publisher.publish()


def open_rules() -> tuple[Parameters, Clock]:
    """The regulation's parameters and the clock, without the database: enough to quote."""
    from sertakan.config import Settings, clock_from
    from sertakan.regulation.loader import load_parameters

    with reported():
        return load_parameters(), clock_from(Settings())


def parse_date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        err.print(f"[red]error:[/red] {field}: expected a date as YYYY-MM-DD, got {escape(text)!r}")
        raise typer.Exit(2) from None


def show_app_logs(stream: TextIO | None = None) -> logging.Handler:
    """Print the platform's own INFO log lines (the console SMS provider's texts, the sandbox
    gateway's notice deliveries) beside uvicorn's: without a handler Python drops INFO."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
    logger = logging.getLogger("sertakan")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return handler
