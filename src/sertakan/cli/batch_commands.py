"""`sertakan synth ...` and `sertakan billing ...`: the national-scale batch jobs, with Rich.

    sertakan synth population --members 1000000 --seed 2024 --out var/nation
    sertakan billing run --month 2024-03 --engine duckdb --members var/nation
    sertakan billing run --month 2024-03 --engine spark            # members from the database

The work is done in `sertakan.analytics` (the nation: `synthetic_nation`; the run:
`billing_run`); this module parses options, draws progress bars (parts, members, members per
second) and prints the summary. Under `spark-submit`, run this file itself (see README,
"National scale"): it is the same command line.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from sertakan.cli.billing_issue import billing_issue
from sertakan.cli.common import console, err, reported
from sertakan.cli.render import rupiah
from sertakan.kernel.periods import Month

if TYPE_CHECKING:  # imported when a command runs: Ibis takes a second to import
    from sertakan.analytics.billing_run import BillingSummary, ChunkResult

synth_app = typer.Typer(help="Synthetic data at national scale.", no_args_is_help=True)
billing_app = typer.Typer(help="The monthly billing run (batch).", no_args_is_help=True)
billing_app.command("issue")(billing_issue)  # the month's invoices in the database


def _month(text: str, option: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError:
        err.print(f"[red]error:[/red] {option}: expected a month as YYYY-MM, got {text!r}")
        raise typer.Exit(2) from None


class _Rate(ProgressColumn):
    """Members per second since the bar started (parts finish seconds apart)."""

    def render(self, task: Task) -> Text:
        elapsed = task.finished_time if task.finished else task.elapsed
        if not elapsed or not task.completed:
            return Text("… members/s", style="cyan")
        return Text(f"{task.completed / elapsed:,.0f} members/s", style="cyan")


def _bars() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _Rate(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
    )


# --- synth -------------------------------------------------------------------------------------


@synth_app.command("population")
def synth_population(
    out: Annotated[Path, typer.Option(help="Folder to write (members/, payments/, manifest)")],
    members: Annotated[int, typer.Option(help="How many members")] = 1_000_000,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same bytes")] = 2024,
    dirty_share: Annotated[
        float, typer.Option(help="Share of rows broken on purpose (refused by billing)")
    ] = 0.0005,
    history_months: Annotated[int, typer.Option(help="Months of payment history")] = 24,
    until: Annotated[str, typer.Option(help="Last month of the history, YYYY-MM")] = "2024-12",
    jobs: Annotated[int, typer.Option(help="Worker processes (parts in parallel)")] = 1,
) -> None:
    """Write a synthetic nation of BPU members and their payments as Parquet, part by part."""
    from sertakan.analytics.region_tables import region_directory
    from sertakan.analytics.synthetic_nation import NationOptions, PartReport, generate_nation
    from sertakan.config import Settings
    from sertakan.regulation.loader import load_parameters

    options = NationOptions(
        members=members,
        seed=seed,
        dirty_share=dirty_share,
        history_months=history_months,
        until=_month(until, "--until"),
    )
    with reported(), _bars() as bars:
        directory = region_directory(Settings().regions_dir)
        task = bars.add_task("members", total=members)

        def advance(report: PartReport) -> None:
            bars.advance(task, report.members)

        manifest = generate_nation(
            out,
            options,
            directory=directory,
            params=load_parameters(),
            jobs=jobs,
            on_part=advance,
        )
    counts = manifest["row_counts"]
    history = manifest["history"]
    console.print(
        f"Wrote {counts['members']:,} members ({counts['dirty_members']:,} dirty on purpose) "
        f"and {counts['payments']:,} payments, {history['first_month']} to "
        f"{history['last_month']}, in {len(manifest['parts'])} part(s) under {out}"
    )


# --- billing ------------------------------------------------------------------------------------


@billing_app.command("run")
def billing_run(
    month: Annotated[str, typer.Option(help="Contribution month, YYYY-MM")],
    engine: Annotated[str, typer.Option(help="duckdb or spark")] = "duckdb",
    members: Annotated[
        Path | None,
        typer.Option(help="Members as Parquet (a nation folder); default: the database"),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default var/billing/<month>)")
    ] = None,
    to_db: Annotated[
        bool, typer.Option("--to-db", help="Also write the invoices into the database")
    ] = False,
    spark_master: Annotated[
        str, typer.Option(help="Spark master when not under spark-submit")
    ] = "local[2]",
) -> None:
    """Bill a month: every member's JKK, JKM and JHT, with refusals and their reasons."""
    from sertakan.analytics.billing_input import database_snapshot
    from sertakan.analytics.billing_run import (
        BillingRequest,
        BillingRunError,
        member_parts,
        run_billing,
    )
    from sertakan.analytics.engines import ENGINES, open_engine
    from sertakan.bootstrap import bootstrap
    from sertakan.config import Settings

    billed_month = _month(month, "--month")
    if engine not in ENGINES:
        err.print(f"[red]error:[/red] --engine: choose one of {', '.join(ENGINES)}, not {engine!r}")
        raise typer.Exit(2)
    target = out or Path(Settings().data_dir) / "billing" / str(billed_month)
    with reported():
        container = bootstrap()
        database = container.database
        if to_db and not database.has_contributions_table():
            raise BillingRunError(
                "the database has no member_contributions table: run `sertakan db upgrade`"
            )
        if members is not None:
            parts = member_parts(members)
        else:
            err.print("Reading the members from the database ...")
            parts = database_snapshot(
                database.member_batches,
                billed_month,
                target / "members-snapshot",
            )
        batch = open_engine(engine, spark_master=spark_master)
        try:
            with _bars() as bars:
                summary = run_billing(
                    BillingRequest(
                        billed_month,
                        parts,
                        target,
                        write_contributions=database.write_contributions if to_db else None,
                    ),
                    batch,
                    params=container.params,
                    directory=container.regions,
                    progress=_BarProgress(bars),
                    clock=lambda: dt.datetime.now(dt.UTC),
                )
        finally:
            batch.close()
    _print_summary(summary, target)


class _BarProgress:
    def __init__(self, bars: Progress) -> None:
        self.bars = bars
        self.task = bars.add_task("members", total=None)

    def started(self, members: int, chunks: int) -> None:
        self.bars.update(self.task, total=members, description=f"members ({chunks} parts)")

    def chunk_done(self, result: ChunkResult) -> None:
        self.bars.advance(self.task, result.members)


def _print_summary(summary: BillingSummary, target: Path) -> None:
    console.print(
        f"[bold]Billing run {summary.month}[/bold] on {summary.engine}: "
        f"{summary.members:,} members in {summary.chunks} part(s), "
        f"{summary.chunks_skipped} of them done by an earlier run; "
        f"{summary.members_billed_now:,} read in {summary.seconds:,.1f} s "
        f"({summary.members_per_second:,.0f} members/s)"
    )
    totals = Table("Billed", "Amount", title=f"Members billed: {summary.billed:,}")
    labels = {
        "jkk": "JKK",
        "jkm": "JKM",
        "jht": "JHT",
        "discount": "PP 50/2025 discount (already off)",
        "total": "Total",
    }
    for key, label in labels.items():
        totals.add_row(label, rupiah(summary.totals[key]))
    console.print(totals)
    console.print(
        f"Not enrolled yet in {summary.month} (nothing owed): {summary.not_yet_enrolled:,}"
    )
    if summary.reasons:
        rejected = Table("Rejected: reason", "Members", title=f"Rejected: {summary.rejected:,}")
        for reason, count in sorted(summary.reasons.items(), key=lambda item: -item[1]):
            rejected.add_row(reason, f"{count:,}")
        console.print(rejected)
    else:
        console.print("Rejected: 0")
    if summary.stored:
        console.print(f"Stored in the database: {summary.stored:,} new rows")
    console.print(f"Invoices and rejects: {target / 'chunks'}")


def main() -> None:
    """For `spark-submit .../batch_commands.py billing run ...` (the same options)."""
    app = typer.Typer(no_args_is_help=True)
    app.add_typer(synth_app, name="synth")
    app.add_typer(billing_app, name="billing")
    app()


if __name__ == "__main__":
    main()
