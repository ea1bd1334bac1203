"""Domain events on a bus (issue 13): what happened, recorded with the change, then handed
to whoever reacts to it.

A use case appends an `Event` to its unit of work's `events` (an outbox table) in the same
transaction as the change, so the fact is recorded if and only if the change commits
(docs/architecture.md rule 1: a reaction that goes the other way, a payment settles -> the JHT
ledger is credited, is a domain event, never an upward import). A `Publisher` later reads
the unpublished events in the order they were written, calls every handler the `Bus` holds
for the event's kind, and marks the event published once all of them succeeded.

Delivery is at least once: a publisher that dies between a handler and the mark, or two
publishers running at once, call a handler again for the same event, so every handler is
idempotent (it keys what it writes by `Event.key`). A handler that raises is not lost: the
event stays unpublished with its attempts and the error's class name (never its message,
which may quote personal data), and the next run tries it again. One event failing does not
hold back the others, so handlers may not rely on the order between different facts.

The kernel holds only the mechanism; the kinds and their payloads belong to the domains that
publish them (`billing.events`), and the handlers are subscribed in one place, `bootstrap`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sertakan.kernel.clock import Clock

log = logging.getLogger("sertakan.events")

# A payload is JSON: money as int rupiah, dates and moments as ISO text (the domains'
# `to_event` functions write it explicitly, never by reflection).
Json = str | int | bool | None | Sequence["Json"] | Mapping[str, "Json"]


@dataclass(frozen=True, slots=True)
class Event:
    """One fact. `kind` names it (``billing.payment_settled``); `key` is stable: the same fact
    always gets the same key, so it is recorded once (the outbox's unique key) and a handler
    can key its own writes by it."""

    kind: str
    key: str
    occurred_at: dt.datetime
    payload: Mapping[str, Json]

    def __post_init__(self) -> None:
        if not self.kind or not self.key:
            raise ValueError("an event needs a kind and a key")
        if self.occurred_at.tzinfo is None:
            raise ValueError("occurred_at must be timezone-aware")


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as the outbox holds it: its row id (ordered by time of writing) and the
    attempts to publish it so far."""

    id: str
    event: Event
    attempts: int = 0
    last_error: str = ""


class EventLog(Protocol):
    """The unit of work's `events`: written in the transaction of the change."""

    def append(self, events: Collection[Event]) -> None:
        """Record the events (one statement); a key already recorded is a programming error
        the store refuses."""
        ...


class EventStore(Protocol):
    """The publisher's view of the outbox; each call is its own transaction."""

    def unpublished(self, limit: int) -> list[StoredEvent]:
        """Up to `limit` unpublished events, oldest written first."""
        ...

    def mark_published(self, event_ids: Collection[str], at: dt.datetime) -> None: ...

    def mark_failed(self, event_id: str, error: str, at: dt.datetime) -> None:
        """Count one more attempt and keep the error's class name."""
        ...

    def counts(self) -> dict[str, tuple[int, int]]:
        """Kind -> (unpublished, of which failed at least once)."""
        ...


Handler = Callable[[Event], None]


@dataclass(frozen=True, slots=True)
class Subscription:
    kind: str
    name: str  # for logs and reports: which reaction failed
    handler: Handler


class Bus:
    """The registry of handlers, by kind. Filled once, at start-up (`bootstrap.subscribe`)."""

    def __init__(self) -> None:
        self._subscriptions: dict[str, list[Subscription]] = {}

    def subscribe(self, kind: str, name: str, handler: Handler) -> None:
        taken = self._subscriptions.setdefault(kind, [])
        if any(s.name == name for s in taken):
            raise ValueError(f"{name!r} is already subscribed to {kind!r}")
        taken.append(Subscription(kind, name, handler))

    def subscriptions(self, kind: str) -> tuple[Subscription, ...]:
        """The handlers of `kind`, in the order they were subscribed (none: the event is
        published all the same, as a fact nobody reacts to yet)."""
        return tuple(self._subscriptions.get(kind, ()))

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(self._subscriptions)


@dataclass(frozen=True, slots=True)
class PublishReport:
    published: int = 0
    failed: int = 0  # events left unpublished after a handler raised (tried again next run)
    failures: Mapping[str, int] = field(default_factory=dict)  # handler name -> events


class Publisher:
    """Hands the outbox's events to the bus's handlers. One run at a time per process (a
    lock); several processes may run at once, which the handlers' idempotence makes safe."""

    def __init__(self, bus: Bus, store: EventStore, clock: Clock) -> None:
        self._bus = bus
        self._store = store
        self._clock = clock
        self._lock = threading.Lock()

    def publish(self, limit: int = 500) -> PublishReport:
        """Publish up to `limit` events per round until none is left that has not been tried
        in this run (a failing event is tried once per run)."""
        with self._lock:
            published = failed = 0
            failures: dict[str, int] = {}
            tried: set[str] = set()
            while True:
                # Events that failed in this run are still unpublished: skip them (next run).
                fresh = self._store.unpublished(limit + len(tried))
                batch = [s for s in fresh if s.id not in tried][:limit]
                if not batch:
                    break
                done: list[str] = []
                for stored in batch:
                    tried.add(stored.id)
                    broken = self._handle(stored)
                    if broken is None:
                        done.append(stored.id)
                    else:
                        failed += 1
                        failures[broken] = failures.get(broken, 0) + 1
                self._store.mark_published(done, self._clock.now())
                published += len(done)
            if published or failed:
                log.info("events: published %d, failed %d", published, failed)
            return PublishReport(published, failed, failures)

    def pending(self) -> dict[str, tuple[int, int]]:
        """Kind -> (unpublished, of which failed at least once): what waits (`sertakan events
        pending`)."""
        return self._store.counts()

    def _handle(self, stored: StoredEvent) -> str | None:
        """Run every handler of the event; the name of the first that raised, if any."""
        for subscription in self._bus.subscriptions(stored.event.kind):
            try:
                subscription.handler(stored.event)
            except Exception as exc:  # any failure is kept and retried
                error = type(exc).__name__
                # The class name only: an exception's text may quote a phone or a name.
                log.warning(
                    "events: %s failed on %s (attempt %d): %s",
                    subscription.name,
                    stored.event.kind,
                    stored.attempts + 1,
                    error,
                )
                self._store.mark_failed(stored.id, error, self._clock.now())
                return subscription.name
        return None


class Doorbell:
    """Rung after a unit of work that appended events commits, so a publisher can run soon.

    Ringing is cheap and never publishes in the caller's thread (the payment notice path must
    not wait for receipts): the server's scheduler listens and runs its publish job at once;
    with nobody listening (the CLI, tests) the events wait for `sertakan events publish`, the
    daily job, or the scheduler's next interval."""

    def __init__(self) -> None:
        self._listener: Callable[[], None] | None = None

    def listen(self, listener: Callable[[], None] | None) -> None:
        self._listener = listener

    def ring(self) -> None:
        listener = self._listener
        if listener is not None:
            try:
                listener()
            except Exception:  # a missed ring only delays: the interval job runs
                log.warning("events: the publisher could not be woken; it runs on its interval")
