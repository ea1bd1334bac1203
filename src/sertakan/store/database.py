"""The database as an operator sees it: whether it answers, and bringing its tables up to the
newest migration. Built by `bootstrap`, so `/healthz` and `sertakan db upgrade` ask a service
and never import the store (issue 13: the entrypoints receive services)."""

from __future__ import annotations

from sqlalchemy import Engine

from sertakan.store.engine import ping


class SqlDatabase:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def url(self) -> str:
        """The database's URL without its password (for the operator's console)."""
        return self._engine.url.render_as_string(hide_password=True)

    def answers(self) -> bool:
        """Whether the database answers `SELECT 1` (`store.engine.ping`)."""
        return ping(self._engine)

    def upgrade(self) -> str | None:
        """Apply every migration; the revision the database is at afterwards. Alembic is
        imported here: only `sertakan db upgrade` needs it."""
        from sertakan.store.migrate import current_revision, upgrade

        upgrade(self._engine)
        return current_revision(self._engine)
