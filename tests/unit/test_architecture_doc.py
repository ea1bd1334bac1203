"""docs/architecture.md and the import contracts in pyproject.toml say the same thing: the layer
diagram lists the layers contract's layers in its order, and every contract that cites a rule
of the document cites one that is there."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "importlinter"
]["contracts"]


def _diagram_layers() -> list[str]:
    block = DOC.split("## Layers", 1)[1].split("```", 2)[1]
    layers = []
    for line in block.splitlines():
        text = line.strip().lstrip("└").strip()
        if text:
            # "api | web | demo_billing" or "http   auth dependencies ...": the names only.
            names = re.match(r"[a-z_]+(?:\s*\|\s*[a-z_]+)*", text)
            assert names is not None, line
            layers.append(" | ".join(n.strip() for n in names.group(0).split("|")))
    return layers


def test_the_diagram_lists_the_layers_of_the_contract_in_its_order() -> None:
    (layered,) = [c for c in CONTRACTS if c["type"] == "layers"]
    expected = [
        " | ".join(part.strip().removeprefix("sertakan.") for part in layer.split("|"))
        for layer in layered["layers"]
    ]
    assert _diagram_layers() == expected


def test_every_rule_a_contract_cites_is_written_in_the_document() -> None:
    cited = [
        int(match.group(1))
        for contract in CONTRACTS
        if (match := re.search(r"docs/architecture\.md, rule (\d+)", contract["name"]))
    ]
    assert cited, "the contracts cite the document's rules"
    for number in cited:
        assert re.search(rf"^{number}\. \*\*", DOC, re.MULTILINE), f"rule {number} is missing"


def test_analytics_is_forbidden_the_store_and_the_settings() -> None:
    (contract,) = [c for c in CONTRACTS if c.get("source_modules") == ["sertakan.analytics"]]
    assert {"sertakan.store", "sertakan.config"} <= set(contract["forbidden_modules"])
