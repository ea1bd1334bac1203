"""One composition root (issue 13): the entrypoints (`api`, `web`, `cli`, and `http`'s
background jobs) take services from the container `bootstrap` builds. None opens a unit of
work (`container.uow()`, `container.reader()`) or casts one to reach a port the container
does not name. (That none imports the store is an import-linter contract in pyproject.toml.)"""

from __future__ import annotations

import ast
from pathlib import Path

from sertakan.bootstrap import Container

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "sertakan"
ENTRYPOINTS = ("api", "web", "cli", "http")
UNITS_OF_WORK = {"uow", "reader"}


def _opened_units_of_work(path: Path) -> list[str]:
    return _opened_units_of_work_in(path.read_text(), path)


def _opened_units_of_work_in(text: str, path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(text, str(path))):
        if isinstance(node, ast.Attribute) and node.attr in UNITS_OF_WORK:
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} .{node.attr}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "cast"
            and "UnitOfWork" in ast.unparse(node)
        ):
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} cast to a unit of work")
    return found


def test_no_entrypoint_opens_a_unit_of_work() -> None:
    found = [
        hit
        for package in ENTRYPOINTS
        for path in sorted((PACKAGE / package).rglob("*.py"))
        for hit in _opened_units_of_work(path)
    ]
    assert found == []


def test_the_scan_sees_a_unit_of_work_where_there_is_one(tmp_path: Path) -> None:
    # What web/billing.py did before the invoice read model moved into billing: the scan
    # must find both ways of reaching a unit of work.
    page = PACKAGE / "web" / "example_page.py"
    source = tmp_path / "page.py"
    source.write_text(
        "def read(container):\n"
        "    with container.uow() as uow:\n"
        "        return cast(BillingUnitOfWork, container.reader)\n"
    )
    found = _opened_units_of_work_in(source.read_text(), page)
    assert len(found) == 3  # .uow, .reader and the cast


def test_the_container_offers_the_services_the_entrypoints_called_for() -> None:
    services = set(Container.__dataclass_fields__)
    assert {
        "reconciliation",
        "reminders",
        "delivery",
        "billing_views",
        "database",
        "notice_batches",
        "money",
    } <= services
