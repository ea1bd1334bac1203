"""`sertakan synth population` and `sertakan billing run` as an operator types them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sertakan.cli.app import app

runner = CliRunner()


def test_a_small_nation_is_written_and_billed_from_the_command_line(tmp_path: Path) -> None:
    nation, out = tmp_path / "nation", tmp_path / "out"
    made = runner.invoke(
        app,
        ["synth", "population", "--members", "3000", "--seed", "9", "--out", str(nation),
         "--dirty-share", "0.01"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "Wrote 3,000 members" in made.output
    manifest = json.loads((nation / "manifest.json").read_text())
    dirty = manifest["row_counts"]["dirty_members"]

    billed = runner.invoke(
        app,
        ["billing", "run", "--month", "2024-12", "--members", str(nation), "--out", str(out)],
    )
    assert billed.exit_code == 0, billed.output
    assert f"Members billed: {3000 - dirty:,}" in billed.output
    assert f"Rejected: {dirty:,}" in billed.output
    assert "members/s" in billed.output


def test_an_unknown_engine_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["billing", "run", "--month", "2024-03", "--engine", "hadoop",
         "--members", str(tmp_path), "--out", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "choose one of duckdb, spark" in result.output


def test_members_without_the_contract_columns_are_refused_by_name(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "members").mkdir()
    pq.write_table(pa.table({"member_id": ["M1"]}), tmp_path / "members" / "part-00000.parquet")
    result = runner.invoke(
        app,
        ["billing", "run", "--month", "2024-03", "--members", str(tmp_path),
         "--out", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "no column 'nik'" in result.output
