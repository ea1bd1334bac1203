"""Where the national enrolment report reads from: a folder of Parquet files, on DuckDB or PySpark.

The folder is what `sertakan synth population` writes (and, later, an export of the store)::

    DIR/members/part-*.parquet   member_id, nik, sex, birth_date, region_code, occupation,
                                 declared_income, programs, publicly_funded, sponsor_id,
                                 enrolled_on
    DIR/payments/part-*.parquet  member_id, month (1st of the contribution month), paid_on
                                 (settlement day), amount (rupiah)

Either engine of `analytics.engines` (DuckDB, PySpark) reads the same files into Ibis tables,
so every expression after this module is written once. Problems with the input (no folder,
no files, a missing column) are `NationInputError`: a clear message, never a stack trace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
from ibis.expr import datatypes

from sertakan.kernel.errors import SertakanError

__all__ = ["MEMBER_COLUMNS", "PAYMENT_COLUMNS", "Dataset", "NationInputError", "read_dataset"]

PART_GLOB = "part-*.parquet"  # as parquet_parts.PART_GLOB: a writer's temporary files are hidden


class NationInputError(SertakanError):
    """The data the report needs is missing or malformed."""


_Check = Callable[[datatypes.DataType], bool]

MEMBER_COLUMNS: dict[str, tuple[str, _Check]] = {
    "member_id": ("string", lambda t: t.is_string()),
    "region_code": ("string", lambda t: t.is_string()),
    "birth_date": ("date", lambda t: t.is_date()),
    "occupation": ("string", lambda t: t.is_string()),
    "declared_income": ("integer", lambda t: t.is_integer()),
    "programs": ("string", lambda t: t.is_string()),
    "publicly_funded": ("boolean", lambda t: t.is_boolean()),
    "enrolled_on": ("date", lambda t: t.is_date()),
}
PAYMENT_COLUMNS: dict[str, tuple[str, _Check]] = {
    "member_id": ("string", lambda t: t.is_string()),
    "month": ("date", lambda t: t.is_date()),
    "paid_on": ("date", lambda t: t.is_date()),
    "amount": ("integer", lambda t: t.is_integer()),
}


@dataclass(frozen=True)
class Dataset:
    members: ir.Table
    payments: ir.Table


def read_dataset(backend: Any, folder: Path) -> Dataset:
    """The members and payments under `folder` on an Ibis backend, with their columns checked."""
    if not folder.is_dir():
        raise NationInputError(f"no such data folder: {folder}")
    members = _read(backend, folder, "members", MEMBER_COLUMNS)
    payments = _read(backend, folder, "payments", PAYMENT_COLUMNS)
    return Dataset(members=members, payments=payments)


def _read(
    backend: Any, folder: Path, name: str, columns: dict[str, tuple[str, _Check]]
) -> ir.Table:
    part_folder = folder / name
    if not any(part_folder.glob(PART_GLOB)):
        raise NationInputError(f"no {name} data: expected {part_folder / PART_GLOB}")
    try:
        table: ir.Table = backend.read_parquet(str(part_folder / PART_GLOB))
    except Exception as exc:  # not Parquet, unreadable: the engine's first line says why
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NationInputError(f"cannot read {part_folder}: {first}") from None
    schema = table.schema()
    problems = [
        f"{column} is missing" if column not in schema else f"{column} is not a {kind}"
        for column, (kind, accepts) in columns.items()
        if column not in schema or not accepts(schema[column])
    ]
    if problems:
        raise NationInputError(f"{part_folder}: " + "; ".join(problems))
    return table
