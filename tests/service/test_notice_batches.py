"""Notices received together (`receive_many`, what the endpoint's group commit hands over):
each gets the answer it would get alone, in the order delivered, and the books count every
payment once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Table, func, select

from sertakan.billing.model import InvoiceStatus, NoticeOutcome, PayerKind, SuspenseReason
from sertakan.billing.payments import NoticeResult
from sertakan.bootstrap import Container
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.kernel.errors import RuleViolation, Unauthorized
from sertakan.kernel.periods import Month
from sertakan.store.tables import (
    audit_events,
    outbox_messages,
    payments,
    rejected_notices,
    settlements,
)
from tests.support.auth import CONSOLE
from tests.support.builders import OPENED, SmallOffice, an_office, office_clock, open_small_office
from tests.support.containers import sqlite_container
from tests.support.notices import notice_body, signed

DECEMBER = Month(2026, 12)
PAID_AT = dt.datetime(2026, 12, 1, 8, 0, tzinfo=WIB)  # the clock: billed and paid that morning


@pytest.fixture
def office(tmp_path: Path) -> Iterator[tuple[Container, SmallOffice]]:
    clock = FixedClock(dt.datetime(2026, 12, 1, 8, 0, tzinfo=WIB))
    with sqlite_container(tmp_path, clock=clock) as container:
        people = open_small_office(container)
        container.invoices.issue_month(CONSOLE, DECEMBER)
        yield container, people


def _delivery(number: str, amount: int, txn: str) -> tuple[bytes, str]:
    body = notice_body(number, amount, txn, PAID_AT)
    return body, signed(body)


def _count(container: Container, table: Table) -> int:
    with container.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def test_a_batch_answers_each_delivery_as_if_it_came_alone_in_order(
    office: tuple[Container, SmallOffice],
) -> None:
    container, people = office
    [sponsor] = container.invoices.for_payer(CONSOLE, PayerKind.SPONSOR, people.sponsor_id)
    [own] = container.invoices.for_payer(CONSOLE, PayerKind.MEMBER, people.dewi)
    first = _delivery(sponsor.number, sponsor.total, "SBX-A")
    forged_body = notice_body(own.number, own.total, "SBX-F", PAID_AT)

    results = container.payments.receive_many(
        [
            first,
            _delivery(sponsor.number, sponsor.total, "SBX-B"),  # a second payment of it
            first,  # the gateway's retry, in the same batch
            (forged_body, signed(forged_body, secret="not-the-secret")),
            (b'{"transaction_id": "SBX-M"}', signed(b'{"transaction_id": "SBX-M"}')),
            _delivery(own.number, own.total - 100, "SBX-C"),
            _delivery("INV-209901-00000000", 5_000, "SBX-D"),
        ]
    )

    a, b, again, forged, malformed, short, unknown = results
    assert isinstance(a, NoticeResult) and isinstance(b, NoticeResult)
    assert isinstance(again, NoticeResult)
    assert isinstance(short, NoticeResult) and isinstance(unknown, NoticeResult)
    assert (a.outcome, a.duplicate, a.reason) == (NoticeOutcome.APPLIED, False, None)
    assert (b.outcome, b.reason) == (NoticeOutcome.SUSPENSE, SuspenseReason.ALREADY_PAID)
    assert (again.notice_id, again.outcome, again.duplicate) == (
        a.notice_id,
        NoticeOutcome.APPLIED,
        True,
    )
    assert isinstance(forged, Unauthorized)
    assert isinstance(malformed, RuleViolation)
    assert short.reason is SuspenseReason.AMOUNT_MISMATCH
    assert unknown.reason is SuspenseReason.UNKNOWN_INVOICE
    paid, lines = container.invoices.invoice(CONSOLE, sponsor.id)
    assert paid.status is InvoiceStatus.PAID
    assert _count(container, payments) == 1
    assert _count(container, settlements) == len(lines) == 2
    assert _count(container, rejected_notices) == 2
    assert len(container.payments.suspense(CONSOLE)) == 3
    container.publisher.publish()  # the receipt reacts to the payment (billing.receipts)
    with container.engine.connect() as conn:
        receipts = conn.scalar(
            select(func.count())
            .select_from(outbox_messages)
            .where(outbox_messages.c.template == "billing.receipt")
        )
        audited = conn.execute(
            select(audit_events.c.action, func.count()).group_by(audit_events.c.action)
        ).all()
    assert receipts == 1
    assert {"invoice.paid": 1, "payment.suspense": 3, "payment.notice": 2}.items() <= dict(
        (row[0], row[1]) for row in audited
    ).items()


def test_the_first_delivered_of_two_payments_wins_whichever_is_first(
    office: tuple[Container, SmallOffice],
) -> None:
    container, people = office
    [own] = container.invoices.for_payer(CONSOLE, PayerKind.MEMBER, people.dewi)

    later, earlier = container.payments.receive_many(
        [_delivery(own.number, own.total, "SBX-Z"), _delivery(own.number, own.total, "SBX-A")]
    )

    assert isinstance(later, NoticeResult) and isinstance(earlier, NoticeResult)
    assert (later.outcome, earlier.outcome) == (NoticeOutcome.APPLIED, NoticeOutcome.SUSPENSE)
    with container.engine.connect() as conn:
        assert conn.scalars(select(payments.c.transaction_id)).all() == ["SBX-Z"]


def test_a_repeat_told_differently_in_the_same_batch_is_kept_and_changes_nothing(
    office: tuple[Container, SmallOffice],
) -> None:
    container, people = office
    [own] = container.invoices.for_payer(CONSOLE, PayerKind.MEMBER, people.dewi)

    told, retold = container.payments.receive_many(
        [_delivery(own.number, own.total, "SBX-1"), _delivery(own.number, 1, "SBX-1")]
    )

    assert isinstance(told, NoticeResult) and isinstance(retold, NoticeResult)
    assert (told.outcome, told.duplicate) == (NoticeOutcome.APPLIED, False)
    assert (retold.notice_id, retold.duplicate) == (told.notice_id, True)
    with container.engine.connect() as conn:
        assert conn.scalars(select(rejected_notices.c.reason)).all() == [
            "payment.notice.conflicting_repeat"
        ]
    assert _count(container, payments) == 1


def test_one_bad_notice_in_a_batch_spoils_nothing_each_is_judged_alone(
    tmp_path: Path,
) -> None:
    # Issue 12: an amount past BIGINT (10^20, 2^63) or a NUL in the transaction id failed the
    # whole batch, the ten good notices with it, none stored. Each is now judged alone.
    with sqlite_container(tmp_path, clock=office_clock()) as container:
        good_invoices = an_office(container, sponsors=0, workers_each=0, self_paying=11).invoices
        target = good_invoices.pop()
        paid_at = OPENED + dt.timedelta(minutes=1)
        good = [
            _signed(notice_body(i.number, i.total, f"SBX-GOOD-{k}", paid_at))
            for k, i in enumerate(good_invoices)
        ]
        bad = [
            _signed(notice_body(target.number, 10**20, "SBX-HUGE", paid_at)),
            _signed(notice_body(target.number, 2**63, "SBX-2-63", paid_at)),
            _signed(notice_body(target.number, target.total, "SBX-\x00NUL", paid_at)),
        ]

        results = container.payments.receive_many(good[:5] + bad + good[5:])

        applied = results[:5] + results[8:]
        assert all(
            isinstance(r, NoticeResult) and r.outcome is NoticeOutcome.APPLIED for r in applied
        )
        refused = results[5:8]
        assert all(isinstance(r, RuleViolation) for r in refused)
        fields = [[v.field for v in r.violations] for r in refused if isinstance(r, RuleViolation)]
        assert fields == [["amount"], ["amount"], ["transaction_id"]]
        assert _count(container, payments) == 10
        with container.engine.connect() as conn:
            kept = conn.execute(select(rejected_notices.c.reason, rejected_notices.c.raw_body))
            rows = kept.all()
        assert sorted(row.reason for row in rows) == [
            "payment.notice.amount",
            "payment.notice.amount",
            "payment.notice.transaction_id",
        ]
        assert all("\x00" not in row.raw_body for row in rows)
        assert any("SBX-\ufffdNUL" in row.raw_body or "\\u0000" in row.raw_body for row in rows)


def test_a_batch_that_fails_as_a_whole_is_tried_notice_by_notice(
    office: tuple[Container, SmallOffice], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A fault nobody foresaw (here: the store refusing one transaction id) fails only the
    # notice at fault; the others of its batch are stored and applied.
    container, people = office
    [sponsor] = container.invoices.for_payer(CONSOLE, PayerKind.SPONSOR, people.sponsor_id)
    [own] = container.invoices.for_payer(CONSOLE, PayerKind.MEMBER, people.dewi)
    store_many = container.payments.store_many

    def failing(deliveries: list[tuple[bytes, str | None]]) -> list[object]:
        if any(b"SBX-POISON" in body for body, _ in deliveries):
            raise OverflowError("the store could not take it")
        return list(store_many(deliveries))

    monkeypatch.setattr(container.payments, "store_many", failing)

    first, poisoned, last = container.payments.receive_many(
        [
            _delivery(sponsor.number, sponsor.total, "SBX-A"),
            _delivery(own.number, own.total, "SBX-POISON"),
            _delivery(own.number, own.total, "SBX-B"),
        ]
    )

    assert isinstance(first, NoticeResult) and first.outcome is NoticeOutcome.APPLIED
    assert isinstance(poisoned, OverflowError)
    assert isinstance(last, NoticeResult) and last.outcome is NoticeOutcome.APPLIED
    assert _count(container, payments) == 2


def _signed(body: bytes) -> tuple[bytes, str]:
    return body, signed(body)
