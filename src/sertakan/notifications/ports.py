"""What sending a message needs from the outside world, as Protocols.

A message is first added to the `Outbox` inside the transaction of the change it reports
(the store implements it), so that a rolled-back change sends nothing and a committed one is
never forgotten. After commit, a `Provider` delivers it (SMS gateway, WhatsApp, the console).
"""

from __future__ import annotations

from typing import Protocol

from sertakan.notifications.model import Message


class Outbox(Protocol):
    """Messages waiting to be delivered, written in the caller's unit of work."""

    def add(self, message: Message) -> None:
        """Record the message; it is sent only if the surrounding transaction commits."""
        ...


class Provider(Protocol):
    """Delivers a message to the person's phone."""

    def deliver(self, message: Message) -> None:
        """Send the message; raise if it could not be handed over (the outbox keeps it)."""
        ...
