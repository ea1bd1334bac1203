"""The read-only unit of work (issue 12), on SQLite and PostgreSQL: it reads, refuses to
commit, and the database refuses a write made in it; on SQLite it never waits for a writer."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import partial

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from sertakan.registry.model import Branch
from sertakan.store.unit_of_work import ReadOnlyCommit, SqlUnitOfWork

BOGOR = Branch("BOGOR_KOTA", "Kantor Cabang Bogor Kota", "32.71")


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> Engine:
    found: Engine = request.getfixturevalue(f"{request.param}_engine")
    return found


def _reader(engine: Engine) -> Callable[[], SqlUnitOfWork]:
    return partial(SqlUnitOfWork, engine, read_only=True)


def test_a_reader_reads_what_writers_committed(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.branches.add(BOGOR)
        uow.commit()
    with _reader(engine)() as uow:
        assert uow.branches.get(BOGOR.code) == BOGOR


def test_a_reader_refuses_to_commit(engine: Engine) -> None:
    with _reader(engine)() as uow, pytest.raises(ReadOnlyCommit):
        uow.commit()


def test_the_database_refuses_a_write_in_a_reader_and_nothing_is_kept(engine: Engine) -> None:
    with _reader(engine)() as uow, pytest.raises(DBAPIError):
        uow.branches.add(BOGOR)
    with SqlUnitOfWork(engine) as uow:
        assert uow.branches.get(BOGOR.code) is None


def test_a_writer_after_a_reader_on_the_same_pooled_connection_still_writes(
    engine: Engine,
) -> None:
    for _ in range(3):  # the pool hands the same connection back and forth
        with _reader(engine)() as uow:
            uow.branches.all()
    with SqlUnitOfWork(engine) as uow:
        uow.branches.add(BOGOR)
        uow.commit()
    with _reader(engine)() as uow:
        assert uow.branches.get(BOGOR.code) == BOGOR


def test_on_sqlite_a_reader_does_not_wait_for_a_writer_holding_the_lock(
    sqlite_engine: Engine,
) -> None:
    with SqlUnitOfWork(sqlite_engine) as uow:
        uow.branches.add(BOGOR)
        uow.commit()
    path = sqlite_engine.url.database
    assert path
    writer = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM branches")  # uncommitted: the reader sees its snapshot
        # A writer would wait here for the busy timeout (30 s), then fail "database is
        # locked"; a reader takes no lock and answers from the last committed state.
        with _reader(sqlite_engine)() as uow:
            assert uow.branches.get(BOGOR.code) == BOGOR
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_on_postgresql_a_readers_queries_stay_prepared(postgres_engine: Engine) -> None:
    """A reader ends with COMMIT when nothing failed: psycopg forgets its prepared statements
    on ROLLBACK (issue 12: PostgreSQL then parsed and planned every read's queries anew)."""
    with SqlUnitOfWork(postgres_engine) as uow:
        uow.branches.add(BOGOR)
        uow.commit()
    for _ in range(8):  # psycopg prepares a query on its fifth use
        with _reader(postgres_engine)() as uow:
            assert uow.branches.get(BOGOR.code) == BOGOR
    with _reader(postgres_engine)() as uow:
        prepared = uow._conn.exec_driver_sql(  # type: ignore[union-attr]
            "SELECT count(*) FROM pg_prepared_statements"
        ).scalar_one()
    assert prepared >= 1


def test_a_reader_that_fails_is_rolled_back(engine: Engine) -> None:
    with pytest.raises(RuntimeError), _reader(engine)() as uow:
        uow.branches.all()
        raise RuntimeError("a failure inside the reader")
    with _reader(engine)() as uow:  # the pooled connection is clean and reads again
        assert uow.branches.all() == []
