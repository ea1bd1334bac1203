"""`sertakan`: serve the platform, migrate the database, load demo data, quote, enrol, show.

Every command module is imported for `--help`, so none imports a heavy engine (SQLAlchemy,
FastAPI, uvicorn, Ibis, DuckDB, PyArrow, PySpark) at its top: each command imports what it uses
when it runs, and `sertakan --help` answers at once (tests/cli/test_cli_imports.py).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from sertakan.cli.audit_commands import access_app, audit_app
from sertakan.cli.batch_commands import billing_app, synth_app
from sertakan.cli.common import (
    CONSOLE,
    console,
    open_container,
    open_rules,
    parse_date,
    reported,
    show_app_logs,
)
from sertakan.cli.event_commands import events_app
from sertakan.cli.job_commands import jobs_app
from sertakan.cli.nation_commands import nation_app
from sertakan.cli.notification_commands import notifications_app
from sertakan.cli.payment_commands import payments_app
from sertakan.cli.regulation_commands import regulation_app
from sertakan.cli.render import member_panel, pu_table, quote_table
from sertakan.cli.sandbox_commands import sandbox_app

if TYPE_CHECKING:
    from sertakan.kernel.clock import Clock

app = typer.Typer(help="Sertakan: social security for informal workers.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
demo_app = typer.Typer(help="Deterministic demo data.", no_args_is_help=True)
contribution_app = typer.Typer(help="What cover costs, from the regulation.", no_args_is_help=True)
member_app = typer.Typer(help="Members (peserta).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(contribution_app, name="contribution")
app.add_typer(member_app, name="member")
app.add_typer(synth_app, name="synth")
app.add_typer(billing_app, name="billing")
app.add_typer(nation_app, name="nation")
# The old name of the same commands, for scripts and the Makefile written before (issue 13).
app.add_typer(nation_app, name="coverage", hidden=True)
app.add_typer(jobs_app, name="jobs")
app.add_typer(payments_app, name="payments")
app.add_typer(notifications_app, name="notifications")
app.add_typer(events_app, name="events")
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(audit_app, name="audit")
app.add_typer(access_app, name="access")
app.add_typer(regulation_app, name="regulation")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
) -> None:
    """Serve the web app and API (Ctrl-C stops it), delivering the outbox and running the
    daily job in the background unless SERTAKAN_SCHEDULER=false."""
    import uvicorn

    from sertakan.app import create_app
    from sertakan.config import serving_settings

    container = open_container(serving_settings(host, port))
    scheduler = container.settings.scheduler
    application = create_app(container, background_jobs=scheduler)
    show_app_logs()
    console.print(f"Sertakan at [bold]http://{host}:{port}[/bold] (API docs at /docs)")
    if scheduler:
        at = container.settings.daily_job_at.strftime("%H:%M")
        console.print(
            f"Outbox delivered every {container.settings.outbox_interval_seconds:g} s; daily job "
            f"at {at} WIB and at start-up (SERTAKAN_SCHEDULER=false turns both off)."
        )
    # No `server: uvicorn` banner: it only tells an attacker what to look up (OWASP HTTP
    # Headers Cheat Sheet, "Server").
    # httptools and uvloop where installed (`auto`), unless the settings name one.
    settings = container.settings
    uvicorn.run(
        application,
        host=host,
        port=port,
        log_level="info",
        server_header=False,
        http=settings.http,
        loop=settings.event_loop,
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration to the configured database (SQLite by default)."""
    database = open_container().database
    revision = database.upgrade()
    console.print(f"Database {database.url} at revision {revision}")


@demo_app.command("load")
def demo_load(
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when members already exist")
    ] = False,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same data")] = 2024,
) -> None:
    """Load the Bogor Kota branch demo: sponsors, workers, sponsorships, this month's invoices
    (most paid through the sandbox gateway) and two payments in suspense."""
    from sertakan.demo import load_demo
    from sertakan.demo_billing import load_demo_billing

    container = open_container()
    if if_empty and container.registry.count_members() > 0:
        console.print("Demo data already loaded; keeping the existing data.")
        return
    with reported():
        summary = load_demo(container, seed=seed)
        billing = load_demo_billing(container, seed=seed)
    console.print(
        f"Loaded {summary.sponsors} sponsors and {summary.members} workers "
        f"({summary.sponsored} sponsored) for the {summary.branch} branch."
    )
    console.print(
        f"Invoices this month: {billing.invoices}, {billing.paid} paid through the sandbox "
        f"gateway; {billing.ahead} members paid 3 months ahead; {billing.suspense} payments "
        "in suspense."
    )


@demo_app.command("logins")
def demo_logins() -> None:
    """Print one demo login per role (phone sign-ins: the code appears in the server's log)."""
    from sertakan.demo import demo_logins as logins

    table = Table("Peran", "Cara masuk", title="Demo logins")
    for login in logins(open_container()):
        table.add_row(login.role.label_id, login.how)
    console.print(table)


@contribution_app.command("bpu")
def contribution_bpu(
    income: Annotated[int, typer.Option(help="Declared monthly income, rupiah")],
    programs: Annotated[str, typer.Option(help="JKK,JKM or JKK,JKM,JHT")] = "JKK,JKM",
    on: Annotated[str | None, typer.Option(help="Date YYYY-MM-DD (default today)")] = None,
    sector: Annotated[str, typer.Option(help="transport or other")] = "other",
    publicly_funded: Annotated[bool, typer.Option(help="Paid from APBN/APBD")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON like the API")] = False,
) -> None:
    """A BPU worker's monthly contribution, part by part, with the law behind each part."""
    from sertakan.regulation.contributions import quote_bpu, quote_date_in_horizon

    params, clock = open_rules()
    with reported():
        day = _date(on, clock)
        quote_date_in_horizon(params, day, clock.today())
        quote = quote_bpu(
            params,
            declared_income=income,
            on=day,
            programs=tuple(p.strip().upper() for p in programs.split(",") if p.strip()),
            sector=sector,
            publicly_funded=publicly_funded,
        )
    if as_json:
        from sertakan.api.schemas import BpuQuoteRead  # pydantic models: only for JSON

        _print_json(BpuQuoteRead.of(quote).model_dump(mode="json"))
    else:
        console.print(quote_table(quote))


@contribution_app.command("pu")
def contribution_pu(
    wage: Annotated[int, typer.Option(help="Monthly wage, rupiah")],
    risk_class: Annotated[str, typer.Option(help="very_low|low|medium|high|very_high")],
    on: Annotated[str | None, typer.Option(help="Date YYYY-MM-DD (default today)")] = None,
    in_jkp: Annotated[bool, typer.Option(help="Registered in JKP")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON like the API")] = False,
) -> None:
    """A wage earner's contributions: employer and worker shares per programme."""
    from sertakan.regulation.contributions import quote_pu

    params, clock = open_rules()
    with reported():
        quote = quote_pu(
            params,
            wage=wage,
            risk_class=risk_class,
            on=_date(on, clock),
            in_jkp=in_jkp,
        )
    if as_json:
        from sertakan.api.schemas import PuQuoteRead  # pydantic models: only for JSON

        _print_json(PuQuoteRead.of(quote).model_dump(mode="json"))
    else:
        console.print(pu_table(quote))


@member_app.command("enrol")
def member_enrol(
    nik: Annotated[str, typer.Option(help="16-digit NIK")],
    name: Annotated[str, typer.Option(help="Full name")],
    birth_date: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    sex: Annotated[str, typer.Option(help="M or F")],
    phone: Annotated[str, typer.Option(help="Indonesian mobile number")],
    region: Annotated[str, typer.Option(help="Village code, e.g. 32.71.01.1001")],
    occupation: Annotated[str, typer.Option(help="Occupation code, e.g. household_helper")],
    income: Annotated[int, typer.Option(help="Declared monthly income, rupiah")],
    programs: Annotated[str, typer.Option(help="JKK,JKM or JKK,JKM,JHT")] = "JKK,JKM",
    address: Annotated[str, typer.Option(help="Street address")] = "",
    sponsor: Annotated[str | None, typer.Option(help="Sponsor id, if someone pays")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Enrol a worker and print the KPJ number and monthly contribution."""
    from sertakan.registry.service import EnrolmentApplication
    from sertakan.regulation.standing import MembershipStatus

    container = open_container()
    with reported():
        card = container.registry.enrol_member(
            CONSOLE,
            EnrolmentApplication(
                nik=nik,
                full_name=name,
                birth_date=parse_date(birth_date, "birth_date"),
                sex=sex.upper(),
                phone=phone,
                region_code=region,
                address=address,
                occupation=occupation,
                declared_income=income,
                programs=tuple(p.strip().upper() for p in programs.split(",") if p.strip()),
                sponsor_id=sponsor,
            ),
        )
    # Enrolled just now: nothing is paid yet (cover starts at the first payment, policy P4).
    status = MembershipStatus.MENUNGGU
    if as_json:
        from sertakan.api.schemas import MemberRead  # pydantic models: only for JSON

        _print_json(MemberRead.of(card, status).model_dump(mode="json"))
    else:
        console.print(member_panel(card, container, status))


@member_app.command("show")
def member_show(
    key: Annotated[str, typer.Argument(help="KPJ (11 digits), NIK (16 digits) or member id")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show a member: KPJ, programmes, monthly contribution and sponsor."""

    container = open_container()
    registry = container.registry
    with reported():
        hits = registry.find_members(CONSOLE, key) if key.isdigit() else []
        card = registry.member_card(CONSOLE, hits[0].id if hits else key)
        status = container.coverage.member(CONSOLE, card.member.id).status
    if as_json:
        from sertakan.api.schemas import MemberRead  # pydantic models: only for JSON

        _print_json(MemberRead.of(card, status).model_dump(mode="json"))
    else:
        console.print(member_panel(card, container, status))


@member_app.command("find")
def member_find(text: Annotated[str, typer.Argument(help="NIK, KPJ or part of a name")]) -> None:
    """Find members by NIK, KPJ or name."""
    from sertakan.registry.kpj import mask_kpj

    table = Table("KPJ", "Nama", "Wilayah")
    for member in open_container().registry.find_members(CONSOLE, text):
        table.add_row(mask_kpj(member.kpj), member.full_name, member.region_code)
    console.print(table)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _date(text: str | None, clock: Clock) -> dt.date:
    return parse_date(text, "on") if text else clock.today()


def main() -> None:
    app()
