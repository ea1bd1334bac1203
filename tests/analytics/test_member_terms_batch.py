"""The batch billing run bills a month with the terms of that month, as the invoices do: a
change of income level and programmes from December leaves November at the old terms and bills
December at the new ones, in the database export (`iter_member_batches`) as in
`InvoiceService` (issue 16 point 2; the batch-equals-scalar property of
test_batch_equals_scalar.py, on members whose terms change)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

from sertakan.analytics.billing_input import database_snapshot
from sertakan.analytics.billing_run import BillingRequest, run_billing
from sertakan.analytics.engines import DuckDBEngine
from sertakan.billing.model import PayerKind
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.kernel.periods import Month
from sertakan.registry.model import MemberTerms
from sertakan.regulation.loader import Parameters
from sertakan.store.member_contributions import (
    contributions_of_month,
    insert_member_contributions,
)
from sertakan.store.member_export import iter_member_batches
from tests.support.auth import CONSOLE
from tests.support.builders import SmallOffice, open_small_office
from tests.support.containers import sqlite_container

NOVEMBER, DECEMBER = Month(2026, 11), Month(2026, 12)


@pytest.fixture
def office(tmp_path: Path) -> Iterator[SmallOffice]:
    clock = FixedClock(dt.datetime(2026, 10, 20, 9, 0, tzinfo=WIB))
    with sqlite_container(tmp_path, clock=clock) as container:
        people = open_small_office(container)
        clock.moment = dt.datetime(2026, 11, 25, 9, 0, tzinfo=WIB)
        yield people


@pytest.fixture(scope="module")
def duckdb_engine() -> Iterator[DuckDBEngine]:
    engine = DuckDBEngine(threads=2)
    yield engine
    engine.close()


def _service_lines(office: SmallOffice, month: Month) -> dict[str, tuple[int, str]]:
    """Every member's (total, programmes) on the month's invoices, as InvoiceService billed."""
    container = office.container
    found: dict[str, tuple[int, str]] = {}
    payers = [(PayerKind.SPONSOR, office.sponsor_id)] + [
        (PayerKind.MEMBER, m) for m in (office.siti, office.asep, office.dewi)
    ]
    for kind, payer in payers:
        for invoice in container.invoices.for_payer(CONSOLE, kind, payer):
            _, lines = container.invoices.invoice(CONSOLE, invoice.id)
            for line in lines:
                if line.month == month:
                    found[line.member_id] = (line.total, ",".join(line.programs))
    return found


def _batch_lines(
    office: SmallOffice, month: Month, engine: DuckDBEngine, params: Parameters, folder: Path
) -> dict[str, tuple[int, str]]:
    database = office.container.engine
    assert database is not None
    parts = database_snapshot(functools.partial(iter_member_batches, database), month, folder)
    run_billing(
        BillingRequest(
            month,
            parts,
            folder / "out",
            write_contributions=functools.partial(insert_member_contributions, database),
        ),
        engine,
        params=params,
        directory=office.container.regions,
    )
    return {
        row["member_id"]: (row["total"], row["programs"])
        for row in contributions_of_month(database, month)
    }


def test_the_batch_bills_each_month_with_its_terms_as_the_invoices_do(
    office: SmallOffice, duckdb_engine: DuckDBEngine, params: Parameters, tmp_path: Path
) -> None:
    container = office.container
    container.registry.change_terms(CONSOLE, office.siti, MemberTerms(2_000_000, ("JKK", "JKM")))
    container.invoices.issue_month(CONSOLE, NOVEMBER)
    office.clock.moment = dt.datetime(2026, 12, 1, 8, 0, tzinfo=WIB)
    container.invoices.issue_month(CONSOLE, DECEMBER)

    november = _batch_lines(office, NOVEMBER, duckdb_engine, params, tmp_path / "nov")
    december = _batch_lines(office, DECEMBER, duckdb_engine, params, tmp_path / "dec")

    assert november == _service_lines(office, NOVEMBER)
    assert december == _service_lines(office, DECEMBER)
    assert november[office.siti][1] == "JKK,JKM,JHT"  # November keeps the old terms
    assert december[office.siti][1] == "JKK,JKM"  # December bills the new ones
    assert november[office.asep] == december[office.asep]  # nobody else changed
