"""The delivery worker's rules: backoff, giving up, and what it does with each answer of the
provider (against a queue kept in a list; the SQL queue is tested in tests/integration)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from sertakan.kernel.clock import WIB, FixedClock
from sertakan.notifications.delivery import (
    Claimed,
    Deliverer,
    DeliveryReport,
    PendingCount,
    RetryPolicy,
    describe_error,
)
from sertakan.notifications.model import Message
from sertakan.notifications.providers import RecordingProvider

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=WIB)
MINUTE = dt.timedelta(minutes=1)


def message(n: int, body: str = "Tagihan BPJAMSOSTEK INV-202612-0001 Rp81.800") -> Message:
    return Message(f"m{n:03d}", "sms", "+6281234567890", "billing.test", body, T0 + n * MINUTE)


@dataclass
class Row:
    message: Message
    attempts: int = 0
    sent_at: dt.datetime | None = None
    next_attempt_at: dt.datetime | None = None
    claimed_until: dt.datetime | None = None
    gave_up_at: dt.datetime | None = None
    last_error: str = ""


@dataclass
class ListQueue:
    """The DeliveryQueue contract over a list, as the SQL one keeps it over a table."""

    rows: dict[str, Row] = field(default_factory=dict)

    def put(self, *messages: Message) -> None:
        for item in messages:
            self.rows[item.id] = Row(item)

    def claim(self, now: dt.datetime, limit: int, lease: dt.timedelta) -> list[Claimed]:
        due = [
            row
            for row in sorted(self.rows.values(), key=lambda r: r.message.created_at)
            if row.sent_at is None
            and row.gave_up_at is None
            and (row.next_attempt_at is None or row.next_attempt_at <= now)
            and (row.claimed_until is None or row.claimed_until <= now)
        ][:limit]
        for row in due:
            row.claimed_until = now + lease
            row.attempts += 1
        return [Claimed(row.message, row.attempts, now + lease) for row in due]

    def mark_sent(self, message_id: str, at: dt.datetime) -> None:
        row = self.rows[message_id]
        row.sent_at, row.claimed_until = at, None

    def mark_failed(
        self, message_id: str, at: dt.datetime, error: str, next_attempt_at: dt.datetime | None
    ) -> None:
        row = self.rows[message_id]
        row.claimed_until, row.next_attempt_at, row.last_error = None, next_attempt_at, error
        row.gave_up_at = at if next_attempt_at is None else None

    def pending_counts(self, now: dt.datetime) -> list[PendingCount]:
        return []


class RefusingProvider(RecordingProvider):
    """Refuses the first `refusals` hand-overs, then accepts."""

    def __init__(self, refusals: int) -> None:
        super().__init__()
        self.refusals = refusals
        self.tries = 0

    def deliver(self, message: Message) -> None:
        self.tries += 1
        if self.tries <= self.refusals:
            raise ConnectionError(f"gateway 503 for {message.recipient}: {message.body}")
        super().deliver(message)


def test_the_wait_doubles_from_one_minute_and_stops_at_an_hour() -> None:
    policy = RetryPolicy()
    waits = [policy.delay_after(n) for n in range(1, 10)]
    assert waits == [MINUTE * m for m in (1, 2, 4, 8, 16, 32, 60, 60, 60)]
    assert policy.delay_after(10_000) == 60 * MINUTE  # no overflow however often it failed


def test_the_eighth_failure_is_the_last() -> None:
    policy = RetryPolicy()
    assert policy.retry_at(7, T0) == T0 + 60 * MINUTE
    assert policy.retry_at(8, T0) is None
    assert RetryPolicy(max_attempts=1).retry_at(1, T0) is None


def test_a_policy_that_never_tries_or_shrinks_its_waits_is_refused() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(first_delay=dt.timedelta(minutes=10), max_delay=MINUTE)
    with pytest.raises(ValueError):
        RetryPolicy().delay_after(0)


def test_each_due_message_is_sent_once_oldest_first() -> None:
    queue, provider = ListQueue(), RecordingProvider()
    queue.put(message(2), message(1), message(3))
    deliverer = Deliverer(queue, provider, FixedClock(T0 + 10 * MINUTE), batch=2)

    assert deliverer.deliver_due() == DeliveryReport(sent=3)
    assert deliverer.deliver_due() == DeliveryReport()
    assert [m.id for m in provider.delivered] == ["m001", "m002", "m003"]
    assert all(row.sent_at == T0 + 10 * MINUTE for row in queue.rows.values())


def test_the_limit_caps_one_run() -> None:
    queue, provider = ListQueue(), RecordingProvider()
    queue.put(*(message(n) for n in range(5)))
    deliverer = Deliverer(queue, provider, FixedClock(T0 + 10 * MINUTE), batch=2)

    assert deliverer.deliver_due(limit=3) == DeliveryReport(sent=3)
    assert deliverer.deliver_due(limit=3) == DeliveryReport(sent=2)


def test_a_refused_message_waits_longer_each_time_then_is_given_up() -> None:
    queue, provider = ListQueue(), RefusingProvider(refusals=100)
    queue.put(message(0))
    clock = FixedClock(T0)
    deliverer = Deliverer(queue, provider, clock)
    row = queue.rows["m000"]

    waits = []
    for _ in range(7):
        assert deliverer.deliver_due() == DeliveryReport(failed=1)
        assert row.next_attempt_at is not None
        waits.append(row.next_attempt_at - clock.moment)
        assert deliverer.deliver_due() == DeliveryReport()  # not before its time
        clock.moment = row.next_attempt_at
    assert deliverer.deliver_due() == DeliveryReport(gave_up=1)

    assert waits == [MINUTE * m for m in (1, 2, 4, 8, 16, 32, 60)]
    assert row.gave_up_at == clock.moment and row.attempts == 8
    clock.moment += dt.timedelta(days=1)
    assert deliverer.deliver_due() == DeliveryReport()  # given up is final
    assert provider.tries == 8


def test_a_message_refused_once_goes_on_the_next_try() -> None:
    queue, provider = ListQueue(), RefusingProvider(refusals=1)
    queue.put(message(0))
    clock = FixedClock(T0)
    deliverer = Deliverer(queue, provider, clock)

    assert deliverer.deliver_due() == DeliveryReport(failed=1)
    clock.moment += MINUTE
    assert deliverer.deliver_due() == DeliveryReport(sent=1)
    assert [m.id for m in provider.delivered] == ["m000"]


def test_the_recorded_error_keeps_neither_the_body_nor_the_whole_phone() -> None:
    queue, provider = ListQueue(), RefusingProvider(refusals=1)
    sent = message(0, body="Kode masuk Sertakan: 123456. Berlaku 5 menit.")
    queue.put(sent)
    Deliverer(queue, provider, FixedClock(T0)).deliver_due()

    error = queue.rows["m000"].last_error
    assert error == "ConnectionError: gateway 503 for +62812*****890: <body>"
    assert "123456" not in error
    assert len(describe_error(ValueError("x" * 500), sent)) == 200


class SlowClock(FixedClock):
    """Each reading is a minute later than the last: a slow gateway."""

    def now(self) -> dt.datetime:
        self.moment += MINUTE
        return self.moment


def test_no_send_starts_once_the_lease_is_about_to_end() -> None:
    queue, provider = ListQueue(), RecordingProvider()
    queue.put(*(message(n) for n in range(10)))
    deliverer = Deliverer(
        queue, provider, SlowClock(T0), lease=5 * MINUTE, margin=dt.timedelta(seconds=30)
    )

    report = deliverer.deliver_due()

    # Claimed at +1 min until +6; sends start at +2, +4 (each also reads the clock to mark
    # it sent); at +6 the lease is over and the other eight wait for the next run.
    assert report == DeliveryReport(sent=2)
    unsent = [row for row in queue.rows.values() if row.sent_at is None]
    assert len(unsent) == 8
