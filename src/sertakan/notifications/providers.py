"""Providers that deliver messages without an SMS gateway: the dev console and a recorder.

`ConsoleProvider` is for a laptop: it writes the text, code included, to the log. Never use it
where the log is kept or shipped, since the codes in it are secrets until they expire.
"""

from __future__ import annotations

import logging

from sertakan.notifications.model import Message, mask_phone

LOGGER = "sertakan.sms"
_CHANNEL_NAMES = {"sms": "SMS", "whatsapp": "WhatsApp"}


class ConsoleProvider:
    """Logs each message at INFO on logger "sertakan.sms": ``SMS ke +62812*****890: <body>``.

    The phone is masked, so the log does not become a list of members' numbers.
    """

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._log = logger or logging.getLogger(LOGGER)

    def deliver(self, message: Message) -> None:
        """Write the message to the log (and nowhere else)."""
        channel = _CHANNEL_NAMES.get(message.channel, message.channel)
        self._log.info("%s ke %s: %s", channel, mask_phone(message.recipient), message.body)


class RecordingProvider:
    """Keeps every delivered message in `delivered`, oldest first, for tests to read."""

    def __init__(self) -> None:
        self.delivered: list[Message] = []

    def deliver(self, message: Message) -> None:
        """Record the message."""
        self.delivered.append(message)

    def sent_to(self, recipient: str) -> list[Message]:
        """The messages delivered to one phone (E.164), oldest first."""
        return [message for message in self.delivered if message.recipient == recipient]

    def last_to(self, recipient: str) -> Message | None:
        """The newest message delivered to one phone, or None."""
        sent = self.sent_to(recipient)
        return sent[-1] if sent else None
