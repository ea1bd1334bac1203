"""A double tap on "bayar di muka", twenty times at once: one open invoice per payer and month.

Twenty threads behind a barrier each ask for the same three months ahead for one sponsor
(what the "bayar di muka" button and `POST /api/v1/invoices/ahead` call), on PostgreSQL and on
SQLite. Before issue 12, PostgreSQL wrote up to nine identical open invoices (each request read
"not billed yet" before any had committed) and the requests that read after a commit were
answered 409. Now a member's month is on one live invoice at most (the store's unique key,
`uq_invoice_lines_billed_month`), and every request is answered with the one invoice written.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from sertakan.billing.model import Invoice, PayerKind
from sertakan.bootstrap import Container
from sertakan.store.tables import invoice_lines, invoices
from tests.support.auth import CONSOLE
from tests.support.builders import an_office, office_clock
from tests.support.containers import container_on, database_url

REQUESTS = 20
WORKERS = 3


@pytest.fixture(params=["postgres", "sqlite"])
def container(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Container]:
    url = database_url(request, tmp_path)
    with container_on(url, tmp_path, clock=office_clock(), pool_size=REQUESTS + 2) as built:
        yield built


def test_twenty_requests_for_the_same_months_ahead_make_one_invoice_and_all_get_it(
    container: Container,
) -> None:
    # December is issued (the monthly run); the sponsor asks for December to February.
    [monthly] = an_office(container, sponsors=1, workers_each=WORKERS).invoices
    sponsor_id = monthly.payer_id
    start = threading.Barrier(REQUESTS)

    def tap() -> Invoice:
        start.wait(timeout=60)
        return container.invoices.issue_ahead(CONSOLE, PayerKind.SPONSOR, sponsor_id, 3)

    with ThreadPoolExecutor(REQUESTS) as pool:
        answers = [f.result() for f in [pool.submit(tap) for _ in range(REQUESTS)]]

    assert len({a.id for a in answers}) == 1
    with container.engine.connect() as conn:
        rows = conn.execute(
            select(invoices.c.id, invoice_lines.c.member_id, invoice_lines.c.month)
            .join(invoice_lines, invoice_lines.c.invoice_id == invoices.c.id)
            .where(
                invoices.c.payer_id == sponsor_id,
                invoices.c.status == "open",
            )
        ).all()
    open_per_month = Counter(
        month for month, _ in {(row.month, row.id) for row in rows}
    )  # (payer, month) -> open invoices billing it
    assert open_per_month == {"2026-12": 1, "2027-01": 1, "2027-02": 1}
    assert {row.id for row in rows if row.month != "2026-12"} == {answers[0].id}
    per_member_month = Counter((row.member_id, row.month) for row in rows)
    assert set(per_member_month.values()) == {1}
    assert len(per_member_month) == WORKERS * 3
