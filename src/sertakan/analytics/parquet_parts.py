"""Numbered Parquet parts and directories, written under a temporary name and renamed.

A batch job's input and output come in parts (`part-00000.parquet`, ...). A part is written to
a hidden temporary name in the same folder and renamed into place only when complete, so a
reader (or a restarted job) sees a whole part or none, never half of one, even after kill -9:
`os.replace` of a file or of a directory is atomic on a POSIX file system.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PART_GLOB = "part-*.parquet"
_TEMPORARY_PREFIX = ".tmp-"


def part_name(index: int, suffix: str = ".parquet") -> str:
    return f"part-{index:05d}{suffix}"


def parts_in(folder: Path) -> list[Path]:
    """The complete parts in `folder`, in order (temporary files are hidden, so not listed)."""
    return sorted(folder.glob(PART_GLOB))


@contextmanager
def written_atomically(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success, rename it to `target`.

    Works for a file or a directory. On an exception the temporary path is removed and
    `target` is left as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f"{_TEMPORARY_PREFIX}{target.name}-{os.getpid()}")
    remove(temporary)
    try:
        yield temporary
        _sync(temporary)
        if target.is_dir():  # a directory is replaced only when the old one is gone
            shutil.rmtree(target)
        os.replace(temporary, target)
        _sync_directory(target.parent)
    finally:
        remove(temporary)


def remove_temporaries(folder: Path) -> None:
    """Remove what a killed writer left behind in `folder` (its temporary names)."""
    if folder.is_dir():
        for leftover in folder.glob(f"{_TEMPORARY_PREFIX}*"):
            remove(leftover)


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _sync(path: Path) -> None:
    # The rename must not reach the disk before the data it names (a power cut, not kill -9).
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    for file in files:
        with file.open("rb") as handle:
            os.fsync(handle.fileno())


def _sync_directory(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
