"""A gateway's payment notice, read from its raw JSON body with a specific answer for each fault.

The body the sandbox gateway sends (and any adapter for a real one must produce)::

    {"transaction_id": "SBX-7F3A...", "invoice_number": "INV-202612-4F2A9C01",
     "amount": 81800, "currency": "IDR", "channel": "va_bri", "status": "paid",
     "paid_at": "2026-12-10T09:15:00+07:00"}

`amount` is whole rupiah as a JSON integer (a float or a string is refused: money never passes
through float); `paid_at` must carry its UTC offset.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sertakan.billing.channels import CHANNELS
from sertakan.kernel.errors import RuleViolation, Violation

MAX_ID_LENGTH = 64


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
    except (UnicodeDecodeError, json.JSONDecodeError):
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
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        found.append(
            _violation(
                "amount",
                "payment.notice.amount",
                "amount must be a positive whole number of rupiah",
                "Jumlah harus bilangan bulat rupiah yang positif",
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
    if channel not in CHANNELS:
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


def _text(data: dict[str, Any], key: str, found: list[Violation]) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_ID_LENGTH:
        found.append(
            _violation(
                key,
                f"payment.notice.{key}",
                f"{key} must be a non-empty text of at most {MAX_ID_LENGTH} characters",
                f"{key} wajib diisi (paling banyak {MAX_ID_LENGTH} karakter)",
            )
        )
        return ""
    return value.strip()


def _moment(value: object, found: list[Violation]) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        found.append(
            _violation(
                "paid_at",
                "payment.notice.paid_at",
                "paid_at must be an ISO 8601 time with its UTC offset",
                "Waktu bayar harus ISO 8601 dengan zona waktu",
            )
        )
        return None
    return moment


def _violation(field: str, rule: str, message: str, message_id: str) -> Violation:
    return Violation(field, rule, message, message_id)
