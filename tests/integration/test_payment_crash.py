"""A process killed while receiving a payment notice loses nothing and counts nothing twice.

A real child process (tests/support/store_then_die.py) bootstraps on the same database and
SIGKILLs itself either right after the notice is stored, or inside the apply transaction
after every row of the payment was written but before the commit. Afterwards the notice is
in the inbox, pending, and nothing is settled; the daily job (`apply_pending`) or the
gateway's retry applies it once, and whatever comes after changes nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sertakan.billing.model import Invoice, InvoiceStatus, NoticeOutcome
from sertakan.bootstrap import Container
from sertakan.store.tables import (
    audit_events,
    events,
    outbox_messages,
    payment_notices,
    payments,
    settlements,
    suspense_items,
)
from tests.support.auth import CONSOLE
from tests.support.builders import PAID_AT, an_office, office_clock
from tests.support.containers import container_on, database_url
from tests.support.notices import notice_body, signed

REPO = Path(__file__).resolve().parents[2]
WORKERS = 3
CHILD_TIMEOUT_S = 60
CHILD = "tests.support.store_then_die"


@dataclass
class Office:
    container: Container
    url: str
    sandbox_db: Path
    invoice: Invoice


@pytest.fixture(params=["sqlite", "postgres"])
def office(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Office]:
    url = database_url(request, tmp_path)
    with container_on(url, tmp_path, clock=office_clock()) as container:
        [invoice] = an_office(container, sponsors=1, workers_each=WORKERS).invoices
        yield Office(container, url, container.settings.sandbox_db, invoice)


def _die_while_receiving(office: Office, body: bytes, stage: str) -> None:
    """Run the child and check it was killed, not that it finished or failed some other way."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO), str(REPO / "src"), env.get("PYTHONPATH", "")) if p
    )
    done = subprocess.run(
        [sys.executable, "-m", CHILD, office.url, str(office.sandbox_db), stage],
        input=body,
        capture_output=True,
        cwd=REPO,
        env=env,
        timeout=CHILD_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stderr.decode()[-2000:])


def _state(office: Office) -> dict[str, object]:
    """What a user (or the branch's books) would see of this payment."""
    c = office.container
    c.publisher.publish()  # the reactions (the receipt) run once the events are published
    with c.engine.connect() as conn:

        def count(table: object, *where: object) -> int:
            query = select(func.count()).select_from(table).where(*where)  # type: ignore[arg-type]
            return int(conn.scalar(query) or 0)

        outcomes = conn.scalars(select(payment_notices.c.outcome)).all()
        settled = conn.scalar(select(func.coalesce(func.sum(settlements.c.amount), 0)))
        state: dict[str, object] = {
            "notices": sorted(outcomes),
            "payments": count(payments),
            "settlements": count(settlements),
            "settled": int(settled or 0),
            "events": count(events, events.c.kind == "billing.payment_settled"),
            "receipts": count(outbox_messages, outbox_messages.c.template == "billing.receipt"),
            "suspense": count(suspense_items),
            "paid_audits": count(audit_events, audit_events.c.action == "invoice.paid"),
        }
    invoice, _ = c.invoices.invoice(CONSOLE, office.invoice.id)
    state["invoice"] = invoice.status
    return state


def _nothing_settled() -> dict[str, object]:
    return {
        "notices": [NoticeOutcome.PENDING.value],
        "payments": 0,
        "settlements": 0,
        "settled": 0,
        "events": 0,
        "receipts": 0,
        "suspense": 0,
        "paid_audits": 0,
        "invoice": InvoiceStatus.OPEN,
    }


def _settled_once(total: int) -> dict[str, object]:
    return {
        "notices": [NoticeOutcome.APPLIED.value],
        "payments": 1,
        "settlements": WORKERS,
        "settled": total,
        "events": WORKERS,
        "receipts": 1,
        "suspense": 0,
        "paid_audits": 1,
        "invoice": InvoiceStatus.PAID,
    }


@pytest.mark.parametrize("stage", ["after-store", "mid-apply"])
def test_a_process_killed_while_receiving_a_notice_leaves_it_pending_for_the_daily_job(
    office: Office, stage: str
) -> None:
    body = notice_body(office.invoice.number, office.invoice.total, "SBX-CRASH-1", PAID_AT)

    _die_while_receiving(office, body, stage)

    assert _state(office) == _nothing_settled()
    payments_ = office.container.payments
    assert payments_.apply_pending() == {NoticeOutcome.APPLIED: 1}
    assert _state(office) == _settled_once(office.invoice.total)
    # The job again, and the gateway's retry of the same notice: nothing changes.
    assert payments_.apply_pending() == {}
    repeat = payments_.receive(body, signed(body))
    assert (repeat.outcome, repeat.duplicate) == (NoticeOutcome.APPLIED, True)
    assert _state(office) == _settled_once(office.invoice.total)


def test_the_gateways_retry_applies_a_notice_a_killed_process_left_pending(
    office: Office,
) -> None:
    body = notice_body(office.invoice.number, office.invoice.total, "SBX-CRASH-2", PAID_AT)
    _die_while_receiving(office, body, "after-store")

    retry = office.container.payments.receive(body, signed(body))

    assert (retry.outcome, retry.duplicate) == (NoticeOutcome.APPLIED, True)
    assert _state(office) == _settled_once(office.invoice.total)
    assert office.container.payments.apply_pending() == {}
    assert _state(office) == _settled_once(office.invoice.total)
