"""The gateway's settlement file: one WIB day's payments, read line by line (issue 6).

The gateway pays out each WIB day's payments and lists them in a CSV, the settlement file, with
the header `transaction_id,invoice_number,channel,amount,paid_at,settled_on` (as
`gateways.sandbox.write_settlement_csv` writes it). `parse_settlement` reads it line by line: a
line that cannot be read is reported with its line number, its field and the reason in Bahasa
Indonesia and English, never skipped, and the other lines are still read. Sorting the lines
against the notices received is `billing.reconciliation`'s.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from sertakan.billing.channels import CHANNELS
from sertakan.billing.notices import MAX_ID_LENGTH
from sertakan.kernel.clock import WIB
from sertakan.kernel.errors import RuleViolation

SETTLEMENT_HEADER = (
    "transaction_id",
    "invoice_number",
    "channel",
    "amount",
    "paid_at",
    "settled_on",
)
MAX_AMOUNT_DIGITS = 15  # a thousand trillion rupiah: more is a broken line, not a payment
_DIGITS = re.compile(r"[0-9]+")
_LINE_BREAK = re.compile(r"\r\n|\n|\r")


@dataclass(frozen=True, slots=True)
class SettlementLine:
    """One payment of the settlement file, read and checked."""

    line: int  # in the file; the header is line 1
    transaction_id: str
    invoice_number: str
    channel: str
    amount: int
    paid_at: dt.datetime
    settled_on: dt.date
    text: str  # the line as written: kept in the raw body of a notice stored from it


@dataclass(frozen=True, slots=True)
class LineError:
    """Why one field of one line could not be read, in English and Bahasa Indonesia."""

    line: int
    field: str
    rule: str
    message: str
    message_id: str
    transaction_id: str = ""  # as written on the line, when there is one

    def describe(self) -> str:
        return f"line {self.line}, {self.field}: {self.message}"

    def describe_id(self) -> str:
        return f"baris {self.line}, kolom {self.field}: {self.message_id}"


@dataclass(frozen=True, slots=True)
class SettlementFile:
    rows: tuple[SettlementLine, ...]
    errors: tuple[LineError, ...]
    digest: str  # SHA-256 of the file: shows when two runs read the same file


def parse_settlement(content: bytes | str, day: dt.date) -> SettlementFile:
    """Every line of the settlement file of `day` (the WIB day the payments were made).

    Raises RuleViolation only when the file as a whole cannot be read (not UTF-8, empty, not
    the expected header); a bad line is a `LineError` and the other lines are still read."""
    raw = content.encode("utf-8") if isinstance(content, str) else content
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")  # a spreadsheet's byte-order mark is allowed
    except UnicodeDecodeError:
        raise _file_fault(
            "settlement.encoding",
            "The settlement file is not UTF-8 text",
            "File settlement bukan teks UTF-8",
        ) from None
    lines = _LINE_BREAK.split(text)
    if not lines or not lines[0].strip():
        raise _file_fault(
            "settlement.empty",
            "The settlement file is empty: line 1 must be the header",
            "File settlement kosong: baris 1 harus berisi judul kolom",
        )
    header = tuple(name.strip() for name in _fields(lines[0]) or ())
    if header != SETTLEMENT_HEADER:
        expected = ",".join(SETTLEMENT_HEADER)
        raise _file_fault(
            "settlement.header",
            f"line 1 must be the header {expected}",
            f"Baris 1 harus berisi judul kolom {expected}",
        )
    rows: list[SettlementLine] = []
    errors: list[LineError] = []
    first_seen: dict[str, int] = {}
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue  # an empty line holds no payment
        row, found = _read_line(number, line, day)
        if row is not None and row.transaction_id in first_seen:
            found.append(
                LineError(
                    number,
                    "transaction_id",
                    "settlement.transaction_id.repeated",
                    f"the transaction is listed already, on line {first_seen[row.transaction_id]}",
                    f"Transaksi ini sudah tercantum di baris {first_seen[row.transaction_id]}",
                    row.transaction_id,
                )
            )
            row = None
        if row is not None:
            first_seen[row.transaction_id] = number
            rows.append(row)
        errors.extend(found)
    return SettlementFile(tuple(rows), tuple(errors), digest)


def _read_line(
    number: int, line: str, day: dt.date
) -> tuple[SettlementLine | None, list[LineError]]:
    values = _fields(line)
    if values is None or len(values) != len(SETTLEMENT_HEADER):
        count = "unreadable" if values is None else str(len(values))
        tid = values[0].strip()[:MAX_ID_LENGTH] if values else ""
        return None, [
            LineError(
                number,
                "line",
                "settlement.columns",
                f"expected {len(SETTLEMENT_HEADER)} fields, found {count}",
                f"Harus ada {len(SETTLEMENT_HEADER)} kolom, terbaca {count}",
                tid,
            )
        ]
    tid, invoice, channel, amount_text, paid_text, settled_text = (v.strip() for v in values)
    found: list[LineError] = []

    def fault(name: str, message: str, message_id: str) -> None:
        found.append(
            LineError(
                number,
                name,
                f"settlement.{name}",
                message,
                message_id,
                tid[:MAX_ID_LENGTH],
            )
        )

    for name, value in (("transaction_id", tid), ("invoice_number", invoice)):
        if not value or len(value) > MAX_ID_LENGTH:
            fault(
                name,
                f"{name} must have 1 to {MAX_ID_LENGTH} characters",
                f"{name} wajib diisi (paling banyak {MAX_ID_LENGTH} karakter)",
            )
    if channel not in CHANNELS:
        fault(
            "channel",
            f"unknown channel {channel!r}: one of {', '.join(CHANNELS)}",
            f"Kanal pembayaran {channel!r} tidak dikenal",
        )
    amount = 0
    if _DIGITS.fullmatch(amount_text) and len(amount_text) <= MAX_AMOUNT_DIGITS:
        amount = int(amount_text)
    if amount <= 0:
        fault(
            "amount",
            f"amount must be a positive whole number of rupiah, digits only: {amount_text!r}",
            f"Jumlah harus bilangan bulat rupiah yang positif, angka saja: {amount_text!r}",
        )
    paid_at = _moment(paid_text)
    if paid_at is None:
        fault(
            "paid_at",
            "paid_at must be an ISO 8601 time with its UTC offset",
            "Waktu bayar harus ISO 8601 dengan zona waktu",
        )
    elif wib_day(paid_at) != day:
        fault(
            "paid_at",
            f"paid on {wib_day(paid_at)} (WIB), not on {day}: is this the file of that day?",
            f"Dibayar tanggal {wib_day(paid_at)} (WIB), bukan {day}: benarkah ini file hari itu?",
        )
    settled_on = _date(settled_text)
    if settled_on is None:
        fault(
            "settled_on",
            "settled_on must be a date, YYYY-MM-DD",
            "Tanggal settlement harus berformat YYYY-MM-DD",
        )
    if found:
        return None, found
    assert paid_at is not None and settled_on is not None
    return SettlementLine(number, tid, invoice, channel, amount, paid_at, settled_on, line), []


def _fields(line: str) -> list[str] | None:
    try:
        return next(csv.reader([line], strict=True), [])
    except csv.Error:
        return None


def _moment(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _file_fault(rule: str, message: str, message_id: str) -> RuleViolation:
    return RuleViolation.single("file", rule, message, message_id)


def wib_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(WIB).date()
