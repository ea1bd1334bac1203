"""The console provider logs a masked phone and the text; the recorder keeps messages."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from sertakan.kernel.clock import WIB
from sertakan.notifications.model import Message
from sertakan.notifications.providers import ConsoleProvider, RecordingProvider

NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=WIB)


def message(recipient: str = "+6281234567890", body: str = "Kode 123456", **more: str) -> Message:
    return Message(
        id=more.get("id", "m1"),
        channel="whatsapp" if more.get("channel") == "whatsapp" else "sms",
        recipient=recipient,
        template="code.sign_in",
        body=body,
        created_at=NOW,
    )


def test_the_console_logs_the_text_to_a_masked_phone_at_info(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    with caplog.at_level(logging.INFO, logger="sertakan.sms"):
        ConsoleProvider().deliver(message())
    (record,) = caplog.records
    assert (record.name, record.levelno) == ("sertakan.sms", logging.INFO)
    assert record.getMessage() == "SMS ke +62812*****890: Kode 123456"
    assert "81234567890" not in record.getMessage()
    assert capsys.readouterr() == ("", "")  # nothing printed besides the log


def test_the_console_names_whatsapp_messages_as_such(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="sertakan.sms"):
        ConsoleProvider().deliver(message(channel="whatsapp"))
    assert caplog.records[0].getMessage().startswith("WhatsApp ke +62812*****890: ")


def test_the_recorder_keeps_messages_in_order_per_phone() -> None:
    recorder = RecordingProvider()
    first = message(id="a")
    other = message(recipient="+6285712345678", id="b")
    second = message(body="Kode 654321", id="c")
    for sent in (first, other, second):
        recorder.deliver(sent)
    assert recorder.delivered == [first, other, second]
    assert recorder.sent_to("+6281234567890") == [first, second]
    assert recorder.last_to("+6281234567890") is second
    assert recorder.last_to("+6281111111111") is None
