"""The texts sent to phones, Bahasa Indonesia first (English for tests and documentation).

Each text fits one SMS where it can: 160 characters of the GSM 03.38 7-bit alphabet (3GPP TS
23.038). A text with a character outside that alphabet goes as UCS-2, 70 characters a part,
and a cheap phone may show it in pieces, so the templates use plain Indonesian and the
sponsor's name is cleaned and cut to the room left (`safe_name`).

Billing texts name the invoice, the amount as ``Rp81.800`` (`format_rupiah`) and dates as
``15 Des 2026`` (`short_date`); like every message they never carry a NIK.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Literal

from sertakan.kernel.clock import WIB
from sertakan.kernel.periods import short_date_id

Lang = Literal["id", "en"]

SIGN_IN_CODE = "code.sign_in"  # template keys, as Message.template
CONSENT_CODE = "code.consent"
SIGN_UP_CODE = "code.sign_up"
INVOICE_DUE_SOON = "billing.invoice_due_soon"
INVOICE_UNPAID = "billing.invoice_unpaid"
COVER_ENDING = "billing.cover_ending"
RECEIPT = "billing.receipt"
SPONSORSHIP_ENDED_SPONSOR = "sponsorship.ended.sponsor"
SPONSORSHIP_ENDED_WORKER = "sponsorship.ended.worker"

SMS_LIMIT = 160  # GSM 7-bit characters in one SMS (3GPP TS 23.038)
MAX_NAME = 40  # a name is never longer than this, even where there is room
MIN_NAME = 20  # ... and always gets this much, even if the text then needs two parts
UNKNOWN_SPONSOR = {"id": "Pemberi kerja Anda", "en": "Your employer"}
UNKNOWN_MEMBER = "peserta"
MIN_FIRST_NAME = 12  # a first name is short: it may be cut this far to keep one SMS
MAX_REFERENCE = 32  # an invoice number or a months label is never longer than this

# Month abbreviations as Indonesians write them (CLDR "id", the form banks print).
PAY_WAYS = "Bayar lewat VA bank, QRIS, Alfamart atau Indomaret."

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


def sign_up_code(code: str, minutes: int, *, lang: Lang = "id") -> str:
    """The code proving a phone before a sponsor account is made with it. The holder gives
    it to whoever registers them (a counter officer may ask); a stranger's sign-up with this
    number fails without it, so the text says to ignore it."""
    _check(code, minutes)
    if lang == "en":
        unit = "minute" if minutes == 1 else "minutes"
        return (
            f"Sertakan sign-up code: {code}. Valid for {minutes} {unit}. Give it only to "
            "register this number as a sponsor. Not you? Ignore this message."
        )
    return (
        f"Kode daftar Sertakan: {code}. Berlaku {minutes} menit. Berikan hanya untuk "
        "mendaftarkan nomor ini sebagai pemberi kerja. Bukan Anda? Abaikan pesan ini."
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


def sponsorship_ended_to_sponsor(first_name: str, from_month: str) -> str:
    """To the sponsor, when a worker's sponsorship ends: whose, and from which month the
    worker is no longer on their invoices (`from_month` as ``Des 2026``)."""
    rest = (
        f" tidak lagi Anda bayar mulai {_reference(from_month)}: pekerja ini tidak ada lagi "
        "di tagihan Anda mulai bulan itu."
    )
    head = "Sertakan: iuran BPJAMSOSTEK "
    room = SMS_LIMIT - len(head) - len(rest)
    name = safe_name(first_name, min(MAX_NAME, max(room, MIN_FIRST_NAME))) or UNKNOWN_MEMBER
    return head + name + rest


def sponsorship_ended_to_worker(sponsor_name: str, from_month: str, due_on: dt.date) -> str:
    """To the worker, when their sponsorship ends: who stops paying, from which month, and
    the day to pay that month themselves to stay protected."""
    rest = (
        f" berhenti membayar iuran BPJAMSOSTEK Anda mulai {_reference(from_month)}. "
        f"Bayar sendiri paling lambat {short_date(due_on)} agar tetap terlindungi."
    )
    room = SMS_LIMIT - (gsm7_length(rest) or SMS_LIMIT)
    name = safe_name(sponsor_name, min(MAX_NAME, max(room, MIN_NAME))) or UNKNOWN_SPONSOR["id"]
    return name + rest


def invoice_due_soon(invoice_number: str, amount: int, due_on: dt.date, workers: int) -> str:
    """The reminder before an invoice's due date: number, amount, how many workers, when,
    and where to pay."""
    return (
        f"Tagihan BPJAMSOSTEK {_reference(invoice_number)} {format_rupiah(amount)} "
        f"untuk {_count(workers)} pekerja jatuh tempo {short_date(due_on)}. {PAY_WAYS}"
    )


def invoice_unpaid_on_due(invoice_number: str, amount: int, due_on: dt.date) -> str:
    """The notice that an invoice reached its due date unpaid."""
    return (
        f"Tagihan BPJAMSOSTEK {_reference(invoice_number)} {format_rupiah(amount)} belum "
        f"dibayar (jatuh tempo {short_date(due_on)}). Segera bayar agar perlindungan pekerja "
        "tidak terhenti."
    )


def cover_ending(first_name: str, last_covered: dt.date, amount: int) -> str:
    """The warning that a member's protection ends after `last_covered` unless `amount` is
    paid; the name is cut to the room one SMS leaves."""
    rest = (
        f" berakhir setelah {short_date(last_covered)} jika iuran {format_rupiah(amount)} "
        f"belum dibayar. {PAY_WAYS}"
    )
    head = "Perlindungan BPJAMSOSTEK "
    room = SMS_LIMIT - len(head) - len(rest)
    name = safe_name(first_name, min(MAX_NAME, max(room, MIN_FIRST_NAME))) or UNKNOWN_MEMBER
    return head + name + rest


def receipt(
    invoice_number: str, amount: int, months_label: str, workers: int, paid_at: dt.datetime
) -> str:
    """The thanks for a payment: amount, invoice, months and workers it covers, and when it
    was received (WIB, the platform's time zone)."""
    if paid_at.tzinfo is None:
        raise ValueError("paid_at must be timezone-aware")
    local = paid_at.astimezone(WIB)
    return (
        f"Terima kasih. Pembayaran {format_rupiah(amount)} untuk {_reference(invoice_number)} "
        f"({_reference(months_label)}, {_count(workers)} pekerja) diterima "
        f"{short_date(local.date())} {local:%H.%M} WIB."
    )


def format_rupiah(amount: int) -> str:
    """Whole rupiah with Indonesian thousands dots: 81800 -> ``Rp81.800``."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"rupiah amounts are int, got {type(amount).__name__}")
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


def short_date(day: dt.date) -> str:
    """A date as Indonesians write it short: ``15 Des 2026``."""
    return short_date_id(day)


def _reference(text: str) -> str:
    reference = safe_name(text, MAX_REFERENCE)
    if not reference:
        raise ValueError("an invoice number or months label is required")
    return reference


def _count(workers: int) -> str:
    if workers < 1:
        raise ValueError("a bill covers at least one worker")
    return str(workers)


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
