"""The reconciliation pages: the runs, one run's rows flagged first, its CSV; staff only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from typing import cast

import pytest
from fastapi.testclient import TestClient

from sertakan.app import create_app
from sertakan.billing.reconciliation import ReconciliationService, ReconciliationUnitOfWork
from sertakan.billing.settlement_file import SETTLEMENT_HEADER, parse_settlement
from sertakan.bootstrap import Container
from sertakan.kernel.clock import WIB
from sertakan.notifications.providers import RecordingProvider
from tests.support.auth import CONSOLE, FormClient, web_phone_sign_in
from tests.support.builders import a_sponsor
from tests.support.notices import notice_body, signed

DAY = dt.date(2026, 11, 24)
PAID = dt.datetime(2026, 11, 24, 10, 0, tzinfo=WIB)


@pytest.fixture
def run_id(container: Container) -> str:
    """A run of the 24th: SBX-FILE only in the file (applied now: to suspense, its invoice is
    unknown), SBX-NOTICE only notified."""
    body = notice_body("INV-202611-00000001", 28_400, "SBX-NOTICE", PAID)
    container.payments.receive(body, signed(body))
    text = "\n".join(
        [
            ",".join(SETTLEMENT_HEADER),
            f"SBX-FILE,INV-202611-00000002,qris,41800,{PAID.isoformat()},2026-11-25",
        ]
    )
    uow = cast(Callable[[], ReconciliationUnitOfWork], container.uow)
    service = ReconciliationService(uow, container.clock, container.payments, "sandbox")
    report = service.run(CONSOLE, DAY, parse_settlement(text, DAY), "settlement-2026-11-24.csv")
    assert report.run is not None
    return report.run.id


@pytest.fixture
def sponsor(container: Container, provider: RecordingProvider) -> Iterator[TestClient]:
    container.registry.register_sponsor(
        CONSOLE,
        a_sponsor(address=""),
    )
    with FormClient(create_app(container), raise_server_exceptions=False) as client:
        web_phone_sign_in(client, provider, "+6281298765432")
        yield client


def test_an_officer_sees_the_runs_and_a_runs_rows_flagged_first_in_indonesian(
    client: TestClient, run_id: str
) -> None:
    runs = client.get("/rekonsiliasi")
    page = client.get(f"/rekonsiliasi/{run_id}")

    assert runs.status_code == 200
    assert f'href="/rekonsiliasi/{run_id}"' in runs.text
    assert "settlement-2026-11-24.csv" in runs.text
    assert page.status_code == 200
    assert re.findall(r'data-status="(\w+)"', page.text) == ["not_in_file", "not_notified"]
    assert "Ada notifikasi, tidak ada di file" in page.text
    assert "Ada di file, tanpa notifikasi" in page.text
    assert "Diterapkan oleh rekonsiliasi ini" in page.text
    assert "Masuk daftar suspense: Nomor tagihan tidak dikenal" in page.text


def test_the_rows_download_as_csv(client: TestClient, run_id: str) -> None:
    download = client.get(f"/rekonsiliasi/{run_id}/unduh.csv")

    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert download.headers["content-disposition"].endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [(r["transaction_id"], r["status"], r["applied_by_reconciliation"]) for r in rows] == [
        ("SBX-NOTICE", "not_in_file", ""),
        ("SBX-FILE", "not_notified", "this_run"),
    ]


def test_an_unknown_run_is_a_404_page(client: TestClient) -> None:
    assert client.get("/rekonsiliasi/not-a-run").status_code == 404


def test_a_sponsor_is_refused_and_nobody_signed_in_is_asked_to_sign_in(
    sponsor: TestClient, anonymous: TestClient, run_id: str
) -> None:
    for path in ("/rekonsiliasi", f"/rekonsiliasi/{run_id}", f"/rekonsiliasi/{run_id}/unduh.csv"):
        refused = sponsor.get(path)
        assert refused.status_code == 403, path
        assert "SBX-" not in refused.text
        assert anonymous.get(path, follow_redirects=False).status_code == 401, path
