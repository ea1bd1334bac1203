"""The bus (issue 13): handlers by kind, publishing in the order written, at least once, and
a failing handler's event kept and tried again, never lost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import pytest

from sertakan.kernel.clock import FixedClock
from sertakan.kernel.events import Bus, Doorbell, Event, Publisher, StoredEvent

T0 = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)


class MemoryStore:
    """The outbox in a list: rows in the order written, as the SQL store's UUIDv7 keys."""

    def __init__(self, *events: Event) -> None:
        self.rows: list[dict[str, object]] = [
            {"id": f"e{n:04d}", "event": e, "published_at": None, "attempts": 0, "error": ""}
            for n, e in enumerate(events)
        ]

    def unpublished(self, limit: int) -> list[StoredEvent]:
        waiting = [r for r in self.rows if r["published_at"] is None][:limit]
        return [
            StoredEvent(str(r["id"]), r["event"], int(r["attempts"]), str(r["error"]))  # type: ignore[arg-type,call-overload]
            for r in waiting
        ]

    def mark_published(self, event_ids: Collection[str], at: dt.datetime) -> None:
        for r in self.rows:
            if r["id"] in event_ids and r["published_at"] is None:
                r["published_at"] = at

    def mark_failed(self, event_id: str, error: str, at: dt.datetime) -> None:
        for r in self.rows:
            if r["id"] == event_id:
                r["attempts"] = int(r["attempts"]) + 1  # type: ignore[call-overload]
                r["error"] = error

    def row(self, key: str) -> dict[str, object]:
        return next(r for r in self.rows if r["event"].key == key)  # type: ignore[attr-defined]


def ev(kind: str, key: str, **payload: object) -> Event:
    return Event(kind, key, T0, payload)  # type: ignore[arg-type]


def test_every_handler_of_a_kind_gets_each_event_in_the_order_written() -> None:
    seen: list[tuple[str, str]] = []
    bus = Bus()
    bus.subscribe("a.happened", "first", lambda e: seen.append(("first", e.key)))
    bus.subscribe("a.happened", "second", lambda e: seen.append(("second", e.key)))
    bus.subscribe("b.happened", "other", lambda e: seen.append(("other", e.key)))
    store = MemoryStore(ev("a.happened", "a1"), ev("b.happened", "b1"), ev("a.happened", "a2"))

    report = Publisher(bus, store, FixedClock(T0)).publish()

    assert seen == [
        ("first", "a1"),
        ("second", "a1"),
        ("other", "b1"),
        ("first", "a2"),
        ("second", "a2"),
    ]
    assert (report.published, report.failed) == (3, 0)
    assert all(r["published_at"] == T0 for r in store.rows)


def test_an_event_nobody_subscribes_to_is_published_all_the_same() -> None:
    store = MemoryStore(ev("billing.payment_settled", "k1"))
    report = Publisher(Bus(), store, FixedClock(T0)).publish()
    assert report.published == 1
    assert store.row("k1")["published_at"] == T0


def test_a_name_is_subscribed_once_per_kind() -> None:
    bus = Bus()
    bus.subscribe("a.happened", "receipt", lambda e: None)
    with pytest.raises(ValueError, match="already subscribed"):
        bus.subscribe("a.happened", "receipt", lambda e: None)
    bus.subscribe("b.happened", "receipt", lambda e: None)  # another kind: fine
    assert bus.kinds == {"a.happened", "b.happened"}
    assert [s.name for s in bus.subscriptions("a.happened")] == ["receipt"]


def test_publishing_twice_calls_the_handler_once_per_event() -> None:
    calls: list[str] = []
    bus = Bus()
    bus.subscribe("a.happened", "count", lambda e: calls.append(e.key))
    store = MemoryStore(ev("a.happened", "a1"))
    publisher = Publisher(bus, store, FixedClock(T0))

    assert publisher.publish().published == 1
    assert publisher.publish().published == 0
    assert calls == ["a1"]


def test_a_failing_handler_keeps_its_event_with_the_error_class_and_a_later_run_delivers_it() -> (
    None
):
    written: set[str] = set()  # an idempotent handler: keyed by the event
    broken = {"on": True}

    def flaky(event: Event) -> None:
        if broken["on"]:
            raise ConnectionError("+6281234567890 unreachable")  # text never kept
        written.add(event.key)

    other: list[str] = []
    bus = Bus()
    bus.subscribe("a.happened", "flaky", flaky)
    bus.subscribe("b.happened", "other", lambda e: other.append(e.key))
    store = MemoryStore(ev("a.happened", "a1"), ev("b.happened", "b1"))
    publisher = Publisher(bus, store, FixedClock(T0))

    first = publisher.publish()
    assert (first.published, first.failed, dict(first.failures)) == (1, 1, {"flaky": 1})
    assert other == ["b1"]  # one failing event does not hold back the others
    failed = store.row("a1")
    assert (failed["published_at"], failed["attempts"], failed["error"]) == (
        None,
        1,
        "ConnectionError",
    )
    assert publisher.publish().failed == 1  # still failing: tried once per run, kept
    assert store.row("a1")["attempts"] == 2

    broken["on"] = False
    assert publisher.publish().published == 1
    assert written == {"a1"}
    assert store.row("a1")["published_at"] == T0
    assert other == ["b1"]  # b1 was not delivered again


def test_when_a_second_handler_fails_the_first_runs_again_on_retry_so_it_must_be_idempotent() -> (
    None
):
    calls: list[str] = []
    fail = {"on": True}

    def second(event: Event) -> None:
        if fail["on"]:
            raise RuntimeError("down")

    bus = Bus()
    bus.subscribe("a.happened", "first", lambda e: calls.append(e.key))
    bus.subscribe("a.happened", "second", second)
    store = MemoryStore(ev("a.happened", "a1"))
    publisher = Publisher(bus, store, FixedClock(T0))

    publisher.publish()
    fail["on"] = False
    publisher.publish()
    assert calls == ["a1", "a1"]  # at least once: the first handler saw it twice
    assert store.row("a1")["published_at"] == T0


def test_a_run_reads_in_rounds_of_the_limit_until_nothing_is_left() -> None:
    seen: list[str] = []
    bus = Bus()
    bus.subscribe("a.happened", "seen", lambda e: seen.append(e.key))
    store = MemoryStore(*(ev("a.happened", f"a{n}") for n in range(7)))

    report = Publisher(bus, store, FixedClock(T0)).publish(limit=3)

    assert report.published == 7
    assert seen == [f"a{n}" for n in range(7)]


def test_an_event_needs_a_kind_a_key_and_an_aware_moment() -> None:
    with pytest.raises(ValueError):
        Event("", "k", T0, {})
    with pytest.raises(ValueError):
        Event("a.happened", "", T0, {})
    with pytest.raises(ValueError):
        Event("a.happened", "k", T0.replace(tzinfo=None), {})


def test_the_doorbell_calls_its_listener_and_survives_a_failing_one() -> None:
    rung: list[int] = []
    bell = Doorbell()
    bell.ring()  # nobody listens: nothing happens
    bell.listen(lambda: rung.append(1))
    bell.ring()
    assert rung == [1]

    def broken() -> None:
        raise RuntimeError("scheduler stopped")

    bell.listen(broken)
    bell.ring()  # logged, not raised into the committing use case
    bell.listen(None)
    bell.ring()
    assert rung == [1]
