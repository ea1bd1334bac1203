"""`sertakan billing run`: a month billed part by part, on DuckDB and Spark, once per member,
from Parquet or from the database, surviving kill -9."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from sertakan.analytics.billing_input import database_snapshot
from sertakan.analytics.billing_run import (
    BillingRequest,
    BillingRunError,
    BillingSummary,
    member_parts,
    run_billing,
)
from sertakan.analytics.engines import BatchEngine, DuckDBEngine, SparkEngine
from sertakan.analytics.region_tables import region_directory
from sertakan.analytics.synthetic_nation import NationOptions, generate_nation
from sertakan.cli.app import app
from sertakan.config import Settings
from sertakan.kernel.periods import Month
from sertakan.registry.occupations import occupation
from sertakan.regulation.contributions import quote_bpu
from sertakan.regulation.loader import Parameters, load_parameters
from sertakan.store.engine import make_engine
from sertakan.store.member_contributions import (
    contributions_of_month,
    insert_member_contributions,
)
from sertakan.store.member_export import iter_member_batches
from sertakan.store.migrate import upgrade
from tests.support.builders import a_sponsor, a_worker, open_branch

DECEMBER = Month(2024, 12)  # the nation's last month: every member is enrolled by then
MARCH = Month(2024, 3)
REPO = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def nation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("nation")
    options = NationOptions(members=12_000, seed=3, dirty_share=0.01, chunk_rows=4_000)
    generate_nation(
        out, options, directory=region_directory(Settings().regions_dir), params=load_parameters()
    )
    return out


@pytest.fixture(scope="module")
def duckdb_engine() -> Iterator[DuckDBEngine]:
    engine = DuckDBEngine(threads=2)
    yield engine
    engine.close()


def _bill(
    engine: BatchEngine, nation: Path, out: Path, month: Month, database: Engine | None = None
) -> BillingSummary:
    return run_billing(
        BillingRequest(
            month,
            member_parts(nation),
            out,
            write_contributions=None
            if database is None
            else functools.partial(insert_member_contributions, database),
        ),
        engine,
        params=load_parameters(),
        directory=region_directory(Settings().regions_dir),
    )


def _rows(out: Path, kind: str) -> list[dict[str, Any]]:
    with duckdb.connect() as con:
        files = f"{out}/chunks/*/{kind}/*.parquet"
        rows = con.sql(f"SELECT * FROM '{files}' ORDER BY member_id").to_arrow_table()
    return rows.to_pylist()


def _manifest(nation: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((nation / "manifest.json").read_text())
    return loaded


def _scalar_total(params: Parameters, month: Month, row: dict[str, Any]) -> int:
    return quote_bpu(
        params,
        declared_income=row["declared_income"],
        on=month.first_day,
        programs=row["programs"].split(","),
        sector=occupation(row["occupation"]).sector,
        publicly_funded=row["publicly_funded"],
    ).total


def test_a_month_is_billed_for_every_clean_member_and_every_planted_fault_is_refused(
    nation: Path, duckdb_engine: DuckDBEngine, tmp_path: Path, params: Parameters
) -> None:
    summary = _bill(duckdb_engine, nation, tmp_path, DECEMBER)

    dirty = _manifest(nation)["row_counts"]["dirty_members"]
    assert summary.chunks == 3
    assert summary.members == 12_000
    assert summary.not_yet_enrolled == 0
    assert summary.rejected == dirty > 0
    assert summary.billed == 12_000 - dirty
    invoices = _rows(tmp_path, "invoices")
    assert len({row["member_id"] for row in invoices}) == len(invoices) == summary.billed
    for key in ("jkk", "jkm", "jht", "total"):
        assert summary.totals[key] == sum(row[key] for row in invoices)
    members = {row["member_id"]: row for row in pq.read_table(nation / "members").to_pylist()}
    for row in invoices:  # every invoice, checked against the scalar rule
        assert row["total"] == row["jkk"] + row["jkm"] + row["jht"]
        assert row["total"] == _scalar_total(params, DECEMBER, members[row["member_id"]])
    written = json.loads((tmp_path / "summary.json").read_text())
    assert written["billed"] == summary.billed and written["reasons"] == summary.reasons


def test_refused_rows_go_to_the_rejects_file_with_their_reasons(
    nation: Path, duckdb_engine: DuckDBEngine, tmp_path: Path
) -> None:
    summary = _bill(duckdb_engine, nation, tmp_path, DECEMBER)

    rejects = _rows(tmp_path, "rejects")
    assert len(rejects) == summary.rejected
    reasons = {row["reason"] for row in rejects}
    # Every kind of fault the generator plants is found (one refusal reason each at least).
    assert {
        "bpu.declared_income.minimum",
        "bpu.declared_income.level",
        "region.village_unknown",
        "nik.format",
        "nik.district",
        "nik.birth_date",
        "nik.sex_mismatch",
        "bpu.programs.unknown",
        "bpu.programs.combination",
    } <= reasons
    for row in rejects:
        assert row["reasons"].split(",")[0] == row["reason"]
        assert row["nik"] and row["region_code"] and row["enrolled_on"]  # the row, for a clerk


def test_members_enrolled_after_the_month_owe_nothing_for_it(
    nation: Path, duckdb_engine: DuckDBEngine, tmp_path: Path
) -> None:
    summary = _bill(duckdb_engine, nation, tmp_path, MARCH)

    with duckdb.connect() as con:
        ((later,),) = con.execute(
            f"SELECT count(*) FROM '{nation}/members/*.parquet' "
            "WHERE enrolled_on > DATE '2024-03-31'"
        ).fetchall()
    assert summary.not_yet_enrolled == later > 0
    assert summary.billed + summary.rejected + later == 12_000


@pytest.fixture(scope="module")
def two_parts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Small: each Spark query costs about a second, whatever its size."""
    out = tmp_path_factory.mktemp("two-parts")
    options = NationOptions(members=4_000, seed=5, dirty_share=0.02, chunk_rows=2_000)
    generate_nation(
        out, options, directory=region_directory(Settings().regions_dir), params=load_parameters()
    )
    return out


def test_spark_writes_the_same_invoices_and_rejects_as_duckdb(
    two_parts: Path, duckdb_engine: DuckDBEngine, spark_session: Any, tmp_path: Path
) -> None:
    on_duckdb = _bill(duckdb_engine, two_parts, tmp_path / "duckdb", MARCH)
    on_spark = _bill(SparkEngine(spark_session), two_parts, tmp_path / "spark", MARCH)

    assert on_duckdb.rejected > 0 and on_duckdb.billed > 0

    assert _rows(tmp_path / "spark", "invoices") == _rows(tmp_path / "duckdb", "invoices")
    assert _rows(tmp_path / "spark", "rejects") == _rows(tmp_path / "duckdb", "rejects")
    assert (on_spark.billed, on_spark.totals, on_spark.reasons) == (
        on_duckdb.billed,
        on_duckdb.totals,
        on_duckdb.reasons,
    )


def test_an_output_folder_belongs_to_one_month(
    nation: Path, duckdb_engine: DuckDBEngine, tmp_path: Path
) -> None:
    _bill(duckdb_engine, nation, tmp_path, MARCH)
    with pytest.raises(BillingRunError, match="holds the run of 2024-03"):
        _bill(duckdb_engine, nation, tmp_path, DECEMBER)


# --- kill -9 and start again ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def many_parts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twenty small parts, for a run to die half-way through."""
    out = tmp_path_factory.mktemp("many-parts")
    options = NationOptions(members=9_000, seed=4, dirty_share=0.01, chunk_rows=450)
    generate_nation(
        out, options, directory=region_directory(Settings().regions_dir), params=load_parameters()
    )
    return out


def _migrated_sqlite(path: Path) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def _billing_command(nation: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "sertakan.cli.batch_commands",
        "billing",
        "run",
        "--month",
        str(DECEMBER),
        "--members",
        str(nation),
        "--out",
        str(out),
        "--to-db",
    ]


DIE_BETWEEN_PARTS = "tests.support.bill_then_die"
PARTS_BEFORE_DEATH = 5


def _done_parts(out: Path) -> int:
    return len(list((out / "chunks").glob("part-*/summary.json")))


def test_a_run_killed_with_sigkill_and_started_again_writes_every_invoice_once(
    many_parts: Path, duckdb_engine: DuckDBEngine, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "SERTAKAN_DATABASE_URL": _migrated_sqlite(tmp_path / "run.db")}
    # The run kills itself inside the sixth part (tests/support/bill_then_die.py): five parts
    # done, the sixth written and stored but not marked done, fourteen not begun.
    killed = subprocess.run(
        [
            sys.executable,
            "-m",
            DIE_BETWEEN_PARTS,
            str(PARTS_BEFORE_DEATH),
            *_billing_command(many_parts, out)[3:],
        ],
        env={**env, "PYTHONPATH": os.pathsep.join((str(REPO), str(REPO / "src")))},
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=300,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    done_when_killed = _done_parts(out)
    assert done_when_killed == PARTS_BEFORE_DEATH  # really half-way: some parts done, others not
    assert list((out / "chunks").glob(".tmp-*"))  # the part it died in
    assert not (out / "summary.json").exists()

    again = subprocess.run(
        _billing_command(many_parts, out),
        env=env,
        cwd=REPO,
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert again.returncode == 0, again.stderr.decode()[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["chunks_skipped"] >= done_when_killed
    assert not list((out / "chunks").glob(".tmp-*"))  # the killed run's half-part is gone

    reference = tmp_path / "reference"
    expected = _bill(duckdb_engine, many_parts, reference, DECEMBER)
    invoices = _rows(out, "invoices")
    assert len({row["member_id"] for row in invoices}) == len(invoices) == expected.billed
    assert invoices == _rows(reference, "invoices")
    assert _rows(out, "rejects") == _rows(reference, "rejects")

    database = make_engine(env["SERTAKAN_DATABASE_URL"])
    stored = contributions_of_month(database, DECEMBER)
    database.dispose()
    assert len(stored) == expected.billed  # one row per member: none twice
    by_member = {row["member_id"]: row for row in invoices}
    for row in stored:
        assert row["total"] == by_member[row["member_id"]]["total"]
        assert row["jkk"] == by_member[row["member_id"]]["jkk"]


# --- from the database ----------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def demo_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("SERTAKAN_DATABASE_URL", url)
    monkeypatch.setenv("SERTAKAN_TODAY", "2026-11-25")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    loaded = runner.invoke(app, ["demo", "load"])
    assert loaded.exit_code == 0, loaded.output
    return url


def test_the_database_members_are_billed_and_stored_once_with_the_scalar_amounts(
    demo_database: str, tmp_path: Path, params: Parameters
) -> None:
    out = tmp_path / "out"
    first = runner.invoke(
        app, ["billing", "run", "--month", "2026-11", "--out", str(out), "--to-db"]
    )
    assert first.exit_code == 0, first.output
    assert "Members billed: 320" in first.output
    assert "Stored in the database: 320 new rows" in first.output
    (discount_line,) = [line for line in first.output.splitlines() if "PP 50/2025" in line]
    assert "Rp0 " not in discount_line  # November 2026: the discount was taken off

    database = make_engine(demo_database)
    stored = contributions_of_month(database, Month(2026, 11))
    members = {
        row["member_id"]: row
        for batch in iter_member_batches(database, Month(2026, 11))
        for row in batch.to_pylist()
    }
    database.dispose()
    assert len(stored) == len(members) == 320
    assert sum(1 for row in members.values() if row["sponsor_id"]) > 0
    for row in stored:
        assert row["total"] == _scalar_total(params, Month(2026, 11), members[row["member_id"]])
        assert row["discount"] > 0  # November 2026 is in both PP 50/2025 windows

    again = runner.invoke(
        app, ["billing", "run", "--month", "2026-11", "--out", str(tmp_path / "again"), "--to-db"]
    )
    assert again.exit_code == 0, again.output
    assert "Stored in the database" not in again.output  # nothing new: no row twice


def test_billing_a_month_before_the_rules_is_a_clear_error_not_a_trace(
    nation: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        app,
        ["billing", "run", "--month", "2015-03", "--members", str(nation), "--out", str(tmp_path)],
    )
    assert result.exit_code == 2
    assert "not in the parameters yet" in result.output
    assert "Traceback" not in result.output


def test_the_members_snapshot_of_postgresql_is_billed_like_sqlite(
    fresh_postgres_url: str, duckdb_engine: DuckDBEngine, tmp_path: Path, params: Parameters
) -> None:
    from sertakan.bootstrap import bootstrap
    from sertakan.config import Settings
    from sertakan.demo import load_demo

    container = bootstrap(Settings(database_url=fresh_postgres_url, today="2026-11-25"))
    assert container.engine is not None
    upgrade(container.engine)
    load_demo(container)
    month = Month(2026, 11)

    parts = database_snapshot(
        functools.partial(iter_member_batches, container.engine), month, tmp_path / "snapshot"
    )
    writer = functools.partial(insert_member_contributions, container.engine)
    summary = run_billing(
        BillingRequest(month, parts, tmp_path / "out", write_contributions=writer),
        duckdb_engine,
        params=params,
        directory=container.regions,
    )
    again = run_billing(
        BillingRequest(month, parts, tmp_path / "again", write_contributions=writer),
        duckdb_engine,
        params=params,
        directory=container.regions,
    )
    stored = contributions_of_month(container.engine, month)
    container.engine.dispose()
    assert summary.billed == summary.stored == len(stored) == 320
    assert again.stored == 0


def test_a_sponsor_pays_only_once_the_worker_consented(tmp_path: Path) -> None:
    """Until the worker's consent code is entered, the worker is billed as self-paying."""

    from sertakan.access.roles import Role
    from sertakan.bootstrap import bootstrap
    from sertakan.config import Settings
    from sertakan.notifications.providers import RecordingProvider
    from sertakan.store.migrate import upgrade
    from tests.support.auth import CONSOLE, cheap_hasher, last_code

    provider = RecordingProvider()
    container = bootstrap(
        Settings(database_url=f"sqlite:///{tmp_path / 'c.db'}", today="2026-11-25"),
        hasher=cheap_hasher(),
        provider=provider,
    )
    assert container.engine is not None
    upgrade(container.engine)
    open_branch(container)
    sponsor = container.registry.register_sponsor(
        CONSOLE,
        a_sponsor(address=""),
    )  # fmt: skip
    with container.uow() as uow:
        account = uow.accounts.for_sponsor(sponsor.id)
    assert account is not None and account.role is Role.SPONSOR
    card = container.registry.enrol_member(
        container.access.actor_for(account),
        a_worker(
            full_name="Siti",
            phone="0812-3456-7890",
            programs=("JKK", "JKM"),
            sponsor_id=sponsor.id,
            address="",
        ),
    )
    assert card.sponsorship is not None

    def payer() -> str | None:
        (row,) = [
            r for b in iter_member_batches(container.engine, Month(2026, 11)) for r in b.to_pylist()
        ]  # type: ignore[arg-type]
        sponsor_id: str | None = row["sponsor_id"]
        return sponsor_id

    assert payer() is None
    container.sponsorships.confirm(
        CONSOLE, card.sponsorship.id, last_code(provider, "+6281234567890")
    )
    assert payer() == sponsor.id
    container.engine.dispose()
