"""What sending a message needs from the outside world, as Protocols.

A message is first added to the `Outbox` inside the transaction of the change it reports
(the store implements it), so that a rolled-back change sends nothing and a committed one is
never forgotten. After commit, a `Provider` delivers it (SMS gateway, WhatsApp, the console):
the delivery worker (`notifications.delivery`) for most messages, the request itself for a
one-time code someone is waiting for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Protocol

from sertakan.notifications.model import Message


class Outbox(Protocol):
    """Messages waiting to be delivered, written in the caller's unit of work."""

    def add(self, message: Message, *, held_until: dt.datetime | None = None) -> None:
        """Record the message; it is sent only if the surrounding transaction commits.

        `held_until`: the caller delivers the message itself right after commit, so the
        delivery worker leaves it alone until then; if the caller never marks it sent (the
        provider refused, the process died), the worker sends it after that moment.
        """
        ...

    def add_many(self, messages: Collection[Message]) -> None:
        """Record many messages (one statement: the receipts of a batch of payments)."""
        ...

    def mark_sent(self, message_id: str, at: dt.datetime) -> None:
        """The provider accepted the message: the delivery worker must not send it again."""
        ...

    def has(self, message_id: str) -> bool:
        """Whether a message with this id was queued (a reaction run twice writes it once)."""
        ...


class Provider(Protocol):
    """Delivers a message to the person's phone."""

    def deliver(self, message: Message) -> None:
        """Send the message; raise if it could not be handed over (the outbox keeps it).

        `message.id` is the same on every attempt: a gateway adapter passes it as the
        gateway's client reference or idempotency key, so that the gateway can drop a second
        copy (see `notifications.delivery` for when one can happen).
        """
        ...
