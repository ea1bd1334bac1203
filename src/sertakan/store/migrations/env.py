"""Alembic environment: the engine is handed in by `sertakan.store.migrate`, never built here."""

from __future__ import annotations

from alembic import context

from sertakan.store.tables import metadata

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
