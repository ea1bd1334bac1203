"""A whole container, migrated, with a cheap password hasher, a recording message provider
and the sandbox gateway's books in tmp_path: on a fresh SQLite file (the embedded default,
`sqlite_container`) or on any database (`container_on`, with `database_url` for a fixture
parametrized over SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from unittest.mock import patch

import pytest
from sqlalchemy import Engine, create_engine, make_url

from sertakan import bootstrap as bootstrap_module
from sertakan.billing.ports import PaymentGateway
from sertakan.bootstrap import Container, bootstrap
from sertakan.config import Settings
from sertakan.kernel.clock import Clock
from sertakan.notifications.providers import RecordingProvider
from sertakan.store.engine import make_engine
from sertakan.store.migrate import upgrade
from tests.support.auth import cheap_hasher

SECRET = "t" * 32
GATEWAY_SECRET = "g" * 32


def test_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": f"sqlite:///{tmp_path / 'sertakan.db'}",
        "secret_key": SECRET,
        "gateway_secret": GATEWAY_SECRET,
        "sandbox_db": tmp_path / "sandbox.sqlite",
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The database of a fixture parametrized over "sqlite" and "postgres": a file in
    tmp_path, or a fresh PostgreSQL database for this test alone."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("fresh_postgres_url")
        return url
    return f"sqlite:///{tmp_path / 'sertakan.db'}"


@contextmanager
def container_on(
    url: str,
    tmp_path: Path,
    *,
    clock: Clock | None = None,
    provider: RecordingProvider | None = None,
    gateway: PaymentGateway | None = None,
    pool_size: int | None = None,
    **settings: object,
) -> Iterator[Container]:
    """A whole container on `url`, migrated. `pool_size`: on PostgreSQL, a pool as large as
    the crowd of threads a concurrency test sends (SQLite has one writer at a time whatever
    the pool: `make_engine` itself)."""

    def engine_for(url: str) -> Engine:
        if pool_size is None or make_url(url).get_backend_name() != "postgresql":
            return make_engine(url)
        return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=0)

    with patch.object(bootstrap_module, "make_engine", engine_for):
        container = bootstrap(
            test_settings(tmp_path, database_url=url, **settings),
            clock=clock,
            hasher=cheap_hasher(),
            provider=provider or RecordingProvider(),
            gateway=gateway,
        )
    upgrade(container.engine)
    try:
        yield container
    finally:
        close = getattr(container.gateway, "close", None)
        if close is not None:
            close()
        container.engine.dispose()


def sqlite_container(
    tmp_path: Path,
    *,
    clock: Clock | None = None,
    provider: RecordingProvider | None = None,
    gateway: PaymentGateway | None = None,
    **settings: object,
) -> AbstractContextManager[Container]:
    """`container_on` the embedded default: a SQLite file in tmp_path."""
    url = f"sqlite:///{tmp_path / 'sertakan.db'}"
    return container_on(url, tmp_path, clock=clock, provider=provider, gateway=gateway, **settings)
