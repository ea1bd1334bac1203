"""The region directory as small tables a batch joins: current villages, NIK district codes.

A member's address must be a village (level 4) of the current edition of the region codes; a
NIK's first six digits must be a district code of any edition, because a NIK keeps the code of
the day it was issued (Dukcapil; `registry.regions.RegionDirectory`). Both sets come
from the registry's directory, read from the folder the caller names (`Settings.regions_dir`,
by default the edition shipped inside the package). Joined as tables, not as `IN (...)` lists
of 91,000 literals.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from sertakan.kernel.errors import ConfigurationError
from sertakan.registry.regions import RegionDirectory

VILLAGE_CODE = "village_code"
NIK_DISTRICT = "nik_district"


@dataclass(frozen=True, eq=False)
class RegionTables:
    """`villages` (column `village_code`, dotted) and `nik_districts` (`nik_district`)."""

    villages: ir.Table
    nik_districts: ir.Table

    @classmethod
    def of(cls, directory: RegionDirectory) -> RegionTables:
        villages = pa.table({VILLAGE_CODE: pa.array(directory.village_codes, pa.string())})
        districts = pa.table(
            {NIK_DISTRICT: pa.array(directory.district_codes_all_editions(), pa.string())}
        )
        return cls(villages=ibis.memtable(villages), nik_districts=ibis.memtable(districts))


def region_directory(regions_dir: Path) -> RegionDirectory:
    """The registry's region directory from `regions_dir` (the caller's `Settings.regions_dir`:
    analytics reads no settings of its own), read once per folder."""
    return _directory(Path(regions_dir).resolve())


@functools.lru_cache(maxsize=2)
def _directory(folder: Path) -> RegionDirectory:
    try:
        return RegionDirectory.from_directory(folder)
    except FileNotFoundError as missing:
        raise ConfigurationError(
            f"region data not found ({missing.filename}): SERTAKAN_REGIONS_DIR must name a "
            "folder with regions.csv, region_code_history.csv and population.csv (unset, the "
            "edition shipped inside the package is used)"
        ) from None
