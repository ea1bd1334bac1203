"""The PostgreSQL pool tests a connection only after it has lain idle (issue 12: a test per
checkout was a round trip per unit of work), and still replaces one the server has cut."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text

from sertakan.store import engine as engine_module
from sertakan.store.engine import make_engine
from sertakan.store.migrate import upgrade
from sertakan.store.unit_of_work import SqlUnitOfWork


@pytest.fixture
def engine(fresh_postgres_url: str) -> Iterator[Engine]:
    made = make_engine(fresh_postgres_url)
    upgrade(made)
    yield made
    made.dispose()


def _pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the pool's connection tests (`SELECT 1`, the dialect's `do_ping`)."""
    counted: list[int] = []
    ping = engine.dialect.do_ping

    def counting(dbapi_connection: Any) -> bool:
        counted.append(1)
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counting)
    return counted


def test_a_connection_used_a_moment_ago_is_not_pinged(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings = _pings(engine, monkeypatch)
    for _ in range(3):
        with SqlUnitOfWork(engine, read_only=True) as uow:
            uow.branches.all()  # migrated: see the fixture
    assert engine.pool.checkedin() == 1  # the same pooled connection served every read
    assert pings == []


def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(
    engine: Engine, fresh_postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with engine.connect() as connection:
        old_pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    # The server cuts the pooled connection (as a restart or an idle timeout would), from a
    # connection of its own (not the pool's).
    with make_engine(fresh_postgres_url).connect() as killer:
        killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": old_pid})
    monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 0.0)  # every connection is idle
    pings = _pings(engine, monkeypatch)
    with engine.connect() as connection:
        new_pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    assert new_pid != old_pid
    assert pings  # found dead by the test, not by a failed statement
