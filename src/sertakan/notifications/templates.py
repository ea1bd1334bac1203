"""The texts sent to phones, Bahasa Indonesia first (English for tests and documentation).

Each text fits one SMS where it can: 160 characters of the GSM 03.38 7-bit alphabet (3GPP TS
23.038). A text with a character outside that alphabet goes as UCS-2, 70 characters a part,
and a cheap phone may show it in pieces, so the templates use plain Indonesian and the
sponsor's name is cleaned and cut to the room left (`safe_name`).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Lang = Literal["id", "en"]

SIGN_IN_CODE = "code.sign_in"  # template keys, as Message.template
CONSENT_CODE = "code.consent"

SMS_LIMIT = 160  # GSM 7-bit characters in one SMS (3GPP TS 23.038)
MAX_NAME = 40  # a name is never longer than this, even where there is room
MIN_NAME = 20  # ... and always gets this much, even if the text then needs two parts
UNKNOWN_SPONSOR = {"id": "Pemberi kerja Anda", "en": "Your employer"}

# GSM 03.38 default alphabet (one septet each), without the escape character, and its
# extension table (two septets each: the escape and the character).
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
# Typographic marks a phone keyboard or a word processor puts into names, and their plain form.
_PLAIN = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-", "…": "..."}
)
_SPACES = re.compile(r"\s+")


def sign_in_code(code: str, minutes: int, *, lang: Lang = "id") -> str:
    """The sign-in code text; it warns that no one, staff included, may ask for the code."""
    _check(code, minutes)
    if lang == "en":
        unit = "minute" if minutes == 1 else "minutes"
        return (
            f"Sertakan sign-in code: {code}. Valid for {minutes} {unit}. "
            "Do not give this code to anyone, including staff."
        )
    return (
        f"Kode masuk Sertakan: {code}. Berlaku {minutes} menit. "
        "Jangan berikan kode ini kepada siapa pun, termasuk petugas."
    )


def consent_code(code: str, sponsor_name: str, minutes: int, *, lang: Lang = "id") -> str:
    """The consent text sent to a worker whom a sponsor enrols: who wants to enrol and pay
    for them, and the code to hand over if they agree."""
    _check(code, minutes)
    if lang == "en":
        unit = "minute" if minutes == 1 else "minutes"
        rest = (
            " wants to enrol you in BPJS Ketenagakerjaan and pay your contributions through "
            f"Sertakan. If you agree, give them the code {code} (valid {minutes} {unit})."
        )
    else:
        rest = (
            " ingin mendaftarkan dan membayar iuran BPJS Ketenagakerjaan Anda lewat Sertakan. "
            f"Jika setuju, berikan kode {code} (berlaku {minutes} menit)."
        )
    room = SMS_LIMIT - (gsm7_length(rest) or SMS_LIMIT)
    name = safe_name(sponsor_name, min(MAX_NAME, max(room, MIN_NAME))) or UNKNOWN_SPONSOR[lang]
    return name + rest


def safe_name(name: str, max_length: int = MAX_NAME) -> str:
    """A person's or business's name made safe for a text message.

    NFKC, typographic quotes and dashes made plain, every control, format (bidirectional
    overrides, zero-width characters) and unassigned character removed, runs of spaces made
    one, and cut to `max_length` GSM septets (at a space when one is near the end).
    """
    text = unicodedata.normalize("NFKC", name).translate(_PLAIN)
    text = "".join(" " if char.isspace() else char for char in text)
    text = "".join(char for char in text if unicodedata.category(char)[0] != "C")
    text = _SPACES.sub(" ", text).strip()
    if _septets(text) <= max_length:
        return text
    cut = ""
    for char in text:
        if _septets(cut + char) > max_length:
            break
        cut += char
    ends_a_word = text[len(cut)] == " "
    space = cut.rfind(" ")
    if not ends_a_word and space >= max_length // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.-")


def gsm7_length(text: str) -> int | None:
    """Septets the text takes in the GSM 7-bit alphabet, or None if it needs UCS-2."""
    total = 0
    for char in text:
        if char in _GSM7_BASIC:
            total += 1
        elif char in _GSM7_EXTENSION:
            total += 2
        else:
            return None
    return total


def _septets(text: str) -> int:
    # Outside GSM-7 a character is one UCS-2 unit; counting it as one keeps the cut simple.
    return sum(2 if char in _GSM7_EXTENSION else 1 for char in text)


def _check(code: str, minutes: int) -> None:
    if not (code.isascii() and code.isdigit() and 4 <= len(code) <= 10):
        raise ValueError("a code is 4 to 10 digits")
    if minutes < 1:
        raise ValueError("a code is valid for at least a minute")
