"""Throw-away PostgreSQL databases for tests: one server, a fresh uniquely named database per use.

The server comes from ``SERTAKAN_TEST_POSTGRES_URL`` (an SQLAlchemy URL; default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``). Its database is only used to connect
and run ``CREATE DATABASE``/``DROP DATABASE``; tests never touch it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url

DEFAULT_SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CONNECT_TIMEOUT_S = 5


def server_url() -> URL:
    """The server to create test databases on; a bare ``postgresql://`` URL is given psycopg 3."""
    url = make_url(os.environ.get("SERTAKAN_TEST_POSTGRES_URL") or DEFAULT_SERVER_URL)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername != "postgresql+psycopg":
        raise ValueError(f"SERTAKAN_TEST_POSTGRES_URL must be a PostgreSQL URL, got {url!r}")
    return url


def describe(url: URL) -> str:
    """``host:port/database`` as user, without the password, for messages."""
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database} as {url.username}"


def _connect(url: URL) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        dbname=url.database,
        connect_timeout=CONNECT_TIMEOUT_S,
        autocommit=True,
    )


def check_reachable(url: URL) -> str | None:
    """``None`` if the server answers, else why not (the driver's message)."""
    try:
        with _connect(url) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return " ".join(str(exc).split())
    return None


def create_database(url: URL) -> str:
    """Create ``sertakan_test_<pid>_<random>`` (UTF-8, from template0) and return its name."""
    name = f"sertakan_test_{os.getpid()}_{secrets.token_hex(4)}"
    with _connect(url) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
                sql.Identifier(name)
            )
        )
    return name


def drop_database(url: URL, name: str) -> None:
    """Drop it even if a test left connections open (PostgreSQL 13+: ``WITH (FORCE)``)."""
    with _connect(url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextlib.contextmanager
def fresh_database(url: URL) -> Iterator[str]:
    """Yield the SQLAlchemy URL (password included) of a new empty database; drop it afterwards."""
    name = create_database(url)
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        drop_database(url, name)
