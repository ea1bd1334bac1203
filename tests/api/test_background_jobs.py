"""The server delivers the outbox and runs the daily job by itself (`http.background`): a
branch that only runs `sertakan serve` still gets its receipts and its invoices, with nobody
running `notifications deliver` or `jobs daily`. Only an app built with
`background_jobs=True` (as `sertakan serve` builds it) has a scheduler."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from typing import TypeVar

from fastapi.testclient import TestClient

from sertakan.app import create_app
from sertakan.bootstrap import Container
from sertakan.http.background import DAILY_JOB, BackgroundJobs
from sertakan.kernel.clock import WIB
from sertakan.notifications.model import Message
from sertakan.notifications.providers import RecordingProvider
from sertakan.store.outbox_delivery import SqlDeliveryQueue
from sertakan.store.unit_of_work import SqlUnitOfWork

T = TypeVar("T")
DEADLINE = 60.0  # seconds: a bound on a loaded machine, not a measured speed
RECEIPT = Message(
    "receipt-1",
    "sms",
    "+6281234567890",
    "billing.receipt",
    "Pembayaran BPJAMSOSTEK INV-202611-00000001 Rp28.400 diterima.",
    dt.datetime(2026, 11, 25, 8, 0, tzinfo=WIB),  # the fixed clock reads 09:00 WIB that day
)


def eventually(probe: Callable[[], T | None]) -> T:
    """The first non-empty answer of `probe`, polled until the deadline."""
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        answer = probe()
        if answer:
            return answer
        time.sleep(0.05)
    raise AssertionError(f"nothing happened within {DEADLINE} s")


def fast(container: Container) -> Container:
    """The same container with the outbox looked at every 50 ms instead of every minute."""
    settings = container.settings.model_copy(update={"outbox_interval_seconds": 0.05})
    return dataclasses.replace(container, settings=settings)


def queue(container: Container, message: Message) -> None:
    with SqlUnitOfWork(container.engine) as uow:
        uow.outbox.add(message)
        uow.commit()


def test_a_queued_receipt_is_delivered_by_the_server_itself(
    container: Container, provider: RecordingProvider
) -> None:
    queue(container, RECEIPT)

    with TestClient(create_app(fast(container), background_jobs=True)):
        delivered = eventually(lambda: provider.sent_to(RECEIPT.recipient))

    assert [message.id for message in delivered] == [RECEIPT.id]
    assert SqlDeliveryQueue(container.engine).pending_counts(container.clock.now()) == []


def test_the_daily_job_runs_at_start_up_and_every_day_at_its_hour(
    container: Container,
) -> None:
    app = create_app(fast(container), background_jobs=True)

    with TestClient(app):
        jobs: BackgroundJobs = app.state.background_jobs
        report = eventually(lambda: jobs.last_daily)
        daily = jobs.scheduler.get_job(DAILY_JOB)
        next_run = daily.next_run_time

    assert report.on == dt.date(2026, 11, 25)  # today by the container's (fixed) clock
    assert (next_run.astimezone(WIB).hour, next_run.minute) == (7, 0)
    assert not jobs.scheduler.running  # stopped with the app


def test_an_app_gets_no_scheduler_unless_it_asks(container: Container) -> None:
    app = create_app(container)

    with TestClient(app):
        assert app.state.background_jobs is None
