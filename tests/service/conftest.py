from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from sertakan.bootstrap import Container
from sertakan.kernel.clock import WIB, FixedClock
from tests.support.builders import open_branch
from tests.support.containers import sqlite_container

# Inside the PP 50/2025 window for non-transport workers (Apr-Dec 2026).
TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def container(tmp_path: Path) -> Iterator[Container]:
    clock = FixedClock(dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=WIB))
    with sqlite_container(tmp_path, clock=clock) as container:
        open_branch(container)
        yield container
