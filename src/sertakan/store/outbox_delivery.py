"""The outbox as the delivery worker sees it (`notifications.delivery.DeliveryQueue`), in SQL.

Each method is one short transaction of its own, committed before it returns: a claim must be
visible to other workers before anything is sent, and a "sent" must be recorded before the
next message is tried.

The claim is one statement::

    UPDATE outbox_messages SET claimed_until = :now + :lease, attempts = attempts + 1
    WHERE id IN (SELECT id FROM outbox_messages
                 WHERE sent_at IS NULL AND gave_up_at IS NULL
                   AND (next_attempt_at IS NULL OR next_attempt_at <= :now)
                   AND (claimed_until IS NULL OR claimed_until <= :now)
                 ORDER BY created_at, id LIMIT :n
                 FOR UPDATE SKIP LOCKED)          -- PostgreSQL
    RETURNING ...

On PostgreSQL, SKIP LOCKED makes a second worker pass over the rows a first one is claiming
(instead of waiting for them, then finding them claimed and taking nothing). On SQLite the
unit of work's BEGIN IMMEDIATE already lets only one writer in at a time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, Row, case, func, or_, select, update

from sertakan.notifications.delivery import MAX_ERROR, Claimed, PendingCount
from sertakan.notifications.model import Message
from sertakan.store.tables import outbox_messages

_c = outbox_messages.c


class SqlDeliveryQueue:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def claim(self, now: dt.datetime, limit: int, lease: dt.timedelta) -> list[Claimed]:
        if limit < 1:
            return []
        due = (
            select(_c.id)
            .where(
                _c.sent_at.is_(None),
                _c.gave_up_at.is_(None),
                or_(_c.next_attempt_at.is_(None), _c.next_attempt_at <= now),
                or_(_c.claimed_until.is_(None), _c.claimed_until <= now),
            )
            .order_by(_c.created_at, _c.id)
            .limit(limit)
        )
        if self._engine.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        until = now + lease
        statement = (
            update(outbox_messages)
            .where(_c.id.in_(due))
            .values(claimed_until=until, attempts=_c.attempts + 1)
            .returning(outbox_messages)
        )
        with self._engine.begin() as conn:
            rows = conn.execute(statement).all()
        claimed = [Claimed(_message(row), int(row.attempts), until) for row in rows]
        # RETURNING keeps no order: deliver the oldest first, as claimed.
        return sorted(claimed, key=lambda item: (item.message.created_at, item.message.id))

    def mark_sent(self, message_id: str, at: dt.datetime) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                update(outbox_messages)
                .where(_c.id == message_id, _c.sent_at.is_(None))
                .values(sent_at=at, claimed_until=None, next_attempt_at=None)
            )

    def mark_failed(
        self, message_id: str, at: dt.datetime, error: str, next_attempt_at: dt.datetime | None
    ) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                update(outbox_messages)
                .where(_c.id == message_id, _c.sent_at.is_(None))
                .values(
                    claimed_until=None,
                    next_attempt_at=next_attempt_at,
                    last_error=error[:MAX_ERROR],
                    gave_up_at=at if next_attempt_at is None else None,
                )
            )

    def pending_counts(self, now: dt.datetime) -> list[PendingCount]:
        waiting = _c.sent_at.is_(None) & _c.gave_up_at.is_(None)
        is_due = (
            waiting
            & or_(_c.next_attempt_at.is_(None), _c.next_attempt_at <= now)
            & or_(_c.claimed_until.is_(None), _c.claimed_until <= now)
        )
        query = (
            select(
                _c.template,
                _count(waiting).label("pending"),
                _count(is_due).label("due"),
                _count(waiting & (_c.attempts > 0)).label("retrying"),
                _count(_c.gave_up_at.is_not(None)).label("gave_up"),
            )
            .where(_c.sent_at.is_(None))
            .group_by(_c.template)
            .order_by(_c.template)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            PendingCount(
                row.template, int(row.pending), int(row.due), int(row.retrying), int(row.gave_up)
            )
            for row in rows
        ]


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _message(row: Row[Any]) -> Message:
    return Message(row.id, row.channel, row.recipient, row.template, row.body, row.created_at)
