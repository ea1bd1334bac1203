from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sertakan.app import create_app
from sertakan.bootstrap import Container, bootstrap
from sertakan.config import Settings
from sertakan.registry.model import Branch
from sertakan.store.migrate import upgrade

TODAY = "2026-11-25"  # inside the PP 50/2025 window for non-transport workers


@pytest.fixture
def container(tmp_path: Path) -> Iterator[Container]:
    container = bootstrap(Settings(database_url=f"sqlite:///{tmp_path / 'api.db'}", today=TODAY))
    assert container.engine is not None
    upgrade(container.engine)
    container.registry.add_branch(Branch("BOGOR_KOTA", "Kantor Cabang Bogor Kota", "32.71"))
    yield container
    container.engine.dispose()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        yield client
