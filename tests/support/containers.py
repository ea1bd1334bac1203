"""A whole container on a fresh SQLite file: the embedded default, migrated, with a cheap
password hasher, a recording message provider and the sandbox gateway's books in tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sertakan.billing.ports import PaymentGateway
from sertakan.bootstrap import Container, bootstrap
from sertakan.config import Settings
from sertakan.kernel.clock import Clock
from sertakan.notifications.providers import RecordingProvider
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


@contextmanager
def sqlite_container(
    tmp_path: Path,
    *,
    clock: Clock | None = None,
    provider: RecordingProvider | None = None,
    gateway: PaymentGateway | None = None,
    **settings: object,
) -> Iterator[Container]:
    container = bootstrap(
        test_settings(tmp_path, **settings),
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
