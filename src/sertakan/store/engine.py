"""Engines for the two supported databases, with the settings each needs.

Two kinds of transaction run on one engine (issue 12): a write transaction, and a read-only
one asked for with the connection's `READ_ONLY` execution option (`SqlUnitOfWork(engine,
read_only=True)`). On SQLite a writer begins with BEGIN IMMEDIATE (it takes the database's one
write lock up front, so two writers queue instead of failing half-way), while a reader begins
a deferred BEGIN: in WAL mode it reads a snapshot and never waits for a writer, however long
the writer holds the lock (https://www.sqlite.org/wal.html, "Concurrency"). On PostgreSQL a
reader's transaction is READ ONLY (psycopg begins it with BEGIN READ ONLY: no extra round trip).
"""

from __future__ import annotations

import logging
import time
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError

_log = logging.getLogger(__name__)

# Execution option of a connection whose transactions only read.
READ_ONLY = "sertakan_read_only"
# FastAPI runs sync routes (and our token look-ups) on AnyIO's thread pool, 40 threads by
# default: a pool smaller than that (SQLAlchemy's default is 5 + 10 overflow) makes threads
# queue for a connection while the CPU idles. Held connections stay at POOL_SIZE; the
# overflow is opened under load and closed when returned.
POOL_SIZE = 10
MAX_OVERFLOW = 30
# A PostgreSQL connection back from the pool is tested (`SELECT 1`) only when it has lain idle
# this long: that is when a server restart, an idle timeout or a firewall has had time to cut
# it. `pool_pre_ping` tested every checkout, a round trip per unit of work, three per member
# read (issue 12: a read's CPU, not locks, is the limit). A connection cut while the server is
# busy fails its next statement instead: SQLAlchemy then sees the disconnect and invalidates
# the whole pool, so that request fails (500, the client may retry a GET) and no other does.
IDLE_PING_SECONDS = 10.0
# Connections are replaced after this long whatever happens, before any server-side or
# network idle limit (typically >= 1 hour) can cut them unseen.
POOL_RECYCLE_SECONDS = 1800


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        file_backed = bool(parsed.database) and parsed.database != ":memory:"
        pool: dict[str, Any] = (
            {"pool_size": POOL_SIZE, "max_overflow": MAX_OVERFLOW} if file_backed else {}
        )
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
        # Let SQLAlchemy, not the driver, open transactions (see the module's docstring).
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(
        url,
        pool_size=POOL_SIZE,
        max_overflow=MAX_OVERFLOW,
        pool_recycle=POOL_RECYCLE_SECONDS,
        hide_parameters=True,
    )
    event.listen(engine, "checkin", _idle_since)
    event.listen(engine, "checkout", partial(_ping_if_idle, engine))
    return engine


def _idle_since(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(engine: Engine, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Test a connection that has lain idle (`IDLE_PING_SECONDS`). A dead one raises
    DisconnectionError: the pool discards it and checks out another (SQLAlchemy's
    "Disconnect Handling - Pessimistic", with the test skipped for a connection in use a
    moment ago)."""
    since = record.info.get("idle_since")
    if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
        return
    try:
        engine.dialect.do_ping(dbapi_connection)
    except engine.dialect.loaded_dbapi.Error as error:
        raise DisconnectionError(type(error).__name__) from error


def read_only(connection: Connection) -> Connection:
    """Mark a fresh connection (before its transaction begins) as a reader's."""
    connection.execution_options(**{READ_ONLY: True})
    if connection.dialect.name == "postgresql":
        connection.execution_options(postgresql_readonly=True)
    return connection


def is_read_only(connection: Connection) -> bool:
    return bool(connection.get_execution_options().get(READ_ONLY))


def _sqlite_begin(connection: Connection) -> None:
    if is_read_only(connection):
        # query_only makes SQLite refuse any write ("attempt to write a readonly database"),
        # so a reader cannot take the write lock by mistake; set on every begin because the
        # pooled connection serves writers too.
        connection.exec_driver_sql("PRAGMA query_only=ON")
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("PRAGMA query_only=OFF")
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun by the "begin" hook
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def ping(engine: Engine) -> bool:
    """Whether the database answers `SELECT 1` (for /healthz). The reason it does not is logged
    by its class only: a driver's message may carry the URL, and so a password."""
    try:
        with engine.connect() as connection:
            # A reader's transaction: on SQLite it must not queue for the write lock.
            read_only(connection).exec_driver_sql("SELECT 1")
    except (SQLAlchemyError, OSError) as error:
        _log.warning("database ping failed: %s", type(error).__name__)
        return False
    return True
