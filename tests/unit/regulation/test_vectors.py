"""Every row of tests/unit/regulation/vectors/*.yaml, each checked against its citation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from sertakan.kernel.errors import ParameterMissing, RuleViolation
from sertakan.regulation.contributions import quote_bpu, quote_pu
from sertakan.regulation.eligibility import check_bpu_enrolment_age
from sertakan.regulation.loader import Parameters

VECTORS = Path(__file__).parent / "vectors"
KINDS = ("bpu", "pu", "enrolment")


def _rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in sorted(VECTORS.glob("*.yaml")):
        for row in yaml.safe_load(path.read_text(encoding="utf-8")):
            rows.append({**row, "_file": path.name})
    return rows


ROWS = _rows()


def _run(params: Parameters, row: dict[str, Any]) -> Any:
    if "bpu" in row:
        return quote_bpu(params, **row["bpu"])
    if "pu" in row:
        return quote_pu(params, **row["pu"])
    enrolment = row["enrolment"]
    return check_bpu_enrolment_age(params, enrolment["birth_date"], enrolment["on"])


def test_there_are_at_least_forty_vectors_each_with_an_id_a_rule_and_a_citation() -> None:
    assert len(ROWS) >= 40
    ids = [row["id"] for row in ROWS]
    assert len(ids) == len(set(ids)), "vector ids must be unique"
    for row in ROWS:
        assert row.get("rule") and row.get("citation"), row["id"]
        assert sum(kind in row for kind in KINDS) == 1, row["id"]
        assert "expected" in row, row["id"]


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_regulation_vector(params: Parameters, row: dict[str, Any]) -> None:
    expected = row["expected"]
    why = f"{row['id']} ({row['_file']}) — {row['rule']}: {row['citation']}"

    if expected.get("missing"):
        with pytest.raises(ParameterMissing, match="not in the parameters yet"):
            _run(params, row)
        return
    if "errors" in expected:
        with pytest.raises(RuleViolation) as caught:
            _run(params, row)
        rules = [violation.rule for violation in caught.value.violations]
        assert rules == expected["errors"], why
        for violation in caught.value.violations:
            assert violation.message and violation.message_id, why
        return

    result = _run(params, row)
    if "enrolment" in row:
        assert expected == {"allowed": True} and result is None, why
    elif "bpu" in row:
        _check_bpu(result, expected, why)
    else:
        _check_pu(result, expected, why)


def _check_bpu(quote: Any, expected: dict[str, Any], why: str) -> None:
    assert quote.parts == expected["parts"], why
    assert list(quote.parts) == list(expected["parts"]), f"parts out of order: {why}"
    assert quote.total == expected["total"] == sum(quote.parts.values()), why
    if "full_parts" in expected:
        assert quote.full_parts == expected["full_parts"], why
    codes = [discount.code for discount in quote.discounts]
    assert codes == ([expected["discount"]] if expected["discount"] else []), why
    if "amount_off" in expected:
        assert quote.discounts[0].amount_off == expected["amount_off"], why
    assert sum(quote.full_parts.values()) - quote.total == sum(
        discount.amount_off for discount in quote.discounts
    ), why


def _check_pu(quote: Any, expected: dict[str, Any], why: str) -> None:
    if "part_keys" in expected:
        assert list(quote.parts) == expected["part_keys"], why
    for program, shares in expected.get("parts", {}).items():
        assert program in quote.parts, f"no {program} part: {why}"
        for name, amount in shares.items():
            actual = getattr(quote.parts[program], name)
            assert actual == amount, f"{program}.{name} is {actual}, expected {amount}: {why}"
    for name in ("employer_total", "worker_total", "jp_wage_base"):
        if name in expected:
            assert getattr(quote, name) == expected[name], f"{name}: {why}"
    assert quote.employer_total == sum(share.employer for share in quote.parts.values()), why
    assert quote.worker_total == sum(share.worker for share in quote.parts.values()), why


def test_vector_dates_are_dates_not_strings() -> None:
    for row in ROWS:
        inputs = row.get("bpu") or row.get("pu") or row["enrolment"]
        assert isinstance(inputs["on"], dt.date), row["id"]
