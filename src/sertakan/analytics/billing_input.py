"""The billing run's input from the database: a snapshot of the members, as Parquet parts.

The run bills a fixed set of members even when it is interrupted and started again: the
members are read once from the store (`store.member_export`, handed in by the caller, in id
order, with the month's sponsor) into numbered Parquet parts, each renamed into place when
complete, and a manifest written last. A complete snapshot is reused as it is; an incomplete
one is written again.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sertakan.analytics.member_rows import MEMBER_ARROW_SCHEMA, MemberBatches
from sertakan.analytics.parquet_parts import (
    part_name,
    parts_in,
    remove,
    remove_temporaries,
    written_atomically,
)
from sertakan.kernel.periods import Month

SNAPSHOT_MANIFEST = "manifest.json"


def database_snapshot(
    read_members: MemberBatches, month: Month, folder: Path, *, part_rows: int = 1_000_000
) -> tuple[Path, ...]:
    """The parts of the snapshot in `folder`, reading the database (through `read_members`,
    bound by the caller to its engine) only if the snapshot is incomplete."""
    manifest = folder / SNAPSHOT_MANIFEST
    if manifest.is_file() and json.loads(manifest.read_text()).get("month") == str(month):
        return tuple(parts_in(folder))
    if folder.exists():
        remove(folder)
    folder.mkdir(parents=True)
    remove_temporaries(folder)
    count = 0
    rows = 0
    pending: list[pa.RecordBatch] = []
    batch_rows = min(part_rows, 100_000)
    for batch in read_members(month, batch_rows=batch_rows):
        if not batch.schema.equals(MEMBER_ARROW_SCHEMA):
            raise ValueError(f"a member batch of another shape: {batch.schema.names}")
        pending.append(batch)
        rows += batch.num_rows
        if rows >= part_rows:
            _write(folder / part_name(count), pending)
            count, rows, pending = count + 1, 0, []
    if pending or count == 0:  # an empty database still gives one (empty) part
        _write(folder / part_name(count), pending)
        count += 1
    with written_atomically(manifest) as temporary:
        temporary.write_text(json.dumps({"month": str(month), "parts": count}) + "\n")
    return tuple(parts_in(folder))


def _write(path: Path, batches: list[pa.RecordBatch]) -> None:
    with written_atomically(path) as temporary:
        table = pa.Table.from_batches(batches, schema=MEMBER_ARROW_SCHEMA)
        pq.write_table(table, temporary, compression="zstd")
