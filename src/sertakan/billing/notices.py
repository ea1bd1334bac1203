"""A gateway's payment notice, read from its raw JSON body with a specific answer for each fault.

The body the sandbox gateway sends (and any adapter for a real one must produce)::

    {"transaction_id": "SBX-7F3A...", "invoice_number": "INV-202612-4F2A9C01",
     "amount": 81800, "currency": "IDR", "channel": "va_bri", "status": "paid",
     "paid_at": "2026-12-10T09:15:00+07:00"}

`amount` is whole rupiah as a JSON integer (a float or a string is refused: money never passes
through float) of at most `MAX_AMOUNT`; `paid_at` must carry its UTC offset. Every notice is
judged alone, before anything of its batch is written: a value the store could not take (an
amount past BIGINT, a NUL, which PostgreSQL text refuses) is refused here, naming its field,
so it never fails the good notices that came with it (issue 12). Text fields are bounded and
free of control characters (OWASP Input Validation Cheat Sheet: allow-list what a field holds).
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import dataclass
from typing import Any

from sertakan.billing.channels import CHANNELS
from sertakan.kernel.errors import RuleViolation, Violation

MAX_ID_LENGTH = 64
# Rp1 trillion: far above any invoice (the largest BPU contribution is under Rp250,000 a
# month; a sponsor of 100,000 workers paying 13 months is about Rp300 billion) and far below
# what the store's BIGINT holds (2^63 - 1), so no amount that passes can overflow a column
# or a sum of a day's payments.
MAX_AMOUNT = 1_000_000_000_000
# The moments a notice may name at all (the sane window around now and the invoice is the
# planner's: `applying.misfit`). Outside these, converting to UTC can overflow.
EARLIEST_PAID_AT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST_PAID_AT = dt.datetime(3000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Notice:
    transaction_id: str
    invoice_number: str
    amount: int
    channel: str
    paid_at: dt.datetime


def parse_notice(raw_body: bytes) -> Notice:
    """The notice in `raw_body`; RuleViolation naming every field that is wrong."""
    try:
        data = json.loads(raw_body.decode("utf-8"))
    except (ValueError, RecursionError):  # not UTF-8 or JSON; an integer of 4,300+ digits
        raise RuleViolation.single(
            "body",
            "payment.notice.not_json",
            "The notice body is not JSON",
            "Isi notifikasi bukan JSON",
        ) from None
    if not isinstance(data, dict):
        raise RuleViolation.single(
            "body",
            "payment.notice.not_object",
            "The notice body must be a JSON object",
            "Isi notifikasi harus objek JSON",
        )
    found: list[Violation] = []
    transaction_id = _text(data, "transaction_id", found)
    invoice_number = _text(data, "invoice_number", found)
    amount = data.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT:
        found.append(
            _violation(
                "amount",
                "payment.notice.amount",
                f"amount must be a positive whole number of rupiah, at most {MAX_AMOUNT:,}",
                f"Jumlah harus bilangan bulat rupiah yang positif, paling banyak {MAX_AMOUNT:,}",
            )
        )
    if data.get("currency", "IDR") != "IDR":
        found.append(
            _violation(
                "currency",
                "payment.notice.currency",
                "only IDR is accepted",
                "Hanya mata uang IDR yang diterima",
            )
        )
    if data.get("status", "paid") != "paid":
        found.append(
            _violation(
                "status",
                "payment.notice.status",
                "only a notice of a completed payment (status 'paid') is accepted",
                "Hanya notifikasi pembayaran yang berhasil (status 'paid') yang diterima",
            )
        )
    channel = data.get("channel")
    if not isinstance(channel, str) or channel not in CHANNELS:  # a list is not hashable
        found.append(
            _violation(
                "channel",
                "payment.notice.channel",
                f"unknown channel: choose one of {', '.join(CHANNELS)}",
                "Kanal pembayaran tidak dikenal",
            )
        )
    paid_at = _moment(data.get("paid_at"), found)
    if found:
        raise RuleViolation(found)
    assert isinstance(amount, int) and isinstance(channel, str) and paid_at is not None
    return Notice(transaction_id, invoice_number, amount, channel, paid_at)


def has_control(value: str) -> bool:
    """Whether the text holds a control character (NUL included): never in an id or a code,
    and a NUL is refused by PostgreSQL text."""
    return any(unicodedata.category(c) == "Cc" for c in value)


def _text(data: dict[str, Any], key: str, found: list[Violation]) -> str:
    value = data.get(key)
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > MAX_ID_LENGTH
        or has_control(value)
    ):
        found.append(
            _violation(
                key,
                f"payment.notice.{key}",
                f"{key} must be a non-empty text of at most {MAX_ID_LENGTH} characters, "
                "without control characters",
                f"{key} wajib diisi (paling banyak {MAX_ID_LENGTH} karakter, tanpa karakter "
                "kendali)",
            )
        )
        return ""
    return value.strip()


def _moment(value: object, found: list[Violation]) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
        inside = moment is not None and (
            moment.tzinfo is not None
            and EARLIEST_PAID_AT <= moment.astimezone(dt.UTC) < LATEST_PAID_AT
        )
    except (ValueError, OverflowError):  # "9999-12-31T23:59:59-01:00" is past year 9999 in UTC
        moment, inside = None, False
    if moment is None or not inside:
        found.append(
            _violation(
                "paid_at",
                "payment.notice.paid_at",
                "paid_at must be an ISO 8601 time with its UTC offset, in the years 2000-2999",
                "Waktu bayar harus ISO 8601 dengan zona waktu, antara tahun 2000 dan 2999",
            )
        )
        return None
    return moment


def _violation(field: str, rule: str, message: str, message_id: str) -> Violation:
    return Violation(field, rule, message, message_id)
