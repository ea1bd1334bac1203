"""The member-row contract of the batch jobs, and what they need handed in to read and write
the database.

A member row has the columns of `MEMBER_ARROW_SCHEMA`: the synthetic nation's Parquet and the
database's export (`store.member_export`, which declares the same schema on its side of the
line; a test ties the two, and `billing_input` refuses a batch of another shape). Analytics
imports neither `sertakan.store` nor `sertakan.config` (pyproject's import contract): the CLI
or bootstrap passes the readers and writers below, bound to its engine and folders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Protocol

import pyarrow as pa

from sertakan.kernel.periods import Month

__all__ = ["MEMBER_ARROW_SCHEMA", "ContributionWriter", "MemberBatches"]

MEMBER_ARROW_SCHEMA = pa.schema(
    [
        pa.field("member_id", pa.string(), nullable=False),
        pa.field("nik", pa.string(), nullable=False),
        pa.field("sex", pa.string(), nullable=False),
        pa.field("birth_date", pa.date32(), nullable=False),
        pa.field("region_code", pa.string(), nullable=False),
        pa.field("occupation", pa.string(), nullable=False),
        pa.field("declared_income", pa.int64(), nullable=False),
        pa.field("programs", pa.string(), nullable=False),
        pa.field("publicly_funded", pa.bool_(), nullable=False),
        pa.field("sponsor_id", pa.string(), nullable=True),
        pa.field("enrolled_on", pa.date32(), nullable=False),
    ]
)


class MemberBatches(Protocol):
    """Every member, in id order, `batch_rows` at a time, with `month`'s sponsor
    (`store.member_export.iter_member_batches` bound to an engine)."""

    def __call__(self, month: Month, *, batch_rows: int) -> Iterator[pa.RecordBatch]: ...


class ContributionWriter(Protocol):
    """Writes a month's invoice rows into the database, idempotently; returns how many were
    new (`store.member_contributions.insert_member_contributions` bound to an engine)."""

    def __call__(
        self,
        month: Month,
        batches: Iterable[pa.RecordBatch],
        *,
        run_id: str,
        created_at: dt.datetime,
    ) -> int: ...
