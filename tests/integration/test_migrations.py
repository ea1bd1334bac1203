"""The same Alembic migrations build exactly the declared schema on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from sertakan.store.engine import make_engine
from sertakan.store.migrate import current_revision, downgrade, upgrade
from sertakan.store.tables import metadata


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrate.db'}"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


def test_migrations_create_exactly_the_tables_the_code_declares(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)

    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []
    assert current_revision(engine) is not None
    engine.dispose()


def test_migrations_run_down_to_nothing_and_up_again(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

    upgrade(engine)
    assert {"members", "sponsors", "sponsorships", "branches"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()


def test_running_the_migrations_twice_changes_nothing(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    before = current_revision(engine)
    upgrade(engine)
    assert current_revision(engine) == before
    engine.dispose()
