"""The SQL unit of work: one connection, one transaction, rolled back unless committed (a
reader's, which cannot write, ends with COMMIT when nothing failed: see `__exit__`).

It serves every domain's port (registry, access, billing): a change, its audit event, its
messages and its domain events commit together.

`SqlUnitOfWork(engine, read_only=True)` is a reader's: its transaction never takes SQLite's
write lock (a deferred BEGIN in WAL mode, with `query_only` on) and is READ ONLY on
PostgreSQL, so the database refuses a write in it, and `commit()` is refused before that
(issue 12: reads never wait for a writer, such as a sign-in holding the lock)."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine, RootTransaction

from sertakan.store.access_repositories import (
    SqlAccountRepository,
    SqlAuditLog,
    SqlCodeRepository,
    SqlOutbox,
    SqlTokenRepository,
)
from sertakan.store.billing_repositories import (
    SqlDomainEventLog,
    SqlInvoiceRepository,
    SqlNoticeRepository,
    SqlPaymentRepository,
    SqlSettlementRepository,
    SqlSuspenseRepository,
)
from sertakan.store.engine import read_only as mark_read_only
from sertakan.store.reconciliation_repositories import SqlReconciliationRepository
from sertakan.store.registry_repositories import (
    SqlBranchRepository,
    SqlMemberRepository,
    SqlSponsorRepository,
    SqlSponsorshipRepository,
)
from sertakan.store.reminder_repositories import SqlReminderRepository


class ReadOnlyCommit(RuntimeError):
    """A read-only unit of work was asked to commit: a use case that writes took a reader
    (a programming error, never the user's)."""


class SqlUnitOfWork:
    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self._engine = engine
        self.read_only = read_only
        self._conn: Connection | None = None
        self._tx: RootTransaction | None = None

    def __enter__(self) -> Self:
        self._conn = self._engine.connect()
        if self.read_only:
            mark_read_only(self._conn)
        self._tx = self._conn.begin()
        self.members = SqlMemberRepository(self._conn)
        self.sponsors = SqlSponsorRepository(self._conn)
        self.sponsorships = SqlSponsorshipRepository(self._conn)
        self.branches = SqlBranchRepository(self._conn)
        self.accounts = SqlAccountRepository(self._conn)
        self.tokens = SqlTokenRepository(self._conn)
        self.codes = SqlCodeRepository(self._conn)
        self.audit = SqlAuditLog(self._conn)
        self.outbox = SqlOutbox(self._conn)
        self.invoices = SqlInvoiceRepository(self._conn)
        self.settlements = SqlSettlementRepository(self._conn)
        self.notices = SqlNoticeRepository(self._conn)
        self.payments = SqlPaymentRepository(self._conn)
        self.suspense = SqlSuspenseRepository(self._conn)
        self.events = SqlDomainEventLog(self._conn)
        self.reconciliations = SqlReconciliationRepository(self._conn)
        self.reminders = SqlReminderRepository(self._conn)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._conn is not None
        try:
            if self.read_only and exc_type is None and self._tx is not None and self._tx.is_active:
                # A reader's transaction wrote nothing, so COMMIT and ROLLBACK end it alike,
                # but psycopg forgets its prepared statements on every ROLLBACK (and deallocates
                # them on the server): readers ending with ROLLBACK never reached psycopg's
                # prepare threshold, and PostgreSQL parsed and planned each query every time
                # (issue 12: the server's CPU is shared with the app's on two cores).
                self._tx.commit()
            else:
                self.rollback()
        finally:
            self._conn.close()
            self._conn = None

    def commit(self) -> None:
        # Uniqueness is checked when a row is inserted (the constraints are not deferred), so
        # repositories have already named any duplicate; nothing is left to translate here.
        if self.read_only:
            raise ReadOnlyCommit(
                "a read-only unit of work cannot commit: writes take SqlUnitOfWork(engine)"
            )
        assert self._tx is not None
        self._tx.commit()

    def rollback(self) -> None:
        if self._tx is not None and self._tx.is_active:
            self._tx.rollback()
