"""A national enrolment report on disk: what `sertakan nation report` writes and the Cakupan
page reads.

    REPORT_DIR/summary.json                  as-of date, months, rules and references used
    REPORT_DIR/trend.{parquet,csv}           every level (nasional, provinsi, kabupaten) × month
    REPORT_DIR/provinces.{parquet,csv}       Indonesia, then each province, in the as-of month
    REPORT_DIR/regencies.{parquet,csv}       each regency/city, in the as-of month

All tables have the columns of `coverage.REPORT_SCHEMA`; money is whole rupiah, the share a
ratio (0.0123 is 1.23%). Each file is written under a temporary name and renamed, the summary
last, so the page never reads half a file. The folder is the caller's (`Settings.analytics_dir`,
SERTAKAN_ANALYTICS_DIR, by default ``var/analytics``): analytics reads no settings.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sertakan.analytics.nation_reference import InformalWorkforce
from sertakan.analytics.nation_report import REPORT_SCHEMA, Level, NationReport
from sertakan.analytics.parquet_parts import written_atomically
from sertakan.kernel.errors import SertakanError
from sertakan.kernel.periods import Month

__all__ = [
    "ReportUnreadable",
    "province_table",
    "read_report",
    "regency_table",
    "table_bytes",
    "write_report",
]

SUMMARY = "summary.json"
SYNTHETIC_MANIFEST = "manifest.json"  # synthetic_nation.MANIFEST (not imported: it is heavy)
FORMAT = "sertakan.coverage-report"
VERSION = 1


class ReportUnreadable(SertakanError):
    """A report folder exists but its files are broken or of another version."""


def province_table(report: NationReport) -> pa.Table:
    """Indonesia, then every province, in the as-of month."""
    return pa.concat_tables(
        [_as_of(report, Level.NATIONAL), _as_of(report, Level.PROVINCE)]
    ).combine_chunks()


def regency_table(report: NationReport, province_code: str | None = None) -> pa.Table:
    """Every regency/city in the as-of month, or only those of one province."""
    table = _as_of(report, Level.REGENCY)
    if province_code is not None:
        table = table.filter(pc.equal(table["province_code"], province_code))
    return table


def table_bytes(table: pa.Table, file_format: str) -> bytes:
    """A table as the bytes of a CSV (UTF-8, header row) or a Parquet file."""
    sink = pa.BufferOutputStream()
    if file_format == "csv":
        pacsv.write_csv(table, sink)
    elif file_format == "parquet":
        pq.write_table(table, sink, compression="zstd")
    else:
        raise ValueError(f"unknown format {file_format!r}: csv or parquet")
    return bytes(sink.getvalue().to_pybytes())


def write_report(report: NationReport, folder: Path, *, data: str, engine: str) -> list[Path]:
    """Write the report's files into `folder` (created if needed); the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, table in (
        ("provinces", province_table(report)),
        ("regencies", regency_table(report)),
        ("trend", report.rows),
    ):
        for file_format in ("parquet", "csv"):
            target = folder / f"{name}.{file_format}"
            with written_atomically(target) as temporary:
                temporary.write_bytes(table_bytes(table, file_format))
            written.append(target)
    summary = {
        "format": FORMAT,
        "version": VERSION,
        "as_of": report.as_of.isoformat(),
        "months": [str(month) for month in report.months],
        "data": data,
        "engine": engine,
        "synthetic": _is_synthetic(Path(data)),
        "rules": {"deadline": report.deadline_reference, "arrears": report.arrears_reference},
        "informal_workforce": report.informal.model_dump(mode="json"),
    }
    target = folder / SUMMARY
    with written_atomically(target) as temporary:
        temporary.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    written.append(target)
    return written


def _is_synthetic(data: Path) -> bool:
    """Whether the data folder holds a synthetic nation: `synthetic_nation` writes its manifest
    there (and only there), so its presence says where the figures come from."""
    return (data / SYNTHETIC_MANIFEST).is_file()


def read_report(folder: Path) -> NationReport | None:
    """The report in `folder`, or None when there is none yet; ReportUnreadable when broken."""
    summary_path = folder / SUMMARY
    if not summary_path.is_file():
        return None
    try:
        summary: dict[str, Any] = json.loads(summary_path.read_text(encoding="utf-8"))
        if summary.get("format") != FORMAT or summary.get("version") != VERSION:
            raise ReportUnreadable(
                f"{summary_path}: not a version {VERSION} national enrolment report"
            )
        rows = pq.read_table(folder / "trend.parquet")
        if not rows.schema.equals(REPORT_SCHEMA, check_metadata=False):
            raise ReportUnreadable(f"{folder / 'trend.parquet'}: unexpected columns")
        months = tuple(Month.parse(text) for text in summary["months"])
        if not months:
            raise ReportUnreadable(f"{summary_path}: no months")
        return NationReport(
            as_of=dt.date.fromisoformat(summary["as_of"]),
            months=months,
            rows=rows,
            informal=InformalWorkforce.model_validate_json(
                json.dumps(summary["informal_workforce"])
            ),
            deadline_reference=str(summary["rules"]["deadline"]),
            arrears_reference=str(summary["rules"]["arrears"]),
            synthetic=bool(summary.get("synthetic", _is_synthetic(Path(str(summary["data"]))))),
        )
    except ReportUnreadable:
        raise
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as exc:
        raise ReportUnreadable(f"{folder}: cannot read the report: {exc}") from None


def _as_of(report: NationReport, level: str) -> pa.Table:
    rows = report.rows
    wanted = pc.and_(
        pc.equal(rows["level"], level),
        pc.equal(rows["month"], pa.scalar(report.as_of_month.first_day, pa.date32())),
    )
    return rows.filter(wanted)
