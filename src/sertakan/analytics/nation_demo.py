"""A demo national enrolment report for `make run`: a small synthetic nation, then its report.

`build_demo` asks `synthetic_nation.generate_nation` (the generator behind `sertakan synth
population`) for about 50,000 members with a fixed seed, two years of payments ending with
the `until` month, and writes the report as of that month's last day into the page's report
folder. The nation is kept in ``REPORT_DIR/demo-data`` and made again only when its manifest
does not match the options. Everything is synthetic: the report records it (`synthetic` in
summary.json) and the page says so, with the date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sertakan.analytics.nation_files import write_report
from sertakan.analytics.nation_report import run_report
from sertakan.analytics.synthetic_nation import (
    NationOptions,
    generate_nation,
    manifest_matches,
    read_manifest,
)
from sertakan.kernel.periods import Month
from sertakan.registry.regions import RegionDirectory
from sertakan.regulation.loader import Parameters

__all__ = ["DEMO_DATA", "DemoSummary", "build_demo"]

DEMO_DATA = "demo-data"
DEMO_UNTIL = Month(2024, 12)  # the synthetic history's last month; the report's as-of month


@dataclass(frozen=True, slots=True)
class DemoSummary:
    as_of: dt.date
    members: int
    payments: int
    data_dir: Path
    report_dir: Path


def build_demo(
    report_dir: Path,
    *,
    params: Parameters,
    directory: RegionDirectory,
    members: int = 50_000,
    seed: int = 2024,
    until: Month = DEMO_UNTIL,
) -> DemoSummary:
    """Generate (or reuse) the synthetic nation and write its report into `report_dir`."""
    data_dir = report_dir / DEMO_DATA
    options = NationOptions(members=members, seed=seed, until=until)
    manifest = read_manifest(data_dir)
    if not manifest_matches(manifest, options):
        manifest = generate_nation(data_dir, options, directory=directory, params=params)
    assert manifest is not None
    as_of = until.last_day
    report = run_report(
        data_dir, as_of=as_of, engine_name="duckdb", params=params, directory=directory
    )
    write_report(report, report_dir, data=str(data_dir), engine="duckdb")
    counts = manifest.get("row_counts", {})
    return DemoSummary(
        as_of=as_of,
        members=int(counts.get("members", members)),
        payments=int(counts.get("payments", 0)),
        data_dir=data_dir,
        report_dir=report_dir,
    )
