"""Messages go to an E.164 phone, carry their template key, and never a NIK."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sertakan.kernel.clock import WIB
from sertakan.notifications.errors import MessageRefused
from sertakan.notifications.model import Message, mask_phone

NOW = dt.datetime(2026, 11, 25, 9, 30, tzinfo=WIB)


def message(**changes: object) -> Message:
    values: dict[str, object] = {
        "id": "m1",
        "channel": "sms",
        "recipient": "+6281234567890",
        "template": "code.sign_in",
        "body": "Kode masuk Sertakan: 123456.",
        "created_at": NOW,
    }
    values.update(changes)
    return Message(**values)  # type: ignore[arg-type]


def test_a_message_keeps_what_it_was_given() -> None:
    sent = message(channel="whatsapp")
    assert (sent.channel, sent.recipient, sent.template) == (
        "whatsapp",
        "+6281234567890",
        "code.sign_in",
    )


@pytest.mark.parametrize(
    "body",
    [
        "NIK Anda 3271015708900012",
        "NIK 3271 0157 0890 0012 terdaftar",
        "NIK 3271.0157.0890.0012",
        "NIK 3271-0157-0890-0012",
    ],
)
def test_a_body_holding_a_nik_is_refused(body: str) -> None:
    with pytest.raises(MessageRefused, match="NIK"):
        message(body=body)


def test_a_code_and_a_validity_in_minutes_are_not_mistaken_for_a_nik() -> None:
    assert message(body="Kode 123456 (berlaku 5 menit). KPJ 12345678901.").body


@pytest.mark.parametrize(
    "changes",
    [
        {"channel": "email"},
        {"recipient": "081234567890"},
        {"recipient": "+62 812 3456 7890"},
        {"template": " "},
        {"body": ""},
        {"created_at": NOW.replace(tzinfo=None)},
    ],
)
def test_a_malformed_message_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(MessageRefused):
        message(**changes)


def test_a_message_cannot_be_changed_after_it_is_made() -> None:
    sent = message()
    with pytest.raises(AttributeError):
        sent.body = "lain"  # type: ignore[misc]


def test_an_indonesian_mobile_keeps_its_operator_prefix_and_last_three_digits() -> None:
    assert mask_phone("+6281234567890") == "+62812*****890"
    assert mask_phone("+628571234567") == "+62857****567"


def test_a_foreign_number_keeps_the_plus_and_its_first_three_digits() -> None:
    assert mask_phone("+6591234567") == "+659****567"


def test_a_short_number_keeps_only_its_last_two_digits() -> None:
    assert mask_phone("+62812345") == "+62****45"


def test_masking_refuses_what_is_not_e164() -> None:
    with pytest.raises(ValueError):
        mask_phone("0812-3456-7890")


@given(st.from_regex(r"\+62 8[1-9][0-9]{7,10}".replace(" ", ""), fullmatch=True))
def test_a_masked_mobile_keeps_its_length_and_hides_the_middle(phone: str) -> None:
    masked = mask_phone(phone)
    assert len(masked) == len(phone)
    assert masked[:6] == phone[:6] and masked[-3:] == phone[-3:]
    middle = masked[6:-3]
    assert middle and set(middle) == {"*"}
