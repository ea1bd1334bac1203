"""The domain events' outbox on SQLite and PostgreSQL (issue 13): an event commits with its
change or not at all, is read back in the order written, is recorded once per key, keeps a
failing handler's attempts, and the payment's receipt is queued once however often (and
however concurrently) the events are published. Migration 0010 carries `domain_events` over.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from sertakan.billing.events import INVOICE_PAID, PAYMENT_SETTLED
from sertakan.bootstrap import Container, bootstrap
from sertakan.config import Settings
from sertakan.kernel.clock import FixedClock
from sertakan.kernel.events import Bus, Event, Publisher
from sertakan.notifications.providers import RecordingProvider
from sertakan.store.engine import make_engine
from sertakan.store.event_outbox import SqlEventStore
from sertakan.store.migrate import downgrade, upgrade
from sertakan.store.tables import events, outbox_messages
from sertakan.store.unit_of_work import SqlUnitOfWork
from tests.support.auth import cheap_hasher
from tests.support.builders import PAID_AT, an_office, office_clock
from tests.support.containers import GATEWAY_SECRET, SECRET
from tests.support.notices import notice_body, signed

T0 = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> Engine:
    built: Engine = request.getfixturevalue(f"{request.param}_engine")
    return built


def ev(key: str, kind: str = "test.happened", **payload: object) -> Event:
    return Event(kind, key, T0, payload)  # type: ignore[arg-type]


def test_an_event_commits_with_its_unit_of_work_and_is_read_back_in_the_order_written(
    engine: Engine,
) -> None:
    rung: list[int] = []
    with SqlUnitOfWork(engine, on_events=lambda: rung.append(1)) as uow:
        uow.events.append([ev("gone", amount=1)])
        # rolled back: neither recorded nor rung
    with SqlUnitOfWork(engine, on_events=lambda: rung.append(1)) as uow:
        uow.events.append([ev(f"k{n}", amount=28_400, month="2026-12") for n in range(30)])
        uow.commit()
    with SqlUnitOfWork(engine, on_events=lambda: rung.append(1)) as uow:
        uow.commit()  # no events: no ring

    waiting = SqlEventStore(engine).unpublished(100)
    assert [s.event.key for s in waiting] == [f"k{n}" for n in range(30)]
    assert waiting[0].event.payload == {"amount": 28_400, "month": "2026-12"}
    assert waiting[0].event.occurred_at == T0
    assert rung == [1]


def test_a_fact_is_recorded_once_per_key(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.events.append([ev("once")])
        uow.commit()
    with SqlUnitOfWork(engine) as uow, pytest.raises(IntegrityError):
        uow.events.append([ev("once")])


def test_a_failing_handler_leaves_its_attempts_and_error_class_and_the_next_run_delivers(
    engine: Engine,
) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.events.append([ev("a1"), ev("a2")])
        uow.commit()
    down = {"on": True}
    seen: list[str] = []

    def handler(event: Event) -> None:
        if down["on"] and event.key == "a1":
            raise TimeoutError("Ibu Ratna +6281298765432")  # never stored
        seen.append(event.key)

    bus = Bus()
    bus.subscribe("test.happened", "handler", handler)
    store = SqlEventStore(engine)
    publisher = Publisher(bus, store, FixedClock(T0))

    assert (publisher.publish().published, publisher.publish().failed) == (1, 1)
    with engine.connect() as conn:
        row = conn.execute(select(events).where(events.c.key == "a1")).one()
    assert (row.published_at, row.attempts, row.last_error) == (None, 2, "TimeoutError")
    assert store.counts() == {"test.happened": (1, 1)}

    down["on"] = False
    assert publisher.publish().published == 1
    assert seen == ["a2", "a1"]
    assert store.unpublished(10) == []


# -- the receipt, on the bus --------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def container(request: pytest.FixtureRequest, tmp_path: Path) -> Container:
    if request.param == "postgres":
        url: str = request.getfixturevalue("fresh_postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'sertakan.db'}"
    settings = Settings(
        database_url=url,
        secret_key=SECRET,
        gateway_secret=GATEWAY_SECRET,
        sandbox_db=tmp_path / "sandbox.sqlite",
    )
    built = bootstrap(
        settings, clock=office_clock(), hasher=cheap_hasher(), provider=RecordingProvider()
    )
    upgrade(built.engine)
    request.addfinalizer(built.engine.dispose)
    return built


def _receipts(container: Container) -> list[tuple[str, str, dt.datetime]]:
    with container.engine.connect() as conn:
        c = outbox_messages.c
        rows = conn.execute(
            select(c.recipient, c.body, c.created_at).where(c.template == "billing.receipt")
        )
        return [tuple(row) for row in rows]


def test_a_payment_records_its_events_and_its_receipt_is_queued_once_by_the_publisher(
    container: Container,
) -> None:
    [invoice] = an_office(container, sponsors=1, workers_each=2).invoices
    body = notice_body(invoice.number, invoice.total, "SBX-BUS-1", PAID_AT)
    container.payments.receive(body, signed(body))

    assert _receipts(container) == []  # a reaction: not written by the payment itself
    with container.engine.connect() as conn:
        kinds = conn.execute(
            select(events.c.kind, func.count()).group_by(events.c.kind).order_by(events.c.kind)
        ).all()
    assert [tuple(k) for k in kinds] == [(INVOICE_PAID, 1), (PAYMENT_SETTLED, 2)]

    # Two publishers at once (two processes: the lock of one does not hold the other), then
    # a third later: whoever loses the race records a failure, and nothing is doubled or lost.
    publishers = [
        Publisher(container.bus, SqlEventStore(container.engine), container.clock) for _ in range(2)
    ]
    start = threading.Barrier(2)

    def run(publisher: Publisher) -> None:
        start.wait(timeout=30)
        publisher.publish()

    threads = [threading.Thread(target=run, args=(p,)) for p in publishers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    container.publisher.publish()
    container.publisher.publish()

    [(recipient, text, created_at)] = _receipts(container)
    with container.reader() as uow:
        assert recipient == uow.invoices.payer_phones([invoice.id])[invoice.id]  # the sponsor
    assert f"Rp{invoice.total:,}".replace(",", ".") in text
    assert created_at == container.clock.now()  # when the payment was recorded, as before
    assert SqlEventStore(container.engine).unpublished(10) == []


def test_the_receipt_is_queued_by_the_server_right_after_the_payment_commits(
    container: Container,
) -> None:
    from sertakan.http.background import BackgroundJobs

    [invoice] = an_office(container, sponsors=1, workers_each=1).invoices
    fast = dataclasses.replace(
        container,
        settings=container.settings.model_copy(update={"outbox_interval_seconds": 3600}),
    )
    jobs = BackgroundJobs(fast)
    jobs.start()
    try:
        body = notice_body(invoice.number, invoice.total, "SBX-BUS-2", PAID_AT)
        container.payments.receive(body, signed(body))
        # The interval is an hour and its first run came at start: only the doorbell can
        # have published it this soon.
        deadline = dt.datetime.now() + dt.timedelta(seconds=30)
        while not _receipts(container) and dt.datetime.now() < deadline:
            threading.Event().wait(0.05)
    finally:
        jobs.stop()
    assert len(_receipts(container)) == 1


# -- migration 0010 ---------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrate.db'}"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


def test_0010_carries_the_payment_settled_rows_over_and_back(database_url: str) -> None:
    from sqlalchemy import MetaData, Table

    engine = make_engine(database_url)
    upgrade(engine, "0009_sign_in_failures")
    old = Table("domain_events", MetaData(), autoload_with=engine)
    settled = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
    rows = [
        {
            "payment_id": "pay2",
            "member_id": "m1",
            "month": "2026-12",
            "kind": "PaymentSettled",
            "invoice_id": "inv2",
            "jkk": 10_000,
            "jkm": 3_400,
            "jht": 20_000,
            "occurred_at": settled + dt.timedelta(hours=1),
            "published_at": settled + dt.timedelta(hours=2),
        },
        {
            "payment_id": "pay1",
            "member_id": "m1",
            "month": "2026-11",
            "kind": "PaymentSettled",
            "invoice_id": "inv1",
            "jkk": 10_000,
            "jkm": 3_400,
            "jht": 20_000,
            "occurred_at": settled,
            "published_at": None,
        },
    ]
    with engine.begin() as conn:
        conn.execute(insert(old), rows)

    upgrade(engine)
    with engine.connect() as conn:
        copied = conn.execute(select(events).order_by(events.c.id)).all()
    assert [row.key for row in copied] == [
        f"{PAYMENT_SETTLED}:pay1:m1:2026-11",  # ordered by when they happened
        f"{PAYMENT_SETTLED}:pay2:m1:2026-12",
    ]
    assert {row.kind for row in copied} == {PAYMENT_SETTLED}
    assert json.loads(copied[0].payload) == {
        "member_id": "m1",
        "month": "2026-11",
        "invoice_id": "inv1",
        "payment_id": "pay1",
        "jkk": 10_000,
        "jkm": 3_400,
        "jht": 20_000,
        "settled_at": "2026-12-01T02:00:00+00:00",
    }
    assert [row.published_at for row in copied] == [None, settled + dt.timedelta(hours=2)]
    assert SqlEventStore(engine).unpublished(10)[0].event.key.endswith("pay1:m1:2026-11")

    downgrade(engine, "0009_sign_in_failures")
    old = Table("domain_events", MetaData(), autoload_with=engine)
    with engine.connect() as conn:
        back = conn.execute(select(old.c.payment_id, old.c.jht).order_by(old.c.payment_id)).all()
    assert [tuple(row) for row in back] == [("pay1", 20_000), ("pay2", 20_000)]
    engine.dispose()
