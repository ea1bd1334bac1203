"""The package stands on its own: its data ships inside it and its state follows the settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sertakan.config import Settings, bundled_regions_dir
from sertakan.registry.regions import RegionDirectory

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
# Spelled in pieces so that this file, which must name them, does not match its own scan.
OUTSIDE_FILES = ("REGULATION" + ".md", ".." + "/shared", "shared" + "/data")


def test_the_region_data_ships_inside_the_package() -> None:
    folder = bundled_regions_dir()
    assert folder.is_relative_to(SRC / "sertakan")
    directory = RegionDirectory.from_directory(folder)
    assert directory.village("32.71.01.1001") is not None
    assert (folder / "README.md").read_text().count("MIT") >= 2


def test_state_defaults_to_var_under_the_working_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATA_DIR", "DATABASE_URL", "ANALYTICS_DIR", "SANDBOX_DB", "REGIONS_DIR"):
        monkeypatch.delenv(f"SERTAKAN_{name}", raising=False)
    settings = Settings()
    assert settings.database_url == f"sqlite:///{Path('var') / 'sertakan.db'}"
    assert settings.analytics_dir == Path("var") / "analytics"
    assert settings.sandbox_db == Path("var") / "sandbox.sqlite"
    assert settings.regions_dir == bundled_regions_dir()


def test_one_data_directory_moves_every_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SERTAKAN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SERTAKAN_DATABASE_URL", raising=False)
    settings = Settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'sertakan.db'}"
    assert settings.analytics_dir == tmp_path / "analytics"
    assert settings.sandbox_db == tmp_path / "sandbox.sqlite"


def test_nothing_in_the_package_reads_files_beside_the_checkout() -> None:
    """No path is computed from the source tree (a wheel has none) or its neighbours."""
    offenders = [
        str(path.relative_to(SRC))
        for path in (SRC / "sertakan").rglob("*.py")
        if "parents[" in path.read_text() or OUTSIDE_FILES[1] in path.read_text()
    ]
    assert offenders == []


def test_code_tests_and_docs_cite_the_law_and_the_repo_never_a_file_outside_it() -> None:
    """A clone has no research file beside it: cite the regulation, a parameter file, or a doc
    of the repository (docs/rules.md, docs/regulation.md) instead."""
    offenders = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for folder in ("src", "tests", "bench", "docs")
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
        for name in OUTSIDE_FILES
        if name in path.read_text(encoding="utf-8", errors="ignore")
    )
    assert offenders == [], "files citing something outside the repository:\n" + "\n".join(
        offenders
    )


def test_the_regions_load_from_an_installed_copy_without_the_checkout(tmp_path: Path) -> None:
    """Import the package from a copy elsewhere, with no checkout around it."""
    copy = tmp_path / "site"
    copy.mkdir()
    subprocess.run(["cp", "-r", str(SRC / "sertakan"), str(copy)], check=True)
    code = (
        "from sertakan.config import Settings; from sertakan.registry.regions import "
        "RegionDirectory; s = Settings(); "
        "print(s.regions_dir); print(RegionDirectory.from_directory(s.regions_dir).village("
        "'32.71.01.1001').name)"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(copy)!r}); {code}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out[0].startswith(str(copy))
    assert out[1]
