"""`sertakan --help` and the quick commands start without importing the heavy engines: those
are imported inside the commands that use them (the CLI took 6-12 s to start when every
command module imported them at its top). No timing here: what is imported is what decides
the start-up time, and it is checked in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ENGINES = (
    "pyspark",
    "ibis",
    "duckdb",
    "pyarrow",
    "sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "uvicorn",
    "jinja2",
    "httpx",
    "apscheduler",
    "holidays",
)
PROBE = """
import sys
from sertakan.cli.app import app
try:
    app(sys.argv[1:])
except SystemExit as stop:
    if stop.code not in (0, None):
        raise
print(" ".join(sorted(m for m in {engines!r} if m in sys.modules)), file=sys.stderr)
"""


def imported_engines(tmp_path: Path, *args: str) -> set[str]:
    """Run `sertakan ARGS` in a fresh interpreter; the engines it had imported at the end."""
    env = dict(os.environ, SERTAKAN_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}")
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(engines=ENGINES), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return set(done.stderr.split())


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("billing", "--help"),
        ("nation", "report", "--help"),
        ("coverage", "report", "--help"),  # the old name, kept as an alias
        ("access", "matrix"),
        ("contribution", "bpu", "--income", "2500000", "--on", "2025-06-01"),
        ("contribution", "pu", "--wage", "10000000", "--risk-class", "medium"),
    ],
    ids=" ".join,
)
def test_help_and_the_quick_commands_import_no_engine(tmp_path: Path, args: tuple[str]) -> None:
    assert imported_engines(tmp_path, *args) == set()
