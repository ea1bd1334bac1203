"""Reminders are queued once even when daily jobs overlap, on PostgreSQL and on SQLite.

Eight threads behind a barrier each run `ReminderService.queue` for the same day: every one
reads the same invoices as not yet reminded, and the key row (`reminders_sent`, inserted with
ON CONFLICT DO NOTHING in the transaction of the message) decides which run queues each
message. None may raise; each payer gets one "due soon" message.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sertakan.billing.reminders import ReminderKind, ReminderReport, ReminderService
from sertakan.bootstrap import Container
from sertakan.kernel.clock import WIB
from sertakan.kernel.periods import Month
from sertakan.notifications import templates
from sertakan.store.tables import outbox_messages, reminders_sent
from sertakan.store.unit_of_work import SqlUnitOfWork
from tests.support.builders import CONSOLE, an_office, office_clock
from tests.support.containers import container_on, database_url

THREADS = 8
DUE_SOON_DAY = dt.date(2026, 12, 12)  # December is due on Tuesday 15 December 2026


@pytest.fixture(params=["postgres", "sqlite"])
def container(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Container]:
    with container_on(database_url(request, tmp_path), tmp_path, clock=office_clock()) as built:
        yield built


def _reminders(container: Container) -> ReminderService:
    return ReminderService(
        partial(SqlUnitOfWork, container.engine), container.params, container.clock
    )


def test_the_key_row_is_inserted_once_and_the_second_insert_says_it_was_there(
    container: Container,
) -> None:
    now = dt.datetime(2026, 12, 12, 6, 0, tzinfo=WIB)
    with SqlUnitOfWork(container.engine) as uow:
        first = uow.reminders.record(ReminderKind.DUE_SOON, "inv-1", Month(2026, 12), "m1", now)
        again = uow.reminders.record(ReminderKind.DUE_SOON, "inv-1", Month(2026, 12), "m2", now)
        other_kind = uow.reminders.record(
            ReminderKind.UNPAID_ON_DUE, "inv-1", Month(2026, 12), "m3", now
        )
        uow.commit()

    assert (first, again, other_kind) == (True, False, True)


def test_overlapping_daily_jobs_queue_each_reminder_once(container: Container) -> None:
    invoices = an_office(container, sponsors=2, workers_each=2, self_paying=1).invoices
    container.clock.moment = dt.datetime.combine(  # type: ignore[attr-defined]
        DUE_SOON_DAY, dt.time(6, 0), tzinfo=WIB
    )
    service = _reminders(container)
    barrier = threading.Barrier(THREADS)

    def run() -> ReminderReport:
        barrier.wait()
        return service.queue(CONSOLE, DUE_SOON_DAY)

    with ThreadPoolExecutor(THREADS) as pool:
        reports = [f.result() for f in [pool.submit(run) for _ in range(THREADS)]]

    assert sum(r.due_soon for r in reports) == len(invoices) == 3
    with container.engine.connect() as conn:
        recipients = conn.scalars(
            select(outbox_messages.c.recipient).where(
                outbox_messages.c.template == templates.INVOICE_DUE_SOON
            )
        ).all()
        keys = conn.scalar(select(func.count()).select_from(reminders_sent))
    assert len(recipients) == len(set(recipients)) == 3
    assert keys == 3
