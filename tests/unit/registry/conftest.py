"""The real region codes, read once per session from the data shipped inside the package."""

from __future__ import annotations

from pathlib import Path

import pytest

from sertakan.config import Settings
from sertakan.registry.regions import RegionDirectory


def regions_dir() -> Path:
    """The package's own region CSVs, or the folder named by ``SERTAKAN_REGIONS_DIR``."""
    return Settings().regions_dir


@pytest.fixture(scope="session")
def regions() -> RegionDirectory:
    return RegionDirectory.from_directory(regions_dir())
