"""`sertakan billing run`: a month's BPU contributions for every member, part by part.

The run reads the members' Parquet parts (the synthetic nation's `members/`, or a snapshot of
the database, `billing_input`), and for each part writes one chunk folder:

    OUT/chunks/part-00000/invoices/*.parquet   `contributions.INVOICE_COLUMNS`
    OUT/chunks/part-00000/rejects/*.parquet    `contributions.REJECT_COLUMNS`
    OUT/chunks/part-00000/summary.json         counts and totals of the part
    OUT/summary.json                           the run's totals, written at the end

A chunk folder is written under a temporary name and renamed when complete
(`parquet_parts.written_atomically`); a run started again (after kill -9, say) skips the
complete chunks and redoes the others, so every invoice is written once. With
`to_database`, a chunk's invoices go into `member_contributions` before its folder is renamed;
the table's key (member_id, month) makes the redo insert nothing twice. One run at a time per
OUT (a lock file), and OUT belongs to one month.

The arithmetic and the rules are `contributions.assess_members`: the same expressions on DuckDB
and on Spark; the engine only reads and writes (`engines`).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from sqlalchemy import Engine

from sertakan.analytics.contributions import assess_members
from sertakan.analytics.engines import BatchEngine, placeholder
from sertakan.analytics.parquet_parts import (
    part_name,
    parts_in,
    remove_temporaries,
    written_atomically,
)
from sertakan.analytics.region_tables import RegionTables
from sertakan.kernel.errors import SertakanError
from sertakan.kernel.ids import new_id
from sertakan.kernel.periods import Month
from sertakan.registry.regions import RegionDirectory
from sertakan.regulation.loader import Parameters
from sertakan.store.member_contributions import (
    has_contributions_table,
    insert_member_contributions,
)
from sertakan.store.member_export import MEMBER_ARROW_SCHEMA

CHUNKS_DIR = "chunks"
SUMMARY = "summary.json"
RUN_RECORD = "run.json"
LOCK = ".lock"
PROGRAMS = ("jkk", "jkm", "jht")
_TOTALS = (*PROGRAMS, "discount", "total")


class BillingRunError(SertakanError):
    """The run cannot start or go on: a clear message, no stack trace."""


def require_contributions_table(database: Engine) -> None:
    """Refuse to write invoices into a database its migrations have not reached yet."""
    if not has_contributions_table(database):
        raise BillingRunError(
            "the database has no member_contributions table: run `sertakan db upgrade`"
        )


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """What one part of the members gave. Kept beside the chunk's files."""

    index: int
    members: int  # rows read
    billed: int
    rejected: int
    not_yet_enrolled: int  # enrolled after the month: nothing owed yet
    totals: dict[str, int]  # jkk, jkm, jht, discount, total (rupiah)
    reasons: dict[str, int]  # rejected rows by first rule broken
    stored: int = 0  # rows newly inserted into the database
    skipped: bool = False  # complete from an earlier run


@dataclass(slots=True)
class BillingSummary:
    month: str
    engine: str
    run_id: str
    chunks: int = 0
    chunks_skipped: int = 0
    members: int = 0
    members_billed_now: int = 0  # read in this run (not in parts an earlier run finished)
    billed: int = 0
    rejected: int = 0
    not_yet_enrolled: int = 0
    stored: int = 0
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_TOTALS, 0))
    reasons: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, result: ChunkResult) -> None:
        self.chunks += 1
        self.chunks_skipped += int(result.skipped)
        self.members += result.members
        self.members_billed_now += 0 if result.skipped else result.members
        self.billed += result.billed
        self.rejected += result.rejected
        self.not_yet_enrolled += result.not_yet_enrolled
        self.stored += result.stored
        for key, value in result.totals.items():
            self.totals[key] = self.totals.get(key, 0) + value
        for reason, count in result.reasons.items():
            self.reasons[reason] = self.reasons.get(reason, 0) + count

    @property
    def members_per_second(self) -> float:
        """Members read per second, counting only the parts this run did."""
        return self.members_billed_now / self.seconds if self.seconds else 0.0


@dataclass(frozen=True, slots=True)
class BillingRequest:
    month: Month
    parts: tuple[Path, ...]  # the members' Parquet parts, in order
    out: Path
    database: Engine | None = None  # write the invoices into member_contributions too


class RunProgress(Protocol):
    """What the run reports as it goes; the CLI draws bars from it."""

    def started(self, members: int, chunks: int) -> None: ...

    def chunk_done(self, result: ChunkResult) -> None: ...


class _Silent:
    def started(self, members: int, chunks: int) -> None:
        """Nobody is watching."""

    def chunk_done(self, result: ChunkResult) -> None:
        """Nobody is watching."""


def member_parts(folder: Path) -> tuple[Path, ...]:
    """The Parquet parts of a members folder, or of a nation folder's `members/`."""
    nested = folder / "members"
    source = nested if nested.is_dir() else folder
    parts = tuple(parts_in(source))
    if not parts:
        raise BillingRunError(f"no members found: {source} holds no part-*.parquet files")
    return parts


def run_billing(
    request: BillingRequest,
    engine: BatchEngine,
    *,
    params: Parameters,
    directory: RegionDirectory,
    progress: RunProgress | None = None,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> BillingSummary:
    """Bill `request.month` for every member of `request.parts`; return the totals."""
    report = progress or _Silent()
    started = time.perf_counter()
    run_id = new_id()
    with _locked(request.out):
        _claim(request.out, request.month)
        chunks = request.out / CHUNKS_DIR
        chunks.mkdir(exist_ok=True)
        remove_temporaries(chunks)  # what a killed run was writing
        sizes = _check_parts(request.parts)
        report.started(sum(sizes), len(request.parts))
        queries = _queries(engine, request.month, params, engine.region_tables(directory))
        summary = BillingSummary(month=str(request.month), engine=engine.name, run_id=run_id)
        for index, (part, rows) in enumerate(zip(request.parts, sizes, strict=True)):
            target = chunks / part_name(index, "")
            if (target / SUMMARY).is_file():
                result = _finished(target)
            else:
                with written_atomically(target) as folder:
                    result = _bill_part(
                        engine, queries, request, part, rows, index, folder, run_id, clock
                    )
            summary.add(result)
            report.chunk_done(result)
        summary.seconds = time.perf_counter() - started
        with written_atomically(request.out / SUMMARY) as temporary:
            temporary.write_text(json.dumps(asdict(summary), indent=2, sort_keys=True) + "\n")
    return summary


@dataclass(frozen=True, slots=True)
class _Queries:
    """The run's SQL, compiled once from the Ibis expressions over named tables."""

    decisions: str
    invoices: str
    rejects: str
    totals: str
    reasons: str


_MEMBERS = "sertakan_run_members"
_DECISIONS = "sertakan_run_decisions"
_INVOICES = "sertakan_run_invoices"
_REJECTS = "sertakan_run_rejects"


def _queries(
    engine: BatchEngine, month: Month, params: Parameters, regions: RegionTables
) -> _Queries:
    members = placeholder(_MEMBERS, MEMBER_ARROW_SCHEMA)
    assessment = assess_members(members, month, params, regions=regions)
    decided = assessment.over(placeholder(_DECISIONS, assessment.decisions.schema()))
    invoices = placeholder(_INVOICES, decided.invoices.schema())
    rejects = placeholder(_REJECTS, decided.rejects.schema())
    totals = invoices.aggregate(
        billed=invoices.count(), **{name: invoices[name].sum() for name in _TOTALS}
    )
    reasons = rejects.group_by("reason").aggregate(count=rejects.count())
    return _Queries(
        decisions=engine.compile(assessment.decisions),
        invoices=engine.compile(decided.invoices),
        rejects=engine.compile(decided.rejects),
        totals=engine.compile(totals),
        reasons=engine.compile(reasons),
    )


def _bill_part(
    engine: BatchEngine,
    queries: _Queries,
    request: BillingRequest,
    part: Path,
    rows: int,
    index: int,
    folder: Path,
    run_id: str,
    clock: Callable[[], dt.datetime],
) -> ChunkResult:
    engine.bind_parquet(_MEMBERS, part)
    # Check each member once, then write both outputs from the decisions.
    with engine.materialize(queries.decisions, _DECISIONS, folder / ".decisions"):
        engine.write(queries.invoices, folder / "invoices")
        engine.write(queries.rejects, folder / "rejects")
    engine.bind_parquet(_INVOICES, folder / "invoices")
    engine.bind_parquet(_REJECTS, folder / "rejects")
    sums = engine.fetch(queries.totals).to_pylist()[0]
    by_reason = {
        str(row["reason"]): int(row["count"]) for row in engine.fetch(queries.reasons).to_pylist()
    }
    billed = int(sums["billed"])
    rejected = sum(by_reason.values())
    stored = 0
    if request.database is not None:
        stored = insert_member_contributions(
            request.database,
            request.month,
            _batches(folder / "invoices"),
            run_id=run_id,
            created_at=clock(),
        )
    result = ChunkResult(
        index=index,
        members=rows,
        billed=billed,
        rejected=rejected,
        not_yet_enrolled=rows - billed - rejected,
        totals={name: int(sums[name] or 0) for name in _TOTALS},
        reasons=dict(sorted(by_reason.items())),
        stored=stored,
    )
    (folder / SUMMARY).write_text(json.dumps(asdict(result), indent=2, sort_keys=True) + "\n")
    return result


def _check_parts(parts: tuple[Path, ...]) -> list[int]:
    """Each part's row count; `BillingRunError` naming every part without the contract's columns."""
    problems = []
    sizes = []
    wanted = {field.name: field.type for field in MEMBER_ARROW_SCHEMA}
    for part in parts:
        try:
            metadata = pq.ParquetFile(part).metadata
        except (OSError, pa.ArrowInvalid) as unreadable:
            problems.append(f"{part}: not a readable Parquet file ({unreadable})")
            continue
        found = {field.name: field.type for field in metadata.schema.to_arrow_schema()}
        for name, kind in wanted.items():
            if name not in found:
                problems.append(f"{part}: no column {name!r}")
            elif found[name] != kind:
                problems.append(f"{part}: column {name!r} is {found[name]}, expected {kind}")
        sizes.append(metadata.num_rows)
    if problems:
        raise BillingRunError(
            "the members do not have the expected columns:\n  " + "\n  ".join(problems)
        )
    return sizes


def _finished(target: Path) -> ChunkResult:
    recorded = json.loads((target / SUMMARY).read_text())
    recorded["skipped"] = True
    recorded["stored"] = 0
    return ChunkResult(**recorded)


def _batches(folder: Path) -> Iterator[Any]:
    dataset = ds.dataset(folder, format="parquet", exclude_invalid_files=True)
    yield from dataset.to_batches(batch_size=50_000)


def _claim(out: Path, month: Month) -> None:
    """OUT belongs to one month: refuse to mix two months' invoices in one folder."""
    record = out / RUN_RECORD
    if record.is_file():
        claimed = json.loads(record.read_text()).get("month")
        if claimed != str(month):
            raise BillingRunError(
                f"{out} holds the run of {claimed}; choose another --out for {month}"
            )
        return
    with written_atomically(record) as temporary:
        temporary.write_text(json.dumps({"month": str(month)}) + "\n")


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    out.mkdir(parents=True, exist_ok=True)
    with (out / LOCK).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BillingRunError(f"another billing run is writing into {out}") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
