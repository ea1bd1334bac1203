"""The real region codes, read once per session from the shared reference data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sertakan.registry.regions import RegionDirectory

REPO = Path(__file__).resolve().parents[3]


def regions_dir() -> Path:
    """``<repo>/../shared/data/regions``, or the folder named by ``SERTAKAN_REGIONS_DIR``."""
    configured = os.environ.get("SERTAKAN_REGIONS_DIR")
    return Path(configured) if configured else REPO.parent / "shared" / "data" / "regions"


@pytest.fixture(scope="session")
def regions() -> RegionDirectory:
    folder = regions_dir()
    if not (folder / "regions.csv").is_file():
        pytest.fail(
            f"region data not found in {folder}; set SERTAKAN_REGIONS_DIR to the folder "
            "holding regions.csv, region_code_history.csv and population.csv"
        )
    return RegionDirectory.from_directory(folder)
