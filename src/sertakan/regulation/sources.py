"""Where the project saw each legal figure stated: source keys -> title and address.

A dated value cites the regulation itself (`reference`) and lists source keys (`source`, e.g.
`S-cnbc-2023`); `sources.yaml` beside this module resolves every key to a title and an address,
so an API user or a reader of `docs/regulation.md` can follow it. The loader refuses a parameter
file that names a key missing there.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, Strict, TypeAdapter, ValidationError

from sertakan.kernel.errors import SertakanError

DEFAULT_FILE = Path(__file__).resolve().parent / "sources.yaml"

Kind = Literal["official", "news", "code"]


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Annotated[str, Strict(), Field(pattern=r"^S-[A-Za-z0-9-]+$")]
    kind: Kind
    title: Annotated[str, Strict(), Field(min_length=1)]
    url: Annotated[str, Field(pattern=r"^https?://")] | None = None


class SourceFileError(SertakanError):
    """The sources file is broken: a duplicate key or an entry of the wrong shape."""


class Sources(Mapping[str, Source]):
    """The sources by key, in the file's order."""

    def __init__(self, entries: list[Source]) -> None:
        self._by_key: dict[str, Source] = {}
        for entry in entries:
            if entry.key in self._by_key:
                raise SourceFileError(f"sources: {entry.key} is listed twice")
            self._by_key[entry.key] = entry

    def __getitem__(self, key: str) -> Source:
        return self._by_key[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_key)

    def __len__(self) -> int:
        return len(self._by_key)

    def resolve(self, keys: tuple[str, ...]) -> tuple[Source, ...]:
        """The sources behind `keys`; a key not listed is a broken parameter file, refused at
        load, so here it raises KeyError."""
        return tuple(self._by_key[key] for key in keys)


_ENTRIES = TypeAdapter(list[Source])


def load_sources(path: Path | None = None) -> Sources:
    """Read and check the sources file (default: the one shipped with the package)."""
    if path is None:
        return _default()
    return _read(path)


@functools.lru_cache(maxsize=1)
def _default() -> Sources:
    return _read(DEFAULT_FILE)


def _read(path: Path) -> Sources:
    try:
        entries = _ENTRIES.validate_python(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        raise SourceFileError(f"{path.name}: {exc}") from None
    return Sources(entries)
