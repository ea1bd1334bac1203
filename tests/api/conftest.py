from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sertakan.access.roles import Role
from sertakan.app import create_app
from sertakan.bootstrap import Container, bootstrap
from sertakan.config import Settings
from sertakan.notifications.providers import RecordingProvider
from sertakan.store.migrate import upgrade
from tests.support.auth import FormClient, bearer, cheap_hasher
from tests.support.builders import open_branch
from tests.support.containers import GATEWAY_SECRET

TODAY = "2026-11-25"  # inside the PP 50/2025 window for non-transport workers


@pytest.fixture
def provider() -> RecordingProvider:
    return RecordingProvider()


@pytest.fixture
def container(tmp_path: Path, provider: RecordingProvider) -> Iterator[Container]:
    container = bootstrap(
        Settings(
            database_url=f"sqlite:///{tmp_path / 'api.db'}",
            today=TODAY,
            secret_key="t" * 32,
            gateway_secret=GATEWAY_SECRET,
            sandbox_db=tmp_path / "sandbox.sqlite",
        ),
        hasher=cheap_hasher(),
        provider=provider,
    )
    assert container.engine is not None
    upgrade(container.engine)
    open_branch(container, Role.OFFICER)
    yield container
    container.engine.dispose()


@pytest.fixture
def anonymous(container: Container) -> Iterator[TestClient]:
    """A client nobody signed in to (API and pages)."""
    with FormClient(create_app(container), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    """A client signed in as a branch officer of Bogor Kota: bearer token for the API, a
    session for the pages."""
    from tests.support.auth import web_sign_in

    with FormClient(create_app(container), raise_server_exceptions=False) as client:
        client.headers.update(bearer(client, Role.OFFICER.value))
        web_sign_in(client, Role.OFFICER.value)
        yield client
