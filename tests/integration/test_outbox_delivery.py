"""Delivering the outbox from SQLite and PostgreSQL: each message once, failures tried again
later and finally given up, two workers never sending the same message, and a code sent at
once by the request not sent again by the worker."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from sertakan.access.actor import Actor
from sertakan.access.roles import Role
from sertakan.bootstrap import Container, bootstrap
from sertakan.config import Settings
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.notifications.delivery import Deliverer, DeliveryReport, PendingCount
from sertakan.notifications.model import Message
from sertakan.notifications.providers import RecordingProvider
from sertakan.store.engine import make_engine
from sertakan.store.migrate import upgrade
from sertakan.store.outbox_delivery import SqlDeliveryQueue
from sertakan.store.tables import outbox_messages
from sertakan.store.unit_of_work import SqlUnitOfWork
from tests.support.auth import cheap_hasher

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=WIB)
MINUTE = dt.timedelta(minutes=1)
PHONE = "+6281234567890"
CONSOLE = Actor.console("test")


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'outbox.db'}"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def message(n: int, template: str = "billing.invoice_due_soon") -> Message:
    body = f"Tagihan BPJAMSOSTEK INV-202612-{n:08X} Rp81.800 jatuh tempo 15 Des 2026."
    return Message(f"msg{n:05d}", "sms", PHONE, template, body, T0 + n * dt.timedelta(seconds=1))


def put(engine: Engine, *messages: Message) -> None:
    with SqlUnitOfWork(engine) as uow:
        for item in messages:
            uow.outbox.add(item)
        uow.commit()


def row(engine: Engine, message_id: str) -> dict[str, object]:
    with engine.connect() as conn:
        found = conn.execute(
            select(outbox_messages).where(outbox_messages.c.id == message_id)
        ).one()
    return dict(found._mapping)


class Refusing(RecordingProvider):
    def deliver(self, message: Message) -> None:
        raise ConnectionError("gateway answered 503")


def test_a_message_is_sent_exactly_once_across_two_runs(engine: Engine) -> None:
    put(engine, message(2), message(1))
    provider = RecordingProvider()
    deliverer = Deliverer(SqlDeliveryQueue(engine), provider, FixedClock(T0 + MINUTE))

    assert deliverer.deliver_due() == DeliveryReport(sent=2)
    assert deliverer.deliver_due() == DeliveryReport()

    assert [m.id for m in provider.delivered] == ["msg00001", "msg00002"]  # oldest first
    sent = row(engine, "msg00001")
    assert sent["sent_at"] == T0 + MINUTE
    assert sent["attempts"] == 1
    assert sent["claimed_until"] is None


def test_a_refused_message_is_tried_again_with_backoff_and_finally_given_up(
    engine: Engine,
) -> None:
    put(engine, message(1))
    clock = FixedClock(T0)
    deliverer = Deliverer(SqlDeliveryQueue(engine), Refusing(), clock)

    waits = []
    for _ in range(7):
        assert deliverer.deliver_due() == DeliveryReport(failed=1)
        assert deliverer.deliver_due() == DeliveryReport()  # not before its time
        retry_at = row(engine, "msg00001")["next_attempt_at"]
        assert isinstance(retry_at, dt.datetime)
        waits.append(retry_at - clock.moment)
        clock.moment = retry_at
    assert deliverer.deliver_due() == DeliveryReport(gave_up=1)

    assert waits == [MINUTE * m for m in (1, 2, 4, 8, 16, 32, 60)]
    given_up = row(engine, "msg00001")
    assert given_up["gave_up_at"] == clock.moment
    assert given_up["attempts"] == 8
    assert given_up["last_error"] == "ConnectionError: gateway answered 503"
    assert given_up["sent_at"] is None

    clock.moment += dt.timedelta(days=2)
    assert Deliverer(SqlDeliveryQueue(engine), RecordingProvider(), clock).deliver_due() == (
        DeliveryReport()
    )


def test_a_message_held_by_a_worker_that_died_is_sent_once_its_lease_ends(
    engine: Engine,
) -> None:
    put(engine, message(1))
    queue = SqlDeliveryQueue(engine)
    assert len(queue.claim(T0, 10, 5 * MINUTE)) == 1  # ... and the worker dies

    provider = RecordingProvider()
    assert Deliverer(queue, provider, FixedClock(T0 + 4 * MINUTE)).deliver_due() == (
        DeliveryReport()
    )
    assert Deliverer(queue, provider, FixedClock(T0 + 5 * MINUTE)).deliver_due() == (
        DeliveryReport(sent=1)
    )
    assert row(engine, "msg00001")["attempts"] == 2


class SlowRecorder(RecordingProvider):
    """Takes a moment per message, so that workers overlap; safe across threads."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def deliver(self, message: Message) -> None:
        time.sleep(0.002)
        with self._lock:
            self.delivered.append(message)


def test_two_workers_delivering_at_once_never_send_the_same_message(engine: Engine) -> None:
    count = 200
    put(engine, *(message(n) for n in range(count)))
    provider = SlowRecorder()
    queue = SqlDeliveryQueue(engine)
    start = threading.Barrier(4)
    sent_by_worker = [0] * 4
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        deliverer = Deliverer(queue, provider, FixedClock(T0 + MINUTE), batch=7)
        start.wait()
        try:
            for _ in range(20):
                sent_by_worker[worker] += deliverer.deliver_due(limit=30).sent
        except BaseException as error:
            errors.append(error)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)

    assert errors == []
    delivered = [m.id for m in provider.delivered]
    assert len(delivered) == len(set(delivered)) == count
    assert sum(sent_by_worker) == count
    assert sum(1 for sent in sent_by_worker if sent) >= 2  # the workers really overlapped


def test_concurrent_claims_hand_out_each_message_to_one_claimer_only(engine: Engine) -> None:
    put(engine, *(message(n) for n in range(120)))
    queue = SqlDeliveryQueue(engine)
    start = threading.Barrier(6)
    claimed: list[list[str]] = []
    lock = threading.Lock()

    def claim() -> None:
        start.wait()
        for _ in range(10):
            got = [item.message.id for item in queue.claim(T0 + MINUTE, 5, 5 * MINUTE)]
            with lock:
                claimed.append(got)

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    ids = [message_id for batch in claimed for message_id in batch]
    assert len(ids) == len(set(ids)) == 120


def test_the_pending_counts_tell_waiting_due_retrying_and_given_up_per_template(
    engine: Engine,
) -> None:
    put(engine, message(1), message(2), message(3, template="billing.receipt"))
    queue = SqlDeliveryQueue(engine)
    queue.claim(T0, 1, 5 * MINUTE)  # msg00001, held
    queue.mark_failed("msg00001", T0, "ConnectionError", T0 + MINUTE)
    queue.claim(T0, 1, 5 * MINUTE)  # msg00002
    queue.mark_failed("msg00002", T0, "ConnectionError", None)

    assert queue.pending_counts(T0) == [
        PendingCount("billing.invoice_due_soon", pending=1, due=0, retrying=1, gave_up=1),
        PendingCount("billing.receipt", pending=1, due=1, retrying=0, gave_up=0),
    ]


# -- codes sent at once by the request ---------------------------------------------------------


def container_for(database_url: str, provider: RecordingProvider, clock: FixedClock) -> Container:
    settings = Settings(database_url=database_url, secret_key="k" * 32)
    container = bootstrap(settings, clock=clock, hasher=cheap_hasher(), provider=provider)
    upgrade(container.engine)
    with container.uow() as uow:
        container.access.phone_account_in(
            uow, CONSOLE, role=Role.SPONSOR, phone=PHONE, display_name="Bu Ijah"
        )
        uow.commit()
    return container


def test_a_code_sent_at_once_is_not_sent_again_by_the_worker(database_url: str) -> None:
    provider, clock = RecordingProvider(), FixedClock(T0)
    container = container_for(database_url, provider, clock)

    container.access.request_sign_in_code(PHONE, client=CONSOLE, client_ip="192.0.2.1")
    assert len(provider.sent_to(PHONE)) == 1

    deliverer = Deliverer(SqlDeliveryQueue(container.engine), provider, clock)
    clock.moment = T0 + dt.timedelta(days=1)
    assert deliverer.deliver_due() == DeliveryReport()
    assert len(provider.sent_to(PHONE)) == 1
    container.engine.dispose()


class RefusingOnce(RecordingProvider):
    def __init__(self) -> None:
        super().__init__()
        self.refused = 0

    def deliver(self, message: Message) -> None:
        if not self.refused:
            self.refused += 1
            raise TimeoutError("gateway did not answer")
        super().deliver(message)


def test_a_code_the_provider_refused_at_once_is_sent_by_the_worker_after_the_hold(
    database_url: str,
) -> None:
    provider, clock = RefusingOnce(), FixedClock(T0)
    container = container_for(database_url, provider, clock)

    container.access.request_sign_in_code(PHONE, client=CONSOLE, client_ip="192.0.2.1")
    assert provider.refused == 1 and provider.sent_to(PHONE) == []  # the request still succeeded

    deliverer = Deliverer(SqlDeliveryQueue(container.engine), provider, clock)
    assert deliverer.deliver_due() == DeliveryReport()  # the request's hold
    clock.moment = T0 + container.access.policy.delivery_hold
    assert deliverer.deliver_due() == DeliveryReport(sent=1)
    (sent,) = provider.sent_to(PHONE)
    assert sent.template == "code.sign_in"
    container.engine.dispose()
