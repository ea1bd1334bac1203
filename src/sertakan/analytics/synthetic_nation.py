"""`sertakan synth population`: a synthetic nation of BPU members, as Parquet, in bounded memory.

Layout of DIR (the data contract the billing run and the national enrolment report read):

    DIR/members/part-00000.parquet ...   at most `chunk_rows` (1,000,000) members each;
                                         columns: `synthetic_members.MEMBER_SCHEMA`
    DIR/payments/part-00000.parquet ...  the payments of the members of the same-numbered
                                         part; columns: `synthetic_payments.PAYMENT_SCHEMA`
    DIR/manifest.json                    seed, members, history window, generator version,
                                         row counts; written last: no manifest, no nation

Memory is bounded by one chunk (about a million members and a month of their payments), so
40 million members need no more than one. Each part is a pure function of the seed and its
number, written under a temporary name and renamed (`parquet_parts`): the same options give
the same bytes, with one worker process or several.
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from sertakan.analytics.parquet_parts import (
    part_name,
    parts_in,
    remove,
    remove_temporaries,
    written_atomically,
)
from sertakan.analytics.synthetic_members import NationPlan, generate_members
from sertakan.analytics.synthetic_payments import PAYMENT_SCHEMA, AmountBook, payment_batches
from sertakan.kernel.errors import RuleViolation
from sertakan.kernel.periods import Month
from sertakan.registry.occupations import all_occupations
from sertakan.registry.regions import RegionDirectory
from sertakan.regulation.codes import Sector
from sertakan.regulation.loader import Parameters, load_parameters

GENERATOR = "sertakan synth population"
GENERATOR_VERSION = 1
CHUNK_ROWS = 1_000_000
MANIFEST = "manifest.json"
MEMBERS_DIR = "members"
PAYMENTS_DIR = "payments"
_ROW_GROUP_ROWS = 262_144  # several row groups per part, so readers can split a part
_COMPRESSION = "zstd"
DEFAULT_UNTIL = Month(2024, 12)
# quote_bpu's totals per (member kind, month), kept across the parts a process writes.
_BOOKS: dict[tuple[Path, tuple[Month, ...], tuple[int, ...]], AmountBook] = {}


@dataclass(frozen=True, slots=True)
class NationOptions:
    members: int = 1_000_000
    seed: int = 2024
    dirty_share: float = 0.0005
    history_months: int = 24
    until: Month = DEFAULT_UNTIL
    chunk_rows: int = CHUNK_ROWS

    def window(self) -> tuple[Month, ...]:
        """The history months, oldest first, ending with `until`."""
        first = self.until.plus(1 - self.history_months)
        return tuple(first.plus(i) for i in range(self.history_months))

    def check(self) -> None:
        problems = []
        if self.members < 1:
            problems.append(("members", "synth.members", "at least one member"))
        if not 0.0 <= self.dirty_share <= 1.0:
            problems.append(("dirty_share", "synth.dirty_share", "a share from 0 to 1"))
        if self.history_months < 1:
            problems.append(("history_months", "synth.history_months", "at least one month"))
        if not 1 <= self.chunk_rows <= CHUNK_ROWS:
            problems.append(("chunk_rows", "synth.chunk_rows", f"1 to {CHUNK_ROWS:,} rows"))
        if problems:
            raise RuleViolation.single(*problems[0], problems[0][2])


@dataclass(frozen=True, slots=True)
class PartReport:
    index: int
    members: int
    payments: int
    dirty: int


def generate_nation(
    out: Path,
    options: NationOptions,
    *,
    directory: RegionDirectory,
    params: Parameters,
    jobs: int = 1,
    on_part: Callable[[PartReport], None] | None = None,
) -> dict[str, Any]:
    """Write the nation into `out` and return its manifest."""
    options.check()
    plan = NationPlan.build(
        directory,
        params,
        seed=options.seed,
        members=options.members,
        dirty_share=options.dirty_share,
        window=options.window(),
        chunk_rows=options.chunk_rows,
    )
    remove(out / MANIFEST)  # incomplete from here until the new manifest is written
    for folder in (out / MEMBERS_DIR, out / PAYMENTS_DIR):
        folder.mkdir(parents=True, exist_ok=True)
        remove_temporaries(folder)
        for stale in parts_in(folder)[plan.chunks :]:  # from an earlier, bigger nation
            remove(stale)

    reports: list[PartReport] = []
    chunks = range(plan.chunks)
    if jobs <= 1:
        for chunk in chunks:
            reports.append(_write_part(plan, params.directory, out, chunk))
            if on_part:
                on_part(reports[-1])
    else:
        # spawn, not fork: Arrow's and NumPy's thread pools do not survive a fork safely.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = [
                pool.submit(_write_part, plan, params.directory, out, chunk) for chunk in chunks
            ]
            for future in futures:
                reports.append(future.result())
                if on_part:
                    on_part(reports[-1])

    manifest = _manifest(options, reports)
    with written_atomically(out / MANIFEST) as temporary:
        temporary.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def read_manifest(out: Path) -> dict[str, Any] | None:
    """The manifest of a complete nation in `out`, or None."""
    path = out / MANIFEST
    if not path.is_file():
        return None
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def manifest_matches(manifest: dict[str, Any] | None, options: NationOptions) -> bool:
    """True when `manifest` describes the nation `options` would generate."""
    if manifest is None:
        return False
    wanted = _options_record(options)
    return bool(
        manifest.get("generator_version") == GENERATOR_VERSION
        and all(manifest.get(key) == value for key, value in wanted.items())
    )


def _write_part(plan: NationPlan, params_dir: Path, out: Path, chunk: int) -> PartReport:
    params = load_parameters(params_dir)
    transport = frozenset(o.code for o in all_occupations() if o.sector is Sector.TRANSPORT)
    members = generate_members(plan, chunk, transport)
    name = part_name(chunk)
    with written_atomically(out / MEMBERS_DIR / name) as temporary:
        pq.write_table(
            members.table,
            temporary,
            compression=_COMPRESSION,
            row_group_size=_ROW_GROUP_ROWS,
        )
    key = (params_dir, plan.window, tuple(int(level) for level in plan.income_levels))
    book = _BOOKS.setdefault(key, AmountBook(params, plan))
    grace = params.bpu.arrears.value_on(plan.window[-1].first_day).value.grace_months
    payments = 0
    with (
        written_atomically(out / PAYMENTS_DIR / name) as temporary,
        pq.ParquetWriter(temporary, PAYMENT_SCHEMA, compression=_COMPRESSION) as writer,
    ):
        for batch in payment_batches(plan, members, book, grace):
            writer.write_batch(batch)
            payments += batch.num_rows
    return PartReport(
        index=chunk,
        members=members.table.num_rows,
        payments=payments,
        dirty=int(members.dirty.sum()),
    )


def _options_record(options: NationOptions) -> dict[str, Any]:
    window = options.window()
    return {
        "seed": options.seed,
        "members": options.members,
        "dirty_share": options.dirty_share,
        "chunk_rows": options.chunk_rows,
        "history": {
            "first_month": str(window[0]),
            "last_month": str(window[-1]),
            "months": options.history_months,
        },
    }


def _manifest(options: NationOptions, reports: list[PartReport]) -> dict[str, Any]:
    # No clock reading and no host name: the same options give the same bytes.
    return {
        "generator": GENERATOR,
        "generator_version": GENERATOR_VERSION,
        **_options_record(options),
        "row_counts": {
            "members": sum(r.members for r in reports),
            "payments": sum(r.payments for r in reports),
            "dirty_members": sum(r.dirty for r in reports),
        },
        "parts": [
            {
                "members": f"{MEMBERS_DIR}/{part_name(r.index)}",
                "payments": f"{PAYMENTS_DIR}/{part_name(r.index)}",
                **{k: v for k, v in asdict(r).items() if k != "index"},
            }
            for r in reports
        ],
    }
