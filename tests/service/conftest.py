from __future__ import annotations

import datetime as dt

import pytest

from sertakan.bootstrap import Container, bootstrap
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.model import Branch
from tests.support.auth import cheap_hasher

# Inside the PP 50/2025 window for non-transport workers (Apr-Dec 2026).
TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def container() -> Container:
    clock = FixedClock(dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=WIB))
    container = bootstrap(
        clock=clock, in_memory=True, hasher=cheap_hasher(), provider=RecordingProvider()
    )
    container.registry.add_branch(Branch("BOGOR_KOTA", "Kantor Cabang Bogor Kota", "32.71"))
    return container
