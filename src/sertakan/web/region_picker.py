"""The cascading region selects: provinsi -> kabupaten/kota -> kecamatan -> desa/kelurahan.

`RegionTree` indexes the current edition's codes by parent once, when the app starts, so each
`/wilayah?induk=32.71&tingkat=kecamatan` answer is a dictionary look-up. `RegionChoice` is what
one picker shows: the options of every level and the code chosen at each, rebuilt on the server
from whatever was typed, so a form re-rendered with errors keeps the region.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sertakan.registry.regions import Region, RegionDirectory, canonical_code

# Bogor Kota is the branch this deployment starts at (the SERTAKAN article, Cabang Bogor Kota):
# a form with no better hint opens on Jawa Barat / Kota Bogor.
DEFAULT_REGENCY = "32.71"


class Level(StrEnum):
    """The levels of a region code, named as the form's fields are."""

    PROVINCE = "provinsi"
    REGENCY = "kabupaten"
    DISTRICT = "kecamatan"
    VILLAGE = "region_code"  # the village is what services store

    @property
    def depth(self) -> int:
        return LEVELS.index(self) + 1

    @property
    def child(self) -> Level | None:
        return LEVELS[self.depth] if self.depth < len(LEVELS) else None


LEVELS: tuple[Level, ...] = tuple(Level)


def _depth(code: str) -> int:
    return code.count(".") + 1


class RegionTree:
    """What the cascading selects offer, read from the registry's region directory."""

    def __init__(self, directory: RegionDirectory) -> None:
        self._directory = directory

    def children(self, parent: str) -> tuple[Region, ...]:
        """Regions directly inside `parent` ("" for the provinces); none for an unknown code."""
        return self._directory.children(parent)

    def name(self, code: str) -> str | None:
        return self._directory.edition_names.get(code)

    def options(self, level: Level, parent: str) -> tuple[Region, ...]:
        """What the select of `level` offers under `parent` (a code one level up)."""
        if level is Level.PROVINCE:
            return self.children("")
        dotted = canonical_code(parent) if parent else None
        if dotted is None or _depth(dotted) != level.depth - 1:
            return ()
        return self.children(dotted)


@dataclass(frozen=True, slots=True)
class LevelChoice:
    level: Level
    options: tuple[Region, ...]
    selected: str  # "" when nothing is chosen


@dataclass(frozen=True, slots=True)
class RegionChoice:
    levels: tuple[LevelChoice, ...]

    @classmethod
    def build(cls, tree: RegionTree, typed: dict[Level, str]) -> RegionChoice:
        """The picker for what was typed; a choice that does not sit in its parent is dropped."""
        parent = ""
        levels = []
        for level in LEVELS:
            options = tree.options(level, parent)
            wanted = (typed.get(level) or "").strip()
            selected = wanted if any(r.code == wanted for r in options) else ""
            levels.append(LevelChoice(level, options, selected))
            parent = selected
        return cls(tuple(levels))

    @classmethod
    def around(cls, tree: RegionTree, code: str) -> RegionChoice:
        """The picker opened on `code` (any level): every level above it chosen too."""
        dotted = canonical_code(code) or ""
        parts = dotted.split(".") if dotted else []
        typed = {level: ".".join(parts[: level.depth]) for level in LEVELS[: len(parts)]}
        return cls.build(tree, typed)
