"""The loader reads the real parameters and refuses broken files, naming file and problem."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from sertakan.kernel.errors import ParameterMissing
from sertakan.regulation.loader import (
    DEFAULT_DIRECTORY,
    ParameterFileError,
    Parameters,
    load_parameters,
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "parameters"
    shutil.copytree(DEFAULT_DIRECTORY, target)
    return target


def edit(folder: Path, relative: str, old: str, new: str) -> None:
    path = folder / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def refusal(folder: Path) -> str:
    with pytest.raises(ParameterFileError) as caught:
        load_parameters(folder)
    return str(caught.value)


def test_the_real_parameters_load_and_every_value_is_cited(params: Parameters) -> None:
    series = list(params.series())
    assert len(series) == 19
    for one in series:
        assert one.values, one.file
        for value in one.values:
            assert value.reference and value.source and value.last_verified, one.file


def test_the_default_parameters_are_loaded_once_and_cached() -> None:
    assert load_parameters() is load_parameters()


def test_a_copy_of_the_parameters_loads_and_only_the_default_is_cached(folder: Path) -> None:
    # No time limit here: speed lives in bench/, never in a timed unit test.
    loaded = load_parameters(folder)
    assert loaded.bpu.jkm_amount.value_on(dt.date(2025, 6, 1)).value == 6800
    assert load_parameters(folder) is not loaded  # only the default folder is cached


def test_a_value_exposes_its_reference_for_callers_to_cite(params: Parameters) -> None:
    value = params.pu.jkk_risk_class_rates.value_on(dt.date(2023, 10, 6))
    assert value.reference == "PP 44/2015 art. 16(1); PP 49/2023 art. 16A(1)–(3)"
    assert value.sources == "[S-cnbc-2023], [S-lawjustice], [S-suarapecari]"
    assert value.status == "confirmed"


def test_a_date_before_any_value_is_not_in_the_parameters_yet(params: Parameters) -> None:
    with pytest.raises(ParameterMissing, match=r"bpu/jkk_rate\.yaml: not in the parameters yet"):
        params.bpu.jkk_rate.value_on(dt.date(2015, 6, 30))
    with pytest.raises(ParameterMissing, match=r"pu/jp_wage_cap\.yaml"):
        params.pu.jp_wage_cap.value_on(dt.date(2021, 1, 31))
    assert params.pu.jkp_rates.in_force_on(dt.date(2021, 2, 1)) is None


def test_the_value_in_force_changes_on_its_effective_day(params: Parameters) -> None:
    cap = params.pu.jp_wage_cap
    assert cap.value_on(dt.date(2024, 2, 29)).value == 9_559_600
    assert cap.value_on(dt.date(2024, 3, 1)).value == 10_042_300
    assert cap.value_on(dt.date(2099, 1, 1)).value == 10_547_400


def test_uncertain_lists_every_uncertain_value_with_its_note(params: Parameters) -> None:
    listed = {(item.file, item.effective) for item in params.uncertain()}
    assert ("bpu/declared_income_levels.yaml", dt.date(2015, 7, 1)) in listed  # step (policy P1)
    assert ("bpu/eligibility.yaml", dt.date(2015, 7, 1)) in listed
    assert ("bpu/pp50_2025_discount.yaml", dt.date(2025, 12, 22)) in listed  # rounding
    assert ("pu/jkm_rate.yaml", dt.date(2025, 2, 7)) in listed
    assert ("pu/jp_wage_cap.yaml", dt.date(2025, 3, 1)) in listed
    assert ("bpu/jkk_rate.yaml", dt.date(2015, 7, 1)) not in listed
    assert all(item.note.strip() for item in params.uncertain())


def test_an_unknown_key_is_refused(folder: Path) -> None:
    edit(
        folder,
        "bpu/jkk_rate.yaml",
        "    status: confirmed",
        "    status: confirmed\n    colour: red",
    )
    message = refusal(folder)
    assert "bpu/jkk_rate.yaml" in message
    assert "unknown key 'colour'" in message


def test_an_unknown_key_inside_a_value_is_refused(folder: Path) -> None:
    edit(
        folder, "bpu/eligibility.yaml", "      min_age: 15", "      min_age: 15\n      max_age: 70"
    )
    message = refusal(folder)
    assert "bpu/eligibility.yaml" in message
    assert "unknown key 'max_age'" in message


def test_unsorted_effective_dates_are_refused(folder: Path) -> None:
    edit(folder, "pu/jp_wage_cap.yaml", "effective: 2022-03-01", "effective: 2020-03-01")
    message = refusal(folder)
    assert "pu/jp_wage_cap.yaml" in message
    assert "not sorted: 2020-03-01 comes after 2021-02-01" in message


def test_duplicate_effective_dates_are_refused(folder: Path) -> None:
    edit(folder, "pu/jp_wage_cap.yaml", "effective: 2023-03-01", "effective: 2022-03-01")
    message = refusal(folder)
    assert "pu/jp_wage_cap.yaml" in message
    assert "duplicate effective date 2022-03-01" in message


@pytest.mark.parametrize("key", ["reference", "source", "last_verified"])
def test_a_value_without_its_citation_is_refused(folder: Path, key: str) -> None:
    path = folder / "bpu/jkm_amount.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(ln for ln in lines if not ln.startswith(f"    {key}:")) + "\n")
    message = refusal(folder)
    assert "bpu/jkm_amount.yaml" in message
    assert f"missing required key '{key}'" in message


def test_an_empty_reference_is_refused(folder: Path) -> None:
    edit(folder, "bpu/jkm_amount.yaml", "reference: PP 44/2015 art. ?", 'reference: ""')
    message = refusal(folder)
    assert "bpu/jkm_amount.yaml" in message
    assert "reference" in message


def test_a_rate_written_as_a_float_is_refused(folder: Path) -> None:
    edit(folder, "bpu/jkk_rate.yaml", 'value: "0.01"', "value: 0.01")
    message = refusal(folder)
    assert "bpu/jkk_rate.yaml" in message
    assert 'a rate must be a quoted string such as "0.01", not the float 0.01' in message


def test_a_float_rate_deep_inside_a_value_is_refused(folder: Path) -> None:
    edit(folder, "pu/jht_rates.yaml", 'worker: "0.02"', "worker: 0.02")
    message = refusal(folder)
    assert "pu/jht_rates.yaml" in message
    assert "values[0].value.worker (effective 2015-07-01)" in message
    assert "not the float 0.02" in message


def test_money_written_as_a_float_is_refused(folder: Path) -> None:
    edit(folder, "bpu/jkm_amount.yaml", "value: 6800", "value: 6800.0")
    message = refusal(folder)
    assert "bpu/jkm_amount.yaml" in message
    assert "valid integer" in message


def test_an_unknown_status_is_refused(folder: Path) -> None:
    edit(folder, "bpu/jht_rate.yaml", "status: confirmed", "status: probably")
    message = refusal(folder)
    assert "bpu/jht_rate.yaml" in message
    assert ".status" in message
    assert "'probably'" in message


def test_an_uncertain_value_without_a_note_is_refused(folder: Path) -> None:
    path = folder / "bpu/prepayment.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("    note:")], encoding="utf-8")
    message = refusal(folder)
    assert "bpu/prepayment.yaml" in message
    assert "needs a note saying why" in message


def test_a_name_that_does_not_match_the_file_is_refused(folder: Path) -> None:
    edit(folder, "bpu/jht_rate.yaml", "name: bpu.jht_rate", "name: bpu.jkk_rate")
    assert "bpu/jht_rate.yaml: name is 'bpu.jkk_rate', expected 'bpu.jht_rate'" in refusal(folder)


def test_a_key_written_twice_is_refused(folder: Path) -> None:
    edit(folder, "bpu/jht_rate.yaml", 'value: "0.02"', 'value: "0.02"\n    value: "0.03"')
    message = refusal(folder)
    assert "bpu/jht_rate.yaml" in message
    assert "written twice" in message


def test_a_missing_file_and_an_unknown_file_are_refused(folder: Path) -> None:
    (folder / "pu/late_fine.yaml").unlink()
    (folder / "pu/surprise.yaml").write_text("name: pu.surprise\n", encoding="utf-8")
    message = refusal(folder)
    assert "pu/late_fine.yaml: file is missing" in message
    assert "pu/surprise.yaml: unknown parameter file" in message


def test_every_broken_file_is_reported_in_one_error(folder: Path) -> None:
    edit(folder, "bpu/jkk_rate.yaml", 'value: "0.01"', "value: 0.01")
    edit(folder, "pu/jp_rates.yaml", "status: confirmed", "status: sure")
    with pytest.raises(ParameterFileError) as caught:
        load_parameters(folder)
    files = {file for file, _ in caught.value.problems}
    assert files == {"bpu/jkk_rate.yaml", "pu/jp_rates.yaml"}


def test_a_jkp_funding_that_does_not_add_up_is_refused(folder: Path) -> None:
    edit(folder, "pu/jkp_rates.yaml", 'total: "0.0036"', 'total: "0.0040"')
    message = refusal(folder)
    assert "pu/jkp_rates.yaml" in message
    assert "total is not government + the recomposed shares" in message
