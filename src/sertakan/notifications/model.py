"""A message to a person's phone, as it is put in the outbox and handed to a provider.

A message carries only what its template rendered, and never a NIK: UU 27/2022 (Pelindungan
Data Pribadi) limits personal data to what the purpose needs, and an SMS stays on the phone
and at the operator out of our reach. `Message` refuses a body holding 16 digits in a row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal, get_args

from sertakan.notifications.errors import MessageRefused

Channel = Literal["sms", "whatsapp"]
CHANNELS: tuple[str, ...] = get_args(Channel)

_E164 = re.compile(r"\+[1-9][0-9]{6,14}", re.ASCII)
_INDONESIA = "+62"
# A NIK is 16 digits; people also write it in groups ("3271 0157 0890 0012", "3271.01...").
_NIK_LIKE = re.compile(r"[0-9](?:[ .-]?[0-9]){15}")


@dataclass(frozen=True, slots=True)
class Message:
    """One text to one phone.

    `recipient` is E.164 (``+6281234567890``); `template` names the template that made `body`
    (``code.sign_in``), so the outbox can be searched without reading bodies; `created_at` is
    timezone-aware.
    """

    id: str
    channel: Channel
    recipient: str
    template: str
    body: str
    created_at: dt.datetime

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise MessageRefused(f"channel must be one of {', '.join(CHANNELS)}")
        if not _E164.fullmatch(self.recipient):
            raise MessageRefused("recipient must be a phone number in E.164 (+62...)")
        if not self.template.strip() or not self.body.strip():
            raise MessageRefused("a message needs a template key and a body")
        if _NIK_LIKE.search(self.body):
            raise MessageRefused("a message body must never carry a NIK (16 digits in a row)")
        if self.created_at.tzinfo is None:
            raise MessageRefused("created_at must be timezone-aware")


def mask_phone(e164: str) -> str:
    """The phone for logs and audit trails: the country code, the first 3 and the last 3 digits
    of the number, the rest as stars (``+6281234567890`` -> ``+62812*****890``).

    The first digits name the operator (0812 is Telkomsel) and the last ones let a person
    recognise their number; the middle identifies it. Numbers outside Indonesia keep "+" and
    the first 3 digits. A number too short to hide 3 digits keeps only its last 2.
    """
    if not _E164.fullmatch(e164):
        raise ValueError("not a phone number in E.164")
    prefix = _INDONESIA if e164.startswith(_INDONESIA) else "+"
    digits = e164[len(prefix) :]
    head, tail = 3, 3
    if len(digits) < head + tail + 3:  # keep at least 3 digits hidden
        head, tail = 0, 2
    hidden = len(digits) - head - tail
    return prefix + digits[:head] + "*" * hidden + digits[len(digits) - tail :]
