"""The domain events' outbox (`kernel.events`) in SQL: the `events` table.

`SqlEventLog` is the unit of work's `events`: it appends in the caller's transaction, so an
event commits with the change it records. `SqlEventStore` is the publisher's: each method is a
short transaction of its own (a "published" is recorded as soon as the handlers succeeded).

Rows are keyed by a UUIDv7 (`kernel.ids.new_event_id`), so "oldest written first" is the
primary key's order; `key` is unique, so the same fact is never recorded twice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from sertakan.kernel.events import Event, StoredEvent
from sertakan.kernel.ids import new_event_id
from sertakan.store.tables import events

_c = events.c
MAX_ERROR = 100  # the column's width: an exception class name fits


def event_row(event: Event, event_id: str | None = None) -> dict[str, Any]:
    return {
        "id": event_id or new_event_id(),
        "kind": event.kind,
        "key": event.key,
        # Sorted keys and no spaces: the same payload is always the same text.
        "payload": json.dumps(event.payload, sort_keys=True, separators=(",", ":")),
        "occurred_at": event.occurred_at,
    }


class SqlEventLog:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.appended = 0  # events appended in this unit of work (rings the doorbell)

    def append(self, new: Collection[Event]) -> None:
        if new:
            self._conn.execute(insert(events), [event_row(e) for e in new])
            self.appended += len(new)


class SqlEventStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def unpublished(self, limit: int) -> list[StoredEvent]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(events).where(_c.published_at.is_(None)).order_by(_c.id).limit(limit)
            ).all()
        return [
            StoredEvent(
                row.id,
                Event(row.kind, row.key, row.occurred_at, json.loads(row.payload)),
                row.attempts,
                row.last_error,
            )
            for row in rows
        ]

    def mark_published(self, event_ids: Collection[str], at: dt.datetime) -> None:
        if not event_ids:
            return
        with self._engine.begin() as conn:
            conn.execute(
                update(events)
                .where(_c.id.in_(list(event_ids)), _c.published_at.is_(None))
                .values(published_at=at)
            )

    def mark_failed(self, event_id: str, error: str, at: dt.datetime) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                update(events)
                .where(_c.id == event_id)
                .values(attempts=_c.attempts + 1, last_error=error[:MAX_ERROR])
            )

    def counts(self) -> dict[str, tuple[int, int]]:
        """Kind -> (unpublished, of which failed at least once): for `sertakan events`."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(_c.kind, _c.attempts).where(_c.published_at.is_(None))).all()
        counts: dict[str, tuple[int, int]] = {}
        for kind, attempts in rows:
            waiting, failed = counts.get(kind, (0, 0))
            counts[kind] = (waiting + 1, failed + (attempts > 0))
        return counts
