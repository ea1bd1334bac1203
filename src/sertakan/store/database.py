"""The database as an operator sees it: whether it answers, and bringing its tables up to the
newest migration. Built by `bootstrap`, so `/healthz` and `sertakan db upgrade` ask a service
and never import the store (issue 13: the entrypoints receive services)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import pyarrow as pa
from sqlalchemy import Engine

from sertakan.kernel.periods import Month
from sertakan.store.engine import ping
from sertakan.store.member_contributions import (
    has_contributions_table,
    insert_member_contributions,
)
from sertakan.store.member_export import iter_member_batches


class SqlDatabase:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def url(self) -> str:
        """The database's URL without its password (for the operator's console)."""
        return self._engine.url.render_as_string(hide_password=True)

    def answers(self) -> bool:
        """Whether the database answers `SELECT 1` (`store.engine.ping`)."""
        return ping(self._engine)

    def upgrade(self) -> str | None:
        """Apply every migration; the revision the database is at afterwards. Alembic is
        imported here: only `sertakan db upgrade` needs it."""
        from sertakan.store.migrate import current_revision, upgrade

        upgrade(self._engine)
        return current_revision(self._engine)

    # -- the national billing run (`sertakan batch billing-run`): analytics reads no store, so
    # the run is handed these two, bound to this database (docs/architecture.md).

    def has_contributions_table(self) -> bool:
        """Whether the migrations have made `member_contributions` yet."""
        return has_contributions_table(self._engine)

    def member_batches(self, month: Month, *, batch_rows: int) -> Iterator[pa.RecordBatch]:
        """Every member in id order, `batch_rows` at a time, as Arrow record batches
        (`analytics.member_rows.MemberBatches`)."""
        return iter_member_batches(self._engine, month, batch_rows=batch_rows)

    def write_contributions(
        self,
        month: Month,
        batches: Iterable[pa.RecordBatch],
        *,
        run_id: str,
        created_at: dt.datetime,
    ) -> int:
        """Store a month's invoice rows, idempotently; how many were new
        (`analytics.member_rows.ContributionWriter`)."""
        return insert_member_contributions(
            self._engine, month, batches, run_id=run_id, created_at=created_at
        )
