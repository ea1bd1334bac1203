"""The PostgreSQL harness gives each session (or test) a real, empty database of its own."""

from __future__ import annotations

import contextlib

import sqlalchemy as sa

from tests.support import postgres


def test_a_row_written_to_the_fresh_database_can_be_read_back(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text("CREATE TABLE peserta (id serial PRIMARY KEY, nama text NOT NULL)")
            )
            conn.execute(
                sa.text("INSERT INTO peserta (nama) VALUES (:nama)"), {"nama": "Siti Aminah"}
            )
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, nama FROM peserta")).all()
    finally:
        engine.dispose()

    assert [tuple(row) for row in rows] == [(1, "Siti Aminah")]


def test_the_session_database_is_new_empty_and_utf8(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            name = conn.execute(sa.text("SELECT current_database()")).scalar_one()
            encoding = conn.execute(sa.text("SHOW server_encoding")).scalar_one()
            tables = conn.execute(
                sa.text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            ).scalar_one()
    finally:
        engine.dispose()

    assert name.startswith("sertakan_test_")
    assert encoding == "UTF8"
    assert tables <= 1  # at most the table of the test above


def test_each_test_gets_its_own_database_and_it_is_dropped_afterwards(
    fresh_postgres_url: str, postgres_url: str
) -> None:
    assert fresh_postgres_url != postgres_url
    server = postgres.server_url()
    with postgres.fresh_database(server) as inner_url:
        inner_name = sa.make_url(inner_url).database
        engine = sa.create_engine(inner_url, poolclass=sa.pool.NullPool)
        lingering = engine.connect()  # left open on purpose: the drop must force it closed
        assert lingering.execute(sa.text("SELECT 1")).scalar_one() == 1
    with contextlib.suppress(sa.exc.DBAPIError):
        lingering.close()

    admin = sa.create_engine(server)
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                sa.text("SELECT count(*) FROM pg_database WHERE datname = :n"), {"n": inner_name}
            ).scalar_one()
    finally:
        admin.dispose()
    assert exists == 0
