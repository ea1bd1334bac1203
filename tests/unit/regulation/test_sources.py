"""Every source key a parameter names resolves to a title and an address in the repository."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sertakan.regulation.loader import DEFAULT_DIRECTORY, ParameterFileError, load_parameters
from sertakan.regulation.sources import SourceFileError, load_sources


def test_every_key_named_by_a_parameter_is_in_the_sources_file() -> None:
    params = load_parameters()
    named = {key for series in params.series() for value in series.values for key in value.source}
    assert named
    assert named <= set(params.sources)
    for key in named:
        source = params.sources[key]
        assert source.title
        assert source.url or source.kind == "code"


def test_a_parameter_naming_an_unknown_source_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "parameters"
    shutil.copytree(DEFAULT_DIRECTORY, folder)
    path = folder / "bpu" / "jkm_amount.yaml"
    path.write_text(path.read_text().replace("S-kilasriau", "S-nowhere"))

    with pytest.raises(ParameterFileError) as refused:
        load_parameters(folder)

    assert refused.value.problems == [
        ("bpu/jkm_amount.yaml", "values[2015-07-01].source: S-nowhere is not in sources.yaml")
    ]


def test_a_key_listed_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    entry = "- {key: S-a, kind: news, title: A, url: 'https://a.example'}\n"
    path.write_text(entry * 2)

    with pytest.raises(SourceFileError, match="S-a is listed twice"):
        load_sources(path)
