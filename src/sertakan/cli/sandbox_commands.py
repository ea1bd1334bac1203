"""`sertakan sandbox`: the sandbox payment gateway from the console.

    sertakan sandbox pay REFERENCE [--attempts 8] [--wait 120]
    sertakan sandbox resend REFERENCE
    sertakan sandbox settlement [--date 2026-12-15] [--out settlement.csv]

`pay` pays a pending charge as the payer's page would and sends the notice to the app at
SERTAKAN_PUBLIC_URL (the app must be running there), waiting for the answer; exit code 1 when
the notice could not be delivered (the charge stays paid: `resend` sends it again).
`settlement` writes the gateway's daily settlement file, the charges paid that WIB day, for
`sertakan payments reconcile`. The sandbox's books are SERTAKAN_SANDBOX_DB.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from sertakan.cli.common import console, err, open_container, parse_date, reported
from sertakan.cli.render import rupiah

if TYPE_CHECKING:  # the gateway imports httpx and SQLAlchemy: when a command runs
    from sertakan.bootstrap import Container
    from sertakan.gateways.sandbox import SandboxGateway

sandbox_app = typer.Typer(
    help="The sandbox payment gateway: pay a charge, resend a notice, the settlement file.",
    no_args_is_help=True,
)

Reference = Annotated[str, typer.Argument(help="The charge's reference, SBX-...")]
Attempts = Annotated[int, typer.Option(min=1, max=20, help="Delivery attempts of the notice")]
Wait = Annotated[float, typer.Option(min=0, help="Seconds to wait for the app to answer")]


@sandbox_app.command("pay")
def pay(reference: Reference, attempts: Attempts = 8, wait: Wait = 120.0) -> None:
    """Pay a pending charge and notify the app, as the payer's page does."""
    from sertakan.gateways.sandbox_charges import ChargeStatus

    gateway = _sandbox(open_container(), attempts)
    with reported():
        before = gateway.find(reference)
        if before is not None and before.status is ChargeStatus.PAID:
            console.print(
                f"{escape(reference)} was already paid at {before.paid_at}: nothing sent "
                "(`sertakan sandbox resend` sends its notice again)"
            )
            return
        charge = gateway.pay(reference)
    console.print(
        f"Paid {escape(reference)}: {rupiah(charge.amount)} for {escape(charge.invoice_number)} "
        f"at {charge.paid_at}"
    )
    _report_delivery(gateway, reference, wait)


@sandbox_app.command("resend")
def resend(reference: Reference, attempts: Attempts = 8, wait: Wait = 120.0) -> None:
    """Send a paid charge's notice to the app again."""
    gateway = _sandbox(open_container(), attempts)
    with reported():
        gateway.resend_notice(reference)
    _report_delivery(gateway, reference, wait)


@sandbox_app.command("settlement")
def settlement(
    date: Annotated[
        str | None, typer.Option(help="WIB day the charges were paid, YYYY-MM-DD (yesterday)")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="CSV file (settlement-DAY.csv)")] = None,
) -> None:
    """Write the settlement file of one day: every charge paid that day (WIB)."""
    container = open_container()
    day = parse_date(date, "--date") if date else container.clock.today() - dt.timedelta(days=1)
    path = out or Path(f"settlement-{day.isoformat()}.csv")
    gateway = _sandbox(container, 1)
    try:
        rows = gateway.write_settlement_csv(day, path)
    except OSError as error:
        err.print(f"[red]error:[/red] cannot write {escape(str(path))}: {escape(str(error))}")
        raise typer.Exit(2) from None
    finally:
        gateway.close()
    total = sum(row.amount for row in rows)
    console.print(f"{len(rows)} payments of {day.isoformat()}, {rupiah(total)}, written to {path}")


def _sandbox(container: Container, attempts: int) -> SandboxGateway:
    from sertakan.gateways.notice_sender import RetryPolicy
    from sertakan.gateways.sandbox import SandboxGateway, make_sandbox_gateway

    if not isinstance(container.gateway, SandboxGateway):
        err.print("[red]error:[/red] the configured payment gateway is not the sandbox")
        raise typer.Exit(2)
    return make_sandbox_gateway(
        container.settings, clock=container.clock, retry=RetryPolicy(attempts=attempts)
    )


def _report_delivery(gateway: SandboxGateway, reference: str, wait: float) -> None:
    url = gateway.sender.notify_url
    finished = gateway.flush(wait)
    outcomes = [o for o in gateway.sender.outcomes if o.reference == reference]
    gateway.close()
    if finished and outcomes and all(o.delivered for o in outcomes):
        console.print(f"Notice delivered to {escape(url)} (HTTP {outcomes[-1].status_code})")
        return
    answer = (
        f"HTTP {outcomes[-1].status_code}" if outcomes and outcomes[-1].status_code else "no answer"
    )
    err.print(
        f"[red]error:[/red] the notice was not delivered to {escape(url)} ({answer}); "
        f"the charge stays paid: `sertakan sandbox resend {escape(reference)}` sends it again"
    )
    raise typer.Exit(1)
