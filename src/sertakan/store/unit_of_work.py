"""The SQL unit of work: one connection, one transaction, rolled back unless committed (a
reader's, which cannot write, ends with COMMIT when nothing failed: see `__exit__`).

It serves every domain's port (registry, access, billing and its reconciliations and
reminders): a change, its audit event, its messages and its domain events (`events`, the
outbox of `kernel.events`) commit together. Each domain's `ports.py` declares only what its
use cases reach; this class has them all, and makes a repository on first use (`_Lazy`), so a
use case that touches two tables builds two. Adding a table is one line below
(`name = _Lazy(SqlThing)`).

`SqlUnitOfWork(engine, read_only=True)` is a reader's: its transaction never takes SQLite's
write lock (a deferred BEGIN in WAL mode, with `query_only` on) and is READ ONLY on
PostgreSQL, so the database refuses a write in it, and `commit()` is refused before that
(issue 12: reads never wait for a writer, such as a sign-in holding the lock)."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Generic, Self, TypeVar, overload

from sqlalchemy import Connection, Engine, RootTransaction

from sertakan.store.access_repositories import (
    SqlAccountRepository,
    SqlAuditLog,
    SqlCodeRepository,
    SqlOutbox,
    SqlTokenRepository,
)
from sertakan.store.billing_repositories import (
    SqlInvoiceRepository,
    SqlNoticeRepository,
    SqlPaymentRepository,
    SqlSettlementRepository,
    SqlSuspenseRepository,
)
from sertakan.store.engine import read_only as mark_read_only
from sertakan.store.event_outbox import SqlEventLog
from sertakan.store.reconciliation_repositories import SqlReconciliationRepository
from sertakan.store.registry_repositories import (
    SqlBranchRepository,
    SqlMemberRepository,
    SqlSponsorRepository,
    SqlSponsorshipRepository,
)
from sertakan.store.reminder_repositories import SqlReminderRepository

R = TypeVar("R")


class ReadOnlyCommit(RuntimeError):
    """A read-only unit of work was asked to commit: a use case that writes took a reader
    (a programming error, never the user's)."""


class NotEntered(RuntimeError):
    """A repository was asked for outside `with uow:` (a programming error)."""


class _Lazy(Generic[R]):
    """A repository made on first access inside the unit of work, over its connection, and
    kept until the unit of work closes."""

    def __init__(self, make: Callable[[Connection], R]) -> None:
        self._make = make
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, uow: None, owner: type) -> Self: ...

    @overload
    def __get__(self, uow: SqlUnitOfWork, owner: type) -> R: ...

    def __get__(self, uow: SqlUnitOfWork | None, owner: type) -> Self | R:
        if uow is None:
            return self
        made = uow._repositories
        if self._name not in made:
            if uow._conn is None:
                raise NotEntered(f"uow.{self._name} outside `with uow:`")
            made[self._name] = self._make(uow._conn)
        repository: R = made[self._name]
        return repository


class SqlUnitOfWork:
    # registry
    members = _Lazy(SqlMemberRepository)
    sponsors = _Lazy(SqlSponsorRepository)
    sponsorships = _Lazy(SqlSponsorshipRepository)
    branches = _Lazy(SqlBranchRepository)
    # access, audit, notifications
    accounts = _Lazy(SqlAccountRepository)
    tokens = _Lazy(SqlTokenRepository)
    codes = _Lazy(SqlCodeRepository)
    audit = _Lazy(SqlAuditLog)
    outbox = _Lazy(SqlOutbox)
    # billing
    invoices = _Lazy(SqlInvoiceRepository)
    settlements = _Lazy(SqlSettlementRepository)
    notices = _Lazy(SqlNoticeRepository)
    payments = _Lazy(SqlPaymentRepository)
    suspense = _Lazy(SqlSuspenseRepository)
    events = _Lazy(SqlEventLog)
    reconciliations = _Lazy(SqlReconciliationRepository)
    reminders = _Lazy(SqlReminderRepository)

    def __init__(
        self,
        engine: Engine,
        *,
        read_only: bool = False,
        on_events: Callable[[], None] | None = None,
    ) -> None:
        self._engine = engine
        self.read_only = read_only
        # Called after a commit that recorded domain events (bootstrap rings the publisher's
        # doorbell: cheap, it never publishes in this thread).
        self._on_events = on_events
        self._conn: Connection | None = None
        self._tx: RootTransaction | None = None
        self._repositories: dict[str, Any] = {}

    def __enter__(self) -> Self:
        self._conn = self._engine.connect()
        if self.read_only:
            mark_read_only(self._conn)
        self._tx = self._conn.begin()
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
            self._repositories.clear()

    def commit(self) -> None:
        # Uniqueness is checked when a row is inserted (the constraints are not deferred), so
        # repositories have already named any duplicate; nothing is left to translate here.
        if self.read_only:
            raise ReadOnlyCommit(
                "a read-only unit of work cannot commit: writes take SqlUnitOfWork(engine)"
            )
        assert self._tx is not None
        self._tx.commit()
        # Only a unit of work that used its event log can have recorded events.
        events = self._repositories.get("events")
        if self._on_events is not None and events is not None and events.appended:
            events.appended = 0
            self._on_events()

    def rollback(self) -> None:
        if self._tx is not None and self._tx.is_active:
            self._tx.rollback()
