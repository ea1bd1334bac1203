"""Writes the monthly billing run's amounts into `member_contributions`, idempotently.

A row is keyed by (member_id, month): inserting a row that is already there changes nothing
(`ON CONFLICT DO NOTHING`, on SQLite and PostgreSQL alike), so a batch run that is started
again after a crash writes every member's month once. One transaction per call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.dialects import postgresql, sqlite

from sertakan.kernel.periods import Month
from sertakan.store.tables import member_contributions

CONTRIBUTION_FIELDS = (
    "member_id",
    "declared_income",
    "programs",
    "jkk",
    "jkm",
    "jht",
    "discount",
    "total",
)


def has_contributions_table(engine: Engine) -> bool:
    """False until the migrations have created `member_contributions` (`sertakan db upgrade`)."""
    return inspect(engine).has_table(member_contributions.name)


def insert_member_contributions(
    engine: Engine,
    month: Month,
    batches: Iterable[pa.RecordBatch],
    *,
    run_id: str,
    created_at: dt.datetime,
) -> int:
    """Insert the batches' rows for `month`; return how many were new."""
    table = member_contributions
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).on_conflict_do_nothing(
        index_elements=[table.c.member_id, table.c.month]
    )
    text = str(month)
    counted = select(func.count()).select_from(table).where(table.c.month == text)
    with engine.begin() as conn:
        before = int(conn.execute(counted).scalar_one())
        for batch in batches:
            columns = batch.select(list(CONTRIBUTION_FIELDS)).to_pydict()
            rows: list[dict[str, Any]] = [
                {
                    **dict(zip(CONTRIBUTION_FIELDS, values, strict=True)),
                    "month": text,
                    "run_id": run_id,
                    "created_at": created_at,
                }
                for values in zip(*(columns[name] for name in CONTRIBUTION_FIELDS), strict=True)
            ]
            if rows:
                conn.execute(statement, rows)
        after = int(conn.execute(counted).scalar_one())
    return after - before


def contributions_of_month(engine: Engine, month: Month) -> list[dict[str, Any]]:
    """Every stored row of `month`, by member id (for checks and small reports)."""
    table = member_contributions
    query = select(table).where(table.c.month == str(month)).order_by(table.c.member_id)
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]
