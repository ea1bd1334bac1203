"""The database's member export and the batch jobs agree on the member-row contract: analytics
declares it (`analytics.member_rows`), the store declares it on its side of the import line
(`store.member_export`), and a batch of another shape is refused before it is written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from sertakan.analytics.billing_input import database_snapshot
from sertakan.analytics.member_rows import MEMBER_ARROW_SCHEMA
from sertakan.kernel.periods import Month
from sertakan.store import member_export


def test_the_store_exports_exactly_the_schema_the_batch_jobs_read() -> None:
    assert member_export.MEMBER_ARROW_SCHEMA.equals(MEMBER_ARROW_SCHEMA)


def test_a_snapshot_refuses_member_batches_of_another_shape(tmp_path: Path) -> None:
    def wrong(month: Month, *, batch_rows: int) -> Iterator[pa.RecordBatch]:
        yield pa.RecordBatch.from_pydict({"member_id": ["m1"]})

    with pytest.raises(ValueError, match="another shape"):
        database_snapshot(wrong, Month(2026, 11), tmp_path / "snapshot")
