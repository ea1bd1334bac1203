"""Benchmark of the monthly billing run, measured on this machine, in one run.

    .venv/bin/python bench/billing_run.py                       # 1,000,000 members
    .venv/bin/python bench/billing_run.py --members 40000000    # the national target

Builds (or reuses, when its manifest matches) a synthetic nation, then measures, each in a
fresh child process so that its peak memory is its own:

  ibis-duckdb   `sertakan billing run` on DuckDB: every part, invoices and rejects written;
  sql-duckdb    the same job as one hand-written DuckDB SQL script per part (the reference
                for what DuckDB itself can do: same checks, arithmetic, outputs and parts);
  scalar        a plain Python loop calling `quote_bpu` per member, on a sample (labelled);
  spark         `sertakan billing run` on PySpark local[2], on the first parts (labelled).

It prints members per second for each, the ratios between them, the peak RSS of each process
and of its children (resource.getrusage; for Spark the JVM is the child), the load average
(the machine may be shared) and the targets of issue 5: 40 million members in at most 120 s
within 6 GiB, Ibis/DuckDB at least 200x the scalar loop and within 1.5x the hand-written SQL.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
GIB = 1024**3


# --- the parent: build, measure each mode in a child, print --------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--month", default="2024-12", help="month to bill (YYYY-MM)")
    parser.add_argument("--nation", type=Path, help="nation folder (default var/bench/...)")
    parser.add_argument("--work", type=Path, help="output folder (default var/bench/runs)")
    parser.add_argument("--jobs", type=int, default=2, help="processes to build the nation")
    parser.add_argument("--sample", type=int, default=50_000, help="members for the scalar loop")
    parser.add_argument("--spark-parts", type=int, default=4, help="parts for the Spark run")
    parser.add_argument("--skip", action="append", default=[], help="a mode not to run")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # child process: one mode
    args = parser.parse_args()
    nation = args.nation or REPO / "var" / "bench" / f"nation-{args.members}-{args.seed}"
    work = args.work or REPO / "var" / "bench" / "runs"
    if args.measure:
        print(json.dumps(_measure(args.measure, nation, work, args)))
        return

    print(f"load average before: {_load()}")
    built = _nation(nation, args)
    print(f"nation: {nation} ({built})")
    results: dict[str, dict[str, Any]] = {}
    for mode in ("scalar", "sql-duckdb", "ibis-duckdb", "spark"):
        if mode in args.skip:
            continue
        command = [sys.executable, __file__, "--measure", mode, *sys.argv[1:]]
        if args.nation is None:
            command += ["--nation", str(nation)]
        if args.work is None:
            command += ["--work", str(work)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"{mode}: FAILED\n{done.stderr[-3000:]}")
            continue
        results[mode] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{mode}: {_line(results[mode])}", flush=True)
    print(f"load average after: {_load()}")
    if {"ibis-duckdb", "sql-duckdb"} <= results.keys():
        print(f"hand SQL and Ibis outputs agree: {_agree(work)}")
    _report(results, args.members)


def _agree(work: Path) -> str:
    """The two DuckDB runs wrote the same invoices and rejects (else the ratio means nothing)."""
    import duckdb

    def figures(invoices: str, rejects: str) -> tuple[Any, ...]:
        with duckdb.connect() as con:
            totals = con.execute(
                f"SELECT count(*), sum(jkk), sum(jkm), sum(jht), sum(discount), sum(total), "
                f"sum(hash(member_id)) FROM '{invoices}'"
            ).fetchall()[0]
            refused = con.execute(
                f"SELECT count(*), sum(hash(member_id, reason, reasons)) FROM '{rejects}'"
            ).fetchall()[0]
        return (*totals, *refused)

    ibis_run = figures(
        f"{work}/ibis-duckdb/chunks/*/invoices/*.parquet",
        f"{work}/ibis-duckdb/chunks/*/rejects/*.parquet",
    )
    sql_run = figures(
        f"{work}/sql-duckdb/*/invoices.parquet", f"{work}/sql-duckdb/*/rejects.parquet"
    )
    return "yes" if ibis_run == sql_run else f"NO: {ibis_run} != {sql_run}"


def _nation(nation: Path, args: argparse.Namespace) -> str:
    sys.path.insert(0, str(REPO / "src"))
    from sertakan.analytics.region_tables import region_directory
    from sertakan.analytics.synthetic_nation import (
        NationOptions,
        generate_nation,
        manifest_matches,
        read_manifest,
    )
    from sertakan.config import Settings
    from sertakan.regulation.loader import load_parameters

    options = NationOptions(members=args.members, seed=args.seed)
    if manifest_matches(read_manifest(nation), options):
        return "reused"
    started = time.perf_counter()
    generate_nation(
        nation,
        options,
        directory=region_directory(Settings().regions_dir),
        params=load_parameters(),
        jobs=args.jobs,
    )
    return f"built in {time.perf_counter() - started:,.1f} s with {args.jobs} process(es)"


def _line(result: dict[str, Any]) -> str:
    return (
        f"{result['members']:,} members in {result['seconds']:,.2f} s = "
        f"{result['rate']:,.0f} members/s; peak RSS {result['rss_self'] / GIB:.2f} GiB "
        f"(children {result['rss_children'] / GIB:.2f} GiB) [{result['label']}]"
    )


def _report(results: dict[str, dict[str, Any]], members: int) -> None:
    rate = {mode: result["rate"] for mode, result in results.items()}
    print("\nratios (members per second)")
    for left, right in (
        ("ibis-duckdb", "scalar"),
        ("ibis-duckdb", "sql-duckdb"),
        ("ibis-duckdb", "spark"),
        ("sql-duckdb", "scalar"),
    ):
        if left in rate and right in rate:
            print(f"  {left} / {right}: {rate[left] / rate[right]:,.2f}x")
    print("\ntargets (issue 5)")
    ibis_run = results.get("ibis-duckdb")
    if ibis_run:
        peak = max(ibis_run["rss_self"], ibis_run["rss_children"])
        if members >= 40_000_000:
            verdict = "met" if ibis_run["seconds"] <= 120 else "NOT met"
            print(f"  40M members in <= 120 s: {ibis_run['seconds']:,.1f} s, {verdict}")
        else:
            projected = 40_000_000 / ibis_run["rate"]
            print(
                f"  40M members in <= 120 s: not measured here (at this rate: ~{projected:,.0f} s)"
            )
        print(
            f"  peak RSS <= 6 GiB: {peak / GIB:.2f} GiB, {'met' if peak <= 6 * GIB else 'NOT met'}"
        )
    if "ibis-duckdb" in rate and "scalar" in rate:
        ratio = rate["ibis-duckdb"] / rate["scalar"]
        print(
            f"  Ibis/DuckDB >= 200x scalar: {ratio:,.0f}x, {'met' if ratio >= 200 else 'NOT met'}"
        )
    if "ibis-duckdb" in rate and "sql-duckdb" in rate:
        slower = rate["sql-duckdb"] / rate["ibis-duckdb"]
        verdict = "met" if slower <= 1.5 else "NOT met"
        print(f"  Ibis/DuckDB within 1.5x of hand SQL: {slower:,.2f}x slower, {verdict}")


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


# --- a child: one mode ---------------------------------------------------------------------------


def _measure(mode: str, nation: Path, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(REPO / "src"))
    from sertakan.kernel.periods import Month

    month = Month.parse(args.month)
    out = work / mode
    if out.exists():
        shutil.rmtree(out)
    if mode == "scalar":
        members, seconds, label = _scalar(nation, month, args.sample)
    elif mode == "sql-duckdb":
        members, seconds, label = _hand_sql(nation, month, out)
    elif mode == "ibis-duckdb":
        members, seconds, label = _ibis(nation, month, out, "duckdb", parts=None)
    else:
        members, seconds, label = _ibis(nation, month, out, "spark", parts=args.spark_parts)
    return {
        "mode": mode,
        "members": members,
        "seconds": seconds,
        "rate": members / seconds,
        "label": label,
        # ru_maxrss is in KiB on Linux. RUSAGE_CHILDREN: the largest waited-for child.
        "rss_self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "rss_children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
    }


def _ibis(
    nation: Path, month: Any, out: Path, engine_name: str, parts: int | None
) -> tuple[int, float, str]:
    from sertakan.analytics.billing_run import BillingRequest, member_parts, run_billing
    from sertakan.analytics.engines import open_engine
    from sertakan.analytics.region_tables import region_directory
    from sertakan.config import Settings
    from sertakan.regulation.loader import load_parameters

    every = member_parts(nation)
    chosen = every if parts is None else every[:parts]
    params, directory = load_parameters(), region_directory(Settings().regions_dir)
    engine = open_engine(engine_name)
    started = time.perf_counter()
    summary = run_billing(
        BillingRequest(month, chosen, out), engine, params=params, directory=directory
    )
    seconds = time.perf_counter() - started
    engine.close()
    if engine_name == "spark":
        _stop_spark()
    label = f"billing run, {len(chosen)} of {len(every)} parts, {summary.billed:,} billed"
    label += f", {summary.rejected:,} rejected"
    if engine_name == "spark":
        label += ", local[2]"
    return summary.members, seconds, label


def _stop_spark() -> None:
    """Stop Spark and wait for its JVM, so that RUSAGE_CHILDREN counts the JVM's memory."""
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    gateway = SparkContext._gateway
    if session is not None:
        session.stop()
    if gateway is not None:
        process = getattr(gateway, "proc", None)
        gateway.shutdown()
        if process is not None:
            process.stdin.close()  # the JVM exits when its stdin closes
            process.wait(timeout=60)


def _scalar(nation: Path, month: Any, sample: int) -> tuple[int, float, str]:
    import pyarrow.parquet as pq

    from sertakan.analytics.billing_run import member_parts
    from sertakan.kernel.errors import RuleViolation
    from sertakan.registry.occupations import occupation
    from sertakan.regulation.contributions import quote_bpu
    from sertakan.regulation.loader import load_parameters

    params = load_parameters()
    table = pq.read_table(member_parts(nation)[0]).slice(0, sample)
    rows = table.to_pylist()  # read before the clock starts: only the rule is timed
    on = month.first_day
    last = month.last_day
    started = time.perf_counter()
    billed = 0
    for row in rows:
        if row["enrolled_on"] > last:
            continue
        try:
            sector = occupation(row["occupation"]).sector
            quote_bpu(
                params,
                declared_income=row["declared_income"],
                on=on,
                programs=row["programs"].split(","),
                sector=sector,
                publicly_funded=row["publicly_funded"],
            )
            billed += 1
        except RuleViolation:
            pass
    seconds = time.perf_counter() - started
    return len(rows), seconds, f"SAMPLE of {len(rows):,} members, quote_bpu per member, no I/O"


def _hand_sql(nation: Path, month: Any, out: Path) -> tuple[int, float, str]:
    import duckdb
    import pyarrow as pa

    from sertakan.analytics.billing_run import member_parts
    from sertakan.analytics.month_rules import month_rules
    from sertakan.analytics.region_tables import region_directory
    from sertakan.config import Settings
    from sertakan.regulation.loader import load_parameters

    rules = month_rules(load_parameters(), month)
    directory = region_directory(Settings().regions_dir)
    started = time.perf_counter()  # like the billing run: from the region tables on
    con = duckdb.connect(config={"memory_limit": "4GB"})
    villages = pa.table({"village_code": pa.array(directory.village_codes, pa.string())})
    districts = pa.table(
        {"nik_district": pa.array(directory.district_codes_all_editions(), pa.string())}
    )
    con.register("villages_arrow", villages)
    con.register("districts_arrow", districts)
    con.execute("CREATE TEMP TABLE villages AS SELECT * FROM villages_arrow")
    con.execute("CREATE TEMP TABLE nik_districts AS SELECT * FROM districts_arrow")
    parts = member_parts(nation)
    members = 0
    for index, part in enumerate(parts):
        folder = out / f"part-{index:05d}"
        folder.mkdir(parents=True)
        con.execute(_decided_sql(part, rules))
        con.execute(
            f"COPY ({_invoices_sql(rules)}) TO '{folder}/invoices.parquet' "
            "(FORMAT parquet, COMPRESSION zstd)"
        )
        con.execute(
            f"COPY ({_rejects_sql()}) TO '{folder}/rejects.parquet' "
            "(FORMAT parquet, COMPRESSION zstd)"
        )
        ((rows,),) = con.execute(f"SELECT count(*) FROM '{part}'").fetchall()
        members += rows
    seconds = time.perf_counter() - started
    return members, seconds, f"hand-written SQL, {len(parts)} parts"


# The same rules as sertakan.analytics.member_checks, written by hand for DuckDB.
_RULES = [
    ("member.member_id.required", "member_id IS NULL"),
    ("member.nik.required", "nik IS NULL"),
    ("member.sex.required", "sex IS NULL"),
    ("member.birth_date.required", "birth_date IS NULL"),
    ("member.region_code.required", "region_code IS NULL"),
    ("member.occupation.required", "occupation IS NULL"),
    ("member.declared_income.required", "declared_income IS NULL"),
    ("member.programs.required", "programs IS NULL"),
    ("member.publicly_funded.required", "publicly_funded IS NULL"),
    ("member.enrolled_on.required", "enrolled_on IS NULL"),
    ("bpu.declared_income.minimum", "declared_income < {minimum}"),
    ("bpu.declared_income.maximum", "declared_income > {maximum}"),
    (
        "bpu.declared_income.level",
        "declared_income BETWEEN {minimum} AND {maximum} "
        "AND (declared_income - {minimum}) % {step} <> 0",
    ),
    ("bpu.programs.unknown", "unknown_program"),
    ("bpu.programs.combination", "NOT unknown_program AND programs_chosen IS NULL"),
    ("occupation.unknown", "occupation NOT IN ({occupations})"),
    ("member.sex", "sex NOT IN ('M', 'F')"),
    ("region.village_unknown", "village_code IS NULL"),
    ("nik.format", "NOT nik_ok"),
    ("nik.district", "nik_ok AND nik_district IS NULL"),
    ("nik.birth_date", "nik_ok AND NOT real_date"),
    ("nik.serial", "nik_ok AND serial_zero"),
    (
        "nik.birth_date_mismatch",
        "parses AND (nik_day <> day(birth_date) OR nik_month <> month(birth_date) "
        "OR nik_yy <> year(birth_date) % 100)",
    ),
    ("nik.sex_mismatch", "parses AND sex <> nik_sex"),
]


def _decided_sql(part: Path, rules: Any) -> str:
    from sertakan.analytics.member_checks import KNOWN_PROGRAMS, OCCUPATIONS, TRANSPORT_OCCUPATIONS

    def quoted(values: tuple[str, ...]) -> str:
        return ", ".join(f"'{value}'" for value in values)

    written = {",".join(c): ",".join(sorted(c)) for c in rules.allowed_programs}
    from_set = " ".join(f"WHEN '{s}' THEN '{w}'" for w, s in written.items())
    conditions = [
        (
            code,
            text.format(
                minimum=rules.income_minimum,
                maximum=rules.income_maximum,
                step=rules.income_step,
                occupations=quoted(OCCUPATIONS),
            ),
        )
        for code, text in _RULES
    ]
    reason = " ".join(f"WHEN {condition} THEN '{code}'" for code, condition in conditions)
    flags = ", ".join(f'({condition}) AS "f_{code}"' for code, condition in conditions)
    return f"""
CREATE OR REPLACE TEMP TABLE decided AS
WITH scoped AS (
    SELECT * FROM read_parquet('{part}')
    WHERE enrolled_on IS NULL OR enrolled_on <= DATE '{rules.month.last_day}'
), joined AS (
    SELECT s.*, v.village_code, d.nik_district,
           coalesce(regexp_full_match(s.nik, '[0-9]{{16}}'), false) AS nik_ok,
           s.programs IN ({quoted(tuple(written))}) AS as_stored,
           s.occupation IN ({quoted(TRANSPORT_OCCUPATIONS)}) AS is_transport
    FROM scoped s
    LEFT JOIN villages v ON v.village_code = s.region_code
    LEFT JOIN nik_districts d ON d.nik_district = substr(s.nik, 1, 6)
), parsed AS (
    SELECT *,
        CASE WHEN as_stored THEN programs ELSE
            CASE array_to_string(list_sort(list_distinct(list_filter(
                list_transform(string_split(upper(programs), ','), lambda c: trim(c)),
                lambda c: c <> ''))), ',') {from_set} END
        END AS programs_chosen,
        CASE WHEN as_stored THEN false ELSE coalesce(len(list_filter(
                list_transform(string_split(upper(programs), ','), lambda c: trim(c)),
                lambda c: c <> '' AND c NOT IN ({quoted(KNOWN_PROGRAMS)}))) > 0, false)
        END AS unknown_program,
        CAST(substr(CASE WHEN nik_ok THEN nik ELSE '0000000000000000' END, 7, 2) AS BIGINT)
            AS day_field,
        CAST(substr(CASE WHEN nik_ok THEN nik ELSE '0000000000000000' END, 9, 2) AS BIGINT)
            AS nik_month,
        CAST(substr(CASE WHEN nik_ok THEN nik ELSE '0000000000000000' END, 11, 2) AS BIGINT)
            AS nik_yy,
        substr(nik, 13, 4) = '0000' AS serial_zero
    FROM joined
), dated AS (
    SELECT *,
        CASE WHEN day_field > 40 THEN day_field - 40 ELSE day_field END AS nik_day,
        CASE WHEN day_field > 40 THEN 'F' ELSE 'M' END AS nik_sex,
        (day_field BETWEEN 1 AND 31 OR day_field BETWEEN 41 AND 71)
            AND nik_month BETWEEN 1 AND 12
            AND (CASE WHEN day_field > 40 THEN day_field - 40 ELSE day_field END)
                <= CASE WHEN nik_month = 2 THEN CASE WHEN nik_yy % 4 = 0 THEN 29 ELSE 28 END
                        WHEN nik_month IN (4, 6, 9, 11) THEN 30 ELSE 31 END AS real_date
    FROM parsed
), ready AS (
    SELECT *, nik_ok AND nik_district IS NOT NULL AND real_date AND NOT serial_zero AS parses
    FROM dated
)
SELECT *, CASE {reason} END AS reason, {flags} FROM ready
"""


def _invoices_sql(rules: Any) -> str:
    def rounded(amount: str, numerator: int, denominator: int) -> str:
        return f"(({amount}) * {2 * numerator} + {denominator}) // {2 * denominator}"

    jkk = f"CASE WHEN programs_chosen LIKE 'JKK%' THEN {rounded('declared_income', rules.jkk_rate.numerator, rules.jkk_rate.denominator)} ELSE 0 END"  # noqa: E501
    jkm = f"CASE WHEN programs_chosen IS NOT NULL THEN {rules.jkm_amount} ELSE 0 END"
    jht = f"CASE WHEN programs_chosen LIKE '%JHT' THEN {rounded('declared_income', rules.jht_rate.numerator, rules.jht_rate.denominator)} ELSE 0 END"  # noqa: E501
    charged = {"JKK": jkk, "JKM": jkm, "JHT": jht}
    full = dict(charged)
    discount = rules.discount
    if discount is not None:
        sectors = {sector.value for sector in discount.sectors}
        window = " OR ".join(
            ("is_transport" if sector == "transport" else "NOT is_transport") for sector in sectors
        )
        applies = f"({window})" + (
            " AND NOT publicly_funded" if discount.excludes_publicly_funded else ""
        )
        for program in discount.programs:
            keep = discount.keep
            cut = rounded(full[program.value], keep.numerator, keep.denominator)
            charged[program.value] = (
                f"CASE WHEN {applies} THEN {cut} ELSE {full[program.value]} END"
            )
    off = " + ".join(f"(({full[p]}) - ({charged[p]}))" for p in full)
    return f"""
SELECT member_id, DATE '{rules.month.first_day}' AS month, sponsor_id, declared_income,
       programs_chosen AS programs,
       CASE WHEN is_transport THEN 'transport' ELSE 'other' END AS sector, publicly_funded,
       {charged["JKK"]} AS jkk, {charged["JKM"]} AS jkm, {charged["JHT"]} AS jht,
       {off} AS discount,
       ({charged["JKK"]}) + ({charged["JKM"]}) + ({charged["JHT"]}) AS total
FROM decided WHERE reason IS NULL
"""


def _rejects_sql() -> str:
    reasons = ", ".join(f"CASE WHEN \"f_{code}\" THEN '{code}' END" for code, _ in _RULES)
    return f"""
SELECT member_id, reason, concat_ws(',', {reasons}) AS reasons, nik, sex, birth_date,
       region_code, occupation, declared_income, programs, publicly_funded, sponsor_id,
       enrolled_on
FROM decided WHERE reason IS NOT NULL
"""


if __name__ == "__main__":
    main()
