"""Indonesia's administrative regions (kode wilayah), read from reference CSVs.

The data ships inside the package (``sertakan/registry/data/regions``, see its README); the caller
passes the folder, so nothing here knows where it is and nothing is read at import time.

Codes are dotted (``32.71.01.1001``): province (2 digits), regency/city (2), district/kecamatan
(2), village/desa-kelurahan (4). A NIK carries the first three without dots (``327101``,
Dukcapil). Every method also accepts the undotted form.
"""

from __future__ import annotations

import csv
import re
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

REGIONS_FILE = "regions.csv"
HISTORY_FILE = "region_code_history.csv"
POPULATION_FILE = "population.csv"

NATIONAL_CODE = "0"  # population.csv's row for the whole of Indonesia

_DISTRICT_LEVEL = 3
_VILLAGE_LEVEL = 4
# Digits per level: province 2, regency 2, district 2, village 4.
_PART_LENGTHS = (2, 2, 2, 4)
_UNDOTTED_LENGTHS = {2: 1, 4: 2, 6: 3, 10: 4}
_DOTTED = re.compile(r"[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?", re.ASCII)


@dataclass(frozen=True, slots=True)
class Region:
    """A region of any level: its dotted code and its name."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Village:
    """A village (desa/kelurahan) of the current edition, with the regions above it."""

    code: str
    name: str
    district: Region
    regency: Region
    province: Region


def canonical_code(code: str) -> str | None:
    """The dotted form of a region code, or None when it is not one.

    Accepts ``"32.71.01"`` and ``"327101"`` alike (a NIK's first six digits).
    """
    text = code.strip()
    if _DOTTED.fullmatch(text):
        return text
    if not (text.isascii() and text.isdigit()) or len(text) not in _UNDOTTED_LENGTHS:
        return None
    parts: list[str] = []
    start = 0
    for length in _PART_LENGTHS[: _UNDOTTED_LENGTHS[len(text)]]:
        parts.append(text[start : start + length])
        start += length
    return ".".join(parts)


def _rows(path: Path, header: tuple[str, ...]) -> Iterator[dict[str, str]]:
    # newline="" because the files use CRLF line endings (csv module's own handling).
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != header:
            raise ValueError(f"{path}: expected columns {header}, found {reader.fieldnames}")
        yield from reader


@dataclass(frozen=True, slots=True)
class RegionDirectory:
    """Region names and codes of the current edition, plus every district code ever issued.

    Build it with `from_directory`; it is immutable and safe to share between threads.
    """

    edition_names: Mapping[str, str]  # dotted code -> name, current edition, all levels
    village_codes: tuple[str, ...]  # sorted dotted level-4 codes, current edition
    historical_names: Mapping[str, str]  # dotted code -> name in the last edition listing it
    nik_districts: frozenset[str]  # six-digit district codes seen in any edition
    populations: Mapping[str, int]  # "0", province and regency codes -> total population
    children_of: Mapping[str, tuple[Region, ...]]  # parent code ("" = nation) -> sorted by name

    @classmethod
    def from_directory(cls, path: Path) -> RegionDirectory:
        """Read ``regions.csv``, ``region_code_history.csv`` and ``population.csv`` from `path`."""
        names: dict[str, str] = {}
        villages: list[str] = []
        nik_districts: set[str] = set()
        for row in _rows(path / REGIONS_FILE, ("code", "name", "level", "parent")):
            code = row["code"]
            # A few names carry a trailing space in the source (e.g. "Kota Administrasi
            # Jakarta Utara "); strip so that printed addresses and comparisons are clean.
            names[code] = row["name"].strip()
            level = int(row["level"])
            if level == _VILLAGE_LEVEL:
                villages.append(code)
            elif level == _DISTRICT_LEVEL:
                nik_districts.add(code.replace(".", ""))

        historical: dict[str, str] = {}
        history_header = ("code", "level", "first_edition", "last_edition", "name_in_last_edition")
        for row in _rows(path / HISTORY_FILE, history_header):
            historical[row["code"]] = row["name_in_last_edition"].strip()
            # A NIK keeps the district code of the day it was issued (Dukcapil), so a
            # code dropped by a later edition (e.g. Papua's 2022 split) stays valid on a NIK.
            if int(row["level"]) == _DISTRICT_LEVEL:
                nik_districts.add(row["code"].replace(".", ""))

        populations = {
            row["code"]: int(row["total"])
            for row in _rows(path / POPULATION_FILE, ("code", "name", "male", "female", "total"))
        }
        villages.sort()
        children: dict[str, list[Region]] = {}
        for code, name in names.items():
            children.setdefault(code.rpartition(".")[0], []).append(Region(code, name))
        return cls(
            edition_names=MappingProxyType(names),
            village_codes=tuple(villages),
            historical_names=MappingProxyType(historical),
            nik_districts=frozenset(nik_districts),
            populations=MappingProxyType(populations),
            children_of=MappingProxyType(
                {
                    parent: tuple(sorted(found, key=lambda r: (r.name.casefold(), r.code)))
                    for parent, found in children.items()
                }
            ),
        )

    def children(self, parent: str) -> tuple[Region, ...]:
        """Regions of the current edition directly inside `parent` ("" for the provinces),
        sorted by name; none for an unknown code."""
        dotted = canonical_code(parent) if parent else ""
        return self.children_of.get(dotted, ()) if dotted is not None else ()

    def is_known_nik_district(self, six_digits: str) -> bool:
        """True when a NIK may start with this district code: it appears in any edition."""
        return six_digits in self.nik_districts

    def district_codes_current(self) -> tuple[str, ...]:
        """Six-digit (NIK form) district codes of the current edition, sorted."""
        return tuple(
            sorted(
                code.replace(".", "")
                for code in self.edition_names
                if code.count(".") == _DISTRICT_LEVEL - 1
            )
        )

    def district_codes_all_editions(self) -> tuple[str, ...]:
        """Six-digit district codes that any edition listed (what a NIK may carry), sorted."""
        return tuple(sorted(self.nik_districts))

    def name(self, code: str) -> str | None:
        """The region's name in the current edition, else in the last edition that listed it."""
        dotted = canonical_code(code)
        if dotted is None:
            return None
        return self.edition_names.get(dotted) or self.historical_names.get(dotted)

    def village(self, code: str) -> Village | None:
        """The village with this level-4 code in the current edition, or None."""
        dotted = canonical_code(code)
        if dotted is None or dotted.count(".") != _VILLAGE_LEVEL - 1:
            return None
        name = self.edition_names.get(dotted)
        if name is None:
            return None
        return Village(
            code=dotted,
            name=name,
            district=self._region(dotted[:8]),
            regency=self._region(dotted[:5]),
            province=self._region(dotted[:2]),
        )

    def villages_in(self, prefix: str) -> list[Village]:
        """Every current village inside the region `prefix` (e.g. ``"32.71"``), in code order."""
        dotted = canonical_code(prefix)
        if dotted is None:
            return []
        if dotted.count(".") == _VILLAGE_LEVEL - 1:
            village = self.village(dotted)
            return [] if village is None else [village]
        codes = self.village_codes
        # "/" sorts right after ".", so [prefix + ".", prefix + "/") is exactly the subtree.
        start = bisect_left(codes, dotted + ".")
        stop = bisect_left(codes, dotted + "/", lo=start)
        return [village for code in codes[start:stop] if (village := self.village(code))]

    def population(self, code: str) -> int | None:
        """Total population of Indonesia (``"0"``), a province or a regency; None otherwise."""
        if code.strip() == NATIONAL_CODE:
            return self.populations.get(NATIONAL_CODE)
        dotted = canonical_code(code)
        return None if dotted is None else self.populations.get(dotted)

    def _region(self, dotted: str) -> Region:
        return Region(dotted, self.edition_names[dotted])
