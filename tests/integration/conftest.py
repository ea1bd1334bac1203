from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sertakan.registry.ports import UnitOfWork
from sertakan.store.engine import make_engine
from sertakan.store.migrate import upgrade
from sertakan.store.unit_of_work import SqlUnitOfWork


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'sertakan.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_engine(fresh_postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(fresh_postgres_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def uow_factory(request: pytest.FixtureRequest) -> Callable[[], UnitOfWork]:
    """The same contract, held by both stores: SQLite and PostgreSQL."""
    engine: Engine = request.getfixturevalue(f"{request.param}_engine")
    return partial(SqlUnitOfWork, engine)
