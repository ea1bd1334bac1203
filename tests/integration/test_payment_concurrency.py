"""Fifty deliveries at the same instant still count a sponsor's money exactly once.

Each test starts 50 threads behind a barrier, each calling `payments.receive` (what the
notification endpoint calls in its threadpool) on one container, on PostgreSQL and on SQLite:

* the SAME signed notice 50 times (a gateway retrying while we answer slowly): one payment,
  one settlement per worker and month, one receipt, the invoice paid, one stored notice;
* 50 DIFFERENT notices of the right amount for one invoice (the payer paid on 50 channels):
  one applies, 49 wait in the suspense list as already paid; the money is settled once;
* different notices of different amounts, each delivered twice: the right amount applies
  once, the rest goes to suspense, and no rupiah is lost or counted twice;
* notices for ten invoices at once: no deadlock between invoices, each paid once;
* two invoices sharing a worker's month, paid at once: the month is settled once, and the
  losing invoice is not half settled.

Then batches, as the endpoint's group commit hands them over (`receive_many`): overlapping
batches in different orders on several threads (no deadlock, each invoice paid once, every
copy of a notice told the same outcome), and, on PostgreSQL, a batch that meets a month
settled by a transaction it could not see yet (it is planned again, and holds that money).

Every call must return (applied, suspense or duplicate); none may raise. On PostgreSQL the
engine's pool holds a connection for every thread (the default 5 + 10 overflow would make 35
threads queue at the pool, which hides contention instead of testing it): the server needs
about 50 free connections.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.pool import QueuePool

from sertakan.billing.model import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    NoticeOutcome,
    PayerKind,
    SuspenseReason,
)
from sertakan.billing.payments import NoticeResult
from sertakan.bootstrap import Container
from sertakan.registry.ports import DuplicateRecord
from sertakan.store.billing_repositories import SqlNoticeRepository, _invoice_row, _line_row
from sertakan.store.tables import (
    audit_events,
    events,
    invoice_lines,
    invoices,
    outbox_messages,
    payment_notices,
    payments,
    settlements,
    suspense_items,
)
from tests.support.auth import CONSOLE
from tests.support.builders import OPENED, PAID_AT, an_office, office_clock
from tests.support.containers import container_on, database_url
from tests.support.notices import notice_body, signed

THREADS = 50
WORKERS = 4  # on the sponsor's invoice


@pytest.fixture(params=["postgres", "sqlite"])
def container(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Container]:
    url = database_url(request, tmp_path)
    with container_on(url, tmp_path, clock=office_clock(), pool_size=THREADS + 2) as built:
        if built.engine.dialect.name == "postgresql":
            pool = built.engine.pool
            assert isinstance(pool, QueuePool) and pool.size() >= THREADS
        yield built


@pytest.fixture
def invoice(container: Container) -> Invoice:
    [sponsor_invoice] = an_office(container, sponsors=1, workers_each=WORKERS).invoices
    return sponsor_invoice


@dataclass(frozen=True)
class Delivery:
    body: bytes
    signature: str


def _crowd(
    receive: Callable[[bytes, str], NoticeResult], deliveries: list[Delivery]
) -> list[NoticeResult]:
    """Every delivery on its own thread, released together; any exception fails the test."""
    start = threading.Barrier(len(deliveries))

    def deliver(delivery: Delivery) -> NoticeResult:
        start.wait(timeout=60)
        return receive(delivery.body, delivery.signature)

    with ThreadPoolExecutor(len(deliveries)) as pool:
        return list(pool.map(deliver, deliveries))  # re-raises the first exception


def _delivery(invoice_number: str, amount: int, transaction_id: str) -> Delivery:
    body = notice_body(invoice_number, amount, transaction_id, PAID_AT)
    return Delivery(body, signed(body))


def _count(engine: Engine, table: object, *where: object) -> int:
    with engine.connect() as conn:
        query = select(func.count()).select_from(table)  # type: ignore[arg-type]
        return int(conn.scalar(query.where(*where)) or 0)  # type: ignore[arg-type]


def _receipts(container: Container) -> int:
    """The receipts queued once the payments' events are published (billing.receipts)."""
    container.publisher.publish()
    engine = container.engine
    return _count(engine, outbox_messages, outbox_messages.c.template == "billing.receipt")


def _settled_total(engine: Engine, invoice_id: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.scalar(
                select(func.coalesce(func.sum(settlements.c.amount), 0)).where(
                    settlements.c.invoice_id == invoice_id
                )
            )
            or 0
        )


def test_fifty_deliveries_of_one_notice_pay_the_invoice_once(
    container: Container, invoice: Invoice
) -> None:
    delivery = _delivery(invoice.number, invoice.total, "SBX-SAME-1")

    results = _crowd(container.payments.receive, [delivery] * THREADS)

    assert {r.outcome for r in results} == {NoticeOutcome.APPLIED}
    assert Counter(r.duplicate for r in results) == {False: 1, True: THREADS - 1}
    assert len({r.notice_id for r in results}) == 1
    engine = container.engine
    assert _count(engine, payment_notices) == 1
    assert _count(engine, payments) == 1
    assert _count(engine, settlements) == WORKERS  # one per worker and month
    settled = events.c.kind == "billing.payment_settled"
    assert _count(engine, events, settled) == WORKERS  # one PaymentSettled each
    assert _settled_total(engine, invoice.id) == invoice.total
    assert _receipts(container) == 1
    assert _count(engine, suspense_items) == 0
    assert _count(engine, audit_events, audit_events.c.action == "invoice.paid") == 1
    paid, _ = container.invoices.invoice(CONSOLE, invoice.id)
    assert paid.status is InvoiceStatus.PAID


def test_fifty_different_payments_of_one_invoice_apply_one_and_hold_the_rest_in_suspense(
    container: Container, invoice: Invoice
) -> None:
    deliveries = [_delivery(invoice.number, invoice.total, f"SBX-MANY-{i}") for i in range(THREADS)]

    results = _crowd(container.payments.receive, deliveries)

    assert Counter(r.outcome for r in results) == {
        NoticeOutcome.APPLIED: 1,
        NoticeOutcome.SUSPENSE: THREADS - 1,
    }
    assert not any(r.duplicate for r in results)
    assert {r.reason for r in results if r.outcome is NoticeOutcome.SUSPENSE} == {
        SuspenseReason.ALREADY_PAID
    }
    engine = container.engine
    assert _count(engine, payment_notices) == THREADS
    assert _count(engine, payments) == 1
    assert _settled_total(engine, invoice.id) == invoice.total  # once, not 50 times
    assert _receipts(container) == 1
    held = container.payments.suspense(CONSOLE)
    assert len(held) == THREADS - 1
    assert {(i.reason, i.amount, i.invoice_id) for i in held} == {
        (SuspenseReason.ALREADY_PAID, invoice.total, invoice.id)
    }
    [winner] = [r for r in results if r.outcome is NoticeOutcome.APPLIED]
    assert winner.notice_id not in {i.notice_id for i in held}
    paid, _ = container.invoices.invoice(CONSOLE, invoice.id)
    assert paid.status is InvoiceStatus.PAID


def test_payments_of_mixed_amounts_delivered_twice_lose_and_double_count_nothing(
    container: Container, invoice: Invoice
) -> None:
    # 25 distinct payments, each delivered twice: a third of the right amount, a third short
    # by Rp1,000, a third Rp500 over.
    amounts = [invoice.total + (0, -1_000, 500)[i % 3] for i in range(THREADS // 2)]
    distinct = [_delivery(invoice.number, a, f"SBX-MIX-{i}") for i, a in enumerate(amounts)]

    results = _crowd(container.payments.receive, distinct + distinct)

    by_notice: dict[str, list[NoticeResult]] = {}
    for result in results:
        by_notice.setdefault(result.notice_id, []).append(result)
    assert len(by_notice) == len(distinct)
    for pair in by_notice.values():  # both copies told the same story, one of them a repeat
        assert len(pair) == 2
        assert sorted(r.duplicate for r in pair) == [False, True]
        assert len({(r.outcome, r.reason) for r in pair}) == 1
    outcomes = {notice_id: pair[0] for notice_id, pair in by_notice.items()}
    [winner] = [r for r in outcomes.values() if r.outcome is NoticeOutcome.APPLIED]
    engine = container.engine
    with engine.connect() as conn:
        amount_of = dict(conn.execute(select(payment_notices.c.id, payment_notices.c.amount)).all())
        paid_amounts = conn.scalars(select(payments.c.amount)).all()
    assert amount_of[winner.notice_id] == invoice.total
    assert paid_amounts == [invoice.total]
    for notice_id, result in outcomes.items():
        if notice_id == winner.notice_id:
            continue
        assert result.outcome is NoticeOutcome.SUSPENSE
        if amount_of[notice_id] == invoice.total:
            assert result.reason is SuspenseReason.ALREADY_PAID
        else:  # short or over: a mismatch, or already paid if the right one came first
            assert result.reason in {SuspenseReason.AMOUNT_MISMATCH, SuspenseReason.ALREADY_PAID}
    held = container.payments.suspense(CONSOLE)
    assert len(held) == len(distinct) - 1
    assert {i.notice_id: i.reason for i in held} == {
        n: r.reason for n, r in outcomes.items() if n != winner.notice_id
    }
    # Every rupiah received is either settled once or held in suspense.
    assert _settled_total(engine, invoice.id) + sum(i.amount for i in held) == sum(amounts)
    assert _receipts(container) == 1


def test_notices_for_many_invoices_at_once_settle_each_invoice_once(
    container: Container,
) -> None:
    # Ten payers' invoices, five deliveries each (the right one three times, a second payment
    # and a short one), all at once: no deadlock between invoices, each paid exactly once.
    invoices = an_office(container, sponsors=5, workers_each=2, self_paying=5, serial=1000).invoices
    assert len(invoices) == 10
    deliveries: list[Delivery] = []
    for k, inv in enumerate(invoices):
        right = _delivery(inv.number, inv.total, f"SBX-INV-{k}-A")
        deliveries += [
            right,
            right,
            right,
            _delivery(inv.number, inv.total, f"SBX-INV-{k}-B"),
            _delivery(inv.number, inv.total - 100, f"SBX-INV-{k}-C"),
        ]

    results = _crowd(container.payments.receive, deliveries)

    assert len(results) == THREADS
    engine = container.engine
    assert _count(engine, payment_notices) == 3 * len(invoices)
    assert _count(engine, payments) == len(invoices)
    assert _receipts(container) == len(invoices)
    for inv in invoices:
        assert _settled_total(engine, inv.id) == inv.total
        paid, _ = container.invoices.invoice(CONSOLE, inv.id)
        assert paid.status is InvoiceStatus.PAID
    assert len(container.payments.suspense(CONSOLE)) == 2 * len(invoices)


def _own_invoice_of_the_first_worker(
    container: Container, invoice: Invoice
) -> tuple[Invoice, list[InvoiceLine]]:
    """An invoice of the sponsor's first worker for the same month, as a race between two
    issuing runs left it before the store refused it (migration 0008's key on a member's live
    month); and the sponsor's invoice lines. Written past the key (its line not counted as
    billed), to show the payments still settle such a month once."""
    _, lines = container.invoices.invoice(CONSOLE, invoice.id)
    shared = lines[0]
    own = Invoice(
        id="own-invoice-of-the-first-worker",
        number="INV-202612-0WN00001",
        payer_kind=PayerKind.MEMBER,
        payer_id=shared.member_id,
        kind=InvoiceKind.ADVANCE,
        month=shared.month,
        due_on=invoice.due_on,
        total=shared.total,
        status=InvoiceStatus.OPEN,
        branch_code=invoice.branch_code,
        created_at=OPENED,
    )
    with container.uow() as uow, pytest.raises(DuplicateRecord):  # what the store says now
        uow.invoices.add(own, [dataclasses.replace(shared, invoice_id=own.id)])
    with container.engine.begin() as conn:
        conn.execute(insert(invoices).values(**_invoice_row(own)))
        line = _line_row(dataclasses.replace(shared, invoice_id=own.id)) | {"billed": False}
        conn.execute(insert(invoice_lines).values(**line))
    return own, list(lines)


def test_two_invoices_sharing_a_workers_month_paid_at_once_settle_that_month_once(
    container: Container, invoice: Invoice
) -> None:
    # A sponsor's invoice and, from a race between two issuing runs, the first worker's own
    # invoice for the same month. Both are paid at the same instant (25 deliveries each): the
    # month is settled by one of them, the other's money waits in suspense, and the sponsor's
    # invoice is never half settled.
    own, lines = _own_invoice_of_the_first_worker(container, invoice)
    shared = lines[0]
    both = [
        _delivery(invoice.number, invoice.total, "SBX-SPONSOR"),
        _delivery(own.number, own.total, "SBX-OWN"),
    ]

    results = _crowd(container.payments.receive, both * (THREADS // 2))

    firsts = [r for r in results if not r.duplicate]
    assert len(firsts) == 2
    [winner] = [r for r in firsts if r.outcome is NoticeOutcome.APPLIED]
    [loser] = [r for r in firsts if r.outcome is NoticeOutcome.SUSPENSE]
    assert loser.reason is SuspenseReason.ALREADY_PAID
    paid = invoice if winner.invoice_number == invoice.number else own
    engine = container.engine
    assert _count(engine, payments) == 1
    with engine.connect() as conn:
        rows = conn.execute(select(settlements.c.member_id, settlements.c.invoice_id)).all()
    assert sorted(tuple(row) for row in rows) == sorted(
        (line.member_id, paid.id) for line in lines if paid is invoice or line == shared
    )
    assert _settled_total(engine, invoice.id) + _settled_total(engine, own.id) == paid.total
    statuses = {i.id: container.invoices.invoice(CONSOLE, i.id)[0].status for i in (invoice, own)}
    assert statuses == {
        paid.id: InvoiceStatus.PAID,
        (own if paid is invoice else invoice).id: InvoiceStatus.OPEN,
    }


def test_overlapping_batches_in_different_orders_pay_each_invoice_once_without_deadlock(
    container: Container,
) -> None:
    invoices = an_office(container, sponsors=4, workers_each=2, self_paying=4, serial=2000).invoices
    deliveries: list[Delivery] = []
    for k, inv in enumerate(invoices):
        deliveries += [
            _delivery(inv.number, inv.total, f"SBX-BATCH-{k}-A"),
            _delivery(inv.number, inv.total, f"SBX-BATCH-{k}-B"),  # a second payment
            _delivery(inv.number, inv.total + 500, f"SBX-BATCH-{k}-C"),
        ]
    batches = []
    for seed in range(10):  # ten servers' batches, each holding most notices, shuffled
        batch = random.Random(seed).sample(deliveries, k=len(deliveries) - 3)
        batches.append([(d.body, d.signature) for d in batch])
    start = threading.Barrier(len(batches))

    def deliver(batch: list[tuple[bytes, str]]) -> list[NoticeResult]:
        start.wait(timeout=60)
        answers = container.payments.receive_many(batch)
        assert all(isinstance(a, NoticeResult) for a in answers), answers
        return [a for a in answers if isinstance(a, NoticeResult)]

    with ThreadPoolExecutor(len(batches)) as pool:
        results = [r for answers in pool.map(deliver, batches) for r in answers]

    told: dict[str, set[tuple[NoticeOutcome, SuspenseReason | None]]] = {}
    for result in results:
        told.setdefault(result.notice_id, set()).add((result.outcome, result.reason))
    assert all(len(outcomes) == 1 for outcomes in told.values())  # every copy, the same story
    assert Counter(r.duplicate for r in results)[False] == len(told) == len(deliveries)
    engine = container.engine
    assert _count(engine, payments) == len(invoices)
    assert _receipts(container) == len(invoices)
    for inv in invoices:
        assert _settled_total(engine, inv.id) == inv.total
    held = container.payments.suspense(CONSOLE)
    assert len(held) == 2 * len(invoices)
    assert sum(i.amount for i in held) == sum(2 * inv.total + 500 for inv in invoices)


@pytest.mark.parametrize("container", ["postgres"], indirect=True)
def test_a_batch_meeting_a_month_settled_meanwhile_is_planned_again_and_holds_that_money(
    container: Container,
    invoice: Invoice,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The sponsor's payment is written but not committed; meanwhile the first worker's own
    # invoice for the same month is paid. Its batch cannot see the sponsor's settlements, so
    # it plans to settle the month, waits on the unique key, fails when the sponsor's
    # transaction commits, and is planned again: now the month is paid, the money is held.
    own, _ = _own_invoice_of_the_first_worker(container, invoice)
    written, go_on = threading.Event(), threading.Event()
    original = SqlNoticeRepository.mark_many
    sponsor_thread = "sponsor-payment"

    def mark_then_wait(self: SqlNoticeRepository, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        if threading.current_thread().name == sponsor_thread:
            written.set()
            assert go_on.wait(timeout=30)

    monkeypatch.setattr(SqlNoticeRepository, "mark_many", mark_then_wait)
    sponsor = _delivery(invoice.number, invoice.total, "SBX-SPONSOR-2")
    worker = _delivery(own.number, own.total, "SBX-OWN-2")
    outcome: dict[str, NoticeResult] = {}

    def pay_sponsor() -> None:
        outcome["sponsor"] = container.payments.receive(sponsor.body, sponsor.signature)

    caplog.set_level(logging.INFO, logger="sertakan.billing.payments")
    paying = threading.Thread(target=pay_sponsor, name=sponsor_thread)
    paying.start()
    assert written.wait(timeout=30)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(container.payments.receive, worker.body, worker.signature)
        with pytest.raises(TimeoutError):  # blocked on the month's unique key
            pending.result(timeout=1)
        go_on.set()
        paying.join(timeout=30)
        held = pending.result(timeout=30)

    assert outcome["sponsor"].outcome is NoticeOutcome.APPLIED
    assert (held.outcome, held.reason) == (NoticeOutcome.SUSPENSE, SuspenseReason.ALREADY_PAID)
    assert "a month was settled meanwhile; planning 1 notices again" in caplog.messages
    engine = container.engine
    assert _count(engine, payments) == 1
    assert _settled_total(engine, invoice.id) == invoice.total
    assert _settled_total(engine, own.id) == 0
