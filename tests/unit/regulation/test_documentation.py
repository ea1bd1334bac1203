"""`docs/regulation.md` is written from the parameter files and never drifts from them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from sertakan.cli.app import app
from sertakan.regulation.documentation import render
from sertakan.regulation.loader import load_parameters

DOCS = Path(__file__).resolve().parents[3] / "docs" / "regulation.md"


def test_the_committed_regulation_docs_are_the_parameters_as_they_are() -> None:
    assert DOCS.read_text(encoding="utf-8") == render(load_parameters()), (
        "docs/regulation.md is stale: run `sertakan regulation docs`"
    )


def test_every_quantity_value_and_source_is_documented() -> None:
    params = load_parameters()
    text = render(params)
    for series in params.series():
        assert f"### `{series.name}`" in text
        assert f"File `{series.file}`" in text
        for value in series.values:
            assert f"| {value.effective.isoformat()} |" in text
    for key, source in params.sources.items():
        assert f"`{key}`" in text
        if source.url:
            assert f"]({source.url})" in text
    assert "| `bpu.coverage_policy` | 2015-07-01 |" in text  # listed among the uncertain


def test_the_check_fails_on_a_stale_file_and_the_command_mends_it(tmp_path: Path) -> None:
    out = tmp_path / "regulation.md"
    out.write_text("# old\n")
    runner = CliRunner()

    stale = runner.invoke(app, ["regulation", "docs", "--check", "--out", str(out)])
    assert stale.exit_code == 1
    assert "stale" in stale.output

    assert runner.invoke(app, ["regulation", "docs", "--out", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8") == render(load_parameters())
    assert runner.invoke(app, ["regulation", "docs", "--check", "--out", str(out)]).exit_code == 0
