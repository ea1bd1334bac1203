"""Reading the gateway's settlement file, and sorting its rows against the notices received."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sertakan.billing.model import NoticeOutcome, StoredNotice
from sertakan.billing.reconciliation import (
    SETTLEMENT_RAW_PREFIX,
    Application,
    ReconciliationStatus,
    reconcile,
    report_csv,
)
from sertakan.billing.settlement_file import SETTLEMENT_HEADER, parse_settlement
from sertakan.kernel.clock import WIB
from sertakan.kernel.errors import RuleViolation

DAY = dt.date(2026, 12, 15)
HEADER = ",".join(SETTLEMENT_HEADER)


def line(tid: str, amount: str = "28400", paid_at: str = "2026-12-15T09:15:00+07:00") -> str:
    return f"{tid},INV-{tid},va_bri,{amount},{paid_at},2026-12-16"


def notice(
    tid: str,
    amount: int = 28_400,
    paid_at: dt.datetime = dt.datetime(2026, 12, 15, 9, 15, tzinfo=WIB),
    raw: str = "{}",
) -> StoredNotice:
    return StoredNotice(
        id=f"n-{tid}",
        gateway="sandbox",
        transaction_id=tid,
        invoice_number=f"INV-{tid}",
        amount=amount,
        channel="va_bri",
        paid_at=paid_at,
        received_at=paid_at,
        raw_body=raw,
        outcome=NoticeOutcome.APPLIED,
    )


def test_a_file_as_the_sandbox_writes_it_is_read_row_by_row() -> None:
    text = "\n".join([HEADER, line("SBX-1"), line("SBX-2", "41800")]) + "\n"

    parsed = parse_settlement(text.encode(), DAY)

    assert parsed.errors == ()
    assert [(r.line, r.transaction_id, r.amount) for r in parsed.rows] == [
        (2, "SBX-1", 28_400),
        (3, "SBX-2", 41_800),
    ]
    first = parsed.rows[0]
    assert first.paid_at == dt.datetime(2026, 12, 15, 9, 15, tzinfo=WIB)
    assert (first.channel, first.settled_on) == ("va_bri", dt.date(2026, 12, 16))
    assert len(parsed.digest) == 64


def test_each_bad_line_is_reported_with_its_line_and_field_and_the_other_lines_still_read() -> None:
    text = "\r\n".join(
        [
            HEADER,
            line("SBX-1"),
            line("SBX-2", "28.400"),  # a thousands separator: not digits only
            "SBX-3,INV-3,va_bri,28400",  # two fields short
            line("SBX-4").replace("va_bri", "cash"),
            "",  # an empty line holds no payment: not an error
            line("SBX-5", "0", paid_at="2026-12-15 09:15"),  # zero, and no UTC offset
            line("SBX-1"),  # listed twice
            line("SBX-6"),
        ]
    )

    parsed = parse_settlement(text.encode(), DAY)

    assert [r.transaction_id for r in parsed.rows] == ["SBX-1", "SBX-6"]
    assert [(e.line, e.field) for e in parsed.errors] == [
        (3, "amount"),
        (4, "line"),
        (5, "channel"),
        (7, "amount"),
        (7, "paid_at"),
        (8, "transaction_id"),
    ]
    amount = parsed.errors[0]
    assert amount.transaction_id == "SBX-2"
    assert amount.describe().startswith("line 3, amount: amount must be a positive whole number")
    assert amount.describe_id().startswith("baris 3, kolom amount: Jumlah harus bilangan bulat")
    assert "on line 2" in parsed.errors[-1].message
    assert "baris 2" in parsed.errors[-1].message_id


def test_a_payment_made_on_another_wib_day_is_not_read_as_this_days() -> None:
    text = "\n".join(
        [
            HEADER,
            line("SBX-1", paid_at="2026-12-14T23:59:59+07:00"),
            line("SBX-2", paid_at="2026-12-15T16:59:59+00:00"),  # 23:59:59 WIB: the 15th
        ]
    )

    parsed = parse_settlement(text, DAY)

    assert [r.transaction_id for r in parsed.rows] == ["SBX-2"]
    assert [(e.line, e.field, e.rule) for e in parsed.errors] == [
        (2, "paid_at", "settlement.paid_at")
    ]
    assert "2026-12-14" in parsed.errors[0].message


def test_a_byte_order_mark_from_a_spreadsheet_is_allowed() -> None:
    parsed = parse_settlement(("\ufeff" + HEADER + "\n" + line("SBX-1")).encode(), DAY)

    assert [r.transaction_id for r in parsed.rows] == ["SBX-1"]


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"", "settlement.empty"),
        (b"transaction_id,amount\nSBX-1,28400\n", "settlement.header"),
        (b"\xff\xfe" + HEADER.encode("utf-16-le"), "settlement.encoding"),
    ],
)
def test_a_file_that_cannot_be_read_at_all_is_refused_as_a_whole(content: bytes, rule: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        parse_settlement(content, DAY)

    [violation] = refused.value.violations
    assert (violation.field, violation.rule) == ("file", rule)
    assert violation.message and violation.message_id


def test_each_row_is_matched_not_notified_or_a_mismatch_and_missing_notices_are_flagged() -> None:
    text = "\n".join([HEADER, line("SBX-OK"), line("SBX-NEW"), line("SBX-DIFF", "28000")])
    rows = parse_settlement(text, DAY).rows
    notices = [
        notice("SBX-OK"),
        notice("SBX-DIFF"),
        notice("SBX-LOST", 41_800),
        notice("SBX-YESTERDAY", paid_at=dt.datetime(2026, 12, 14, 23, 59, 59, tzinfo=WIB)),
        notice("SBX-LATE-UTC", paid_at=dt.datetime(2026, 12, 15, 16, 59, 59, tzinfo=dt.UTC)),
    ]

    report = reconcile(rows, notices, DAY)

    assert [(r.transaction_id, r.status) for r in report.rows] == [
        ("SBX-OK", ReconciliationStatus.MATCHED),
        ("SBX-NEW", ReconciliationStatus.NOT_NOTIFIED),
        ("SBX-DIFF", ReconciliationStatus.AMOUNT_MISMATCH),
        ("SBX-LOST", ReconciliationStatus.NOT_IN_FILE),
        ("SBX-LATE-UTC", ReconciliationStatus.NOT_IN_FILE),
    ]
    diff = report.rows[2]
    assert (diff.file_amount, diff.notice_amount, diff.line) == (28_000, 28_400, 4)
    lost = report.rows[3]
    assert (lost.file_amount, lost.notice_amount, lost.line) == (None, 41_800, None)
    assert report.rows[1].application is Application.NONE  # applying is the service's
    assert report.count(ReconciliationStatus.MATCHED) == 1
    assert [r.transaction_id for r in report.flagged] == [
        "SBX-NEW",
        "SBX-DIFF",
        "SBX-LOST",
        "SBX-LATE-UTC",
    ]


def test_a_payment_applied_by_an_earlier_reconciliation_stays_not_notified_and_is_marked() -> None:
    rows = parse_settlement(HEADER + "\n" + line("SBX-NEW"), DAY).rows
    stored_from_file = notice("SBX-NEW", raw=f"{SETTLEMENT_RAW_PREFIX}settlement.csv line 2\n")

    [row] = reconcile(rows, [stored_from_file], DAY).rows

    assert row.status is ReconciliationStatus.NOT_NOTIFIED
    assert row.application is Application.EARLIER_RUN
    assert row.notice_id == "n-SBX-NEW"


def test_an_unreadable_line_is_a_flagged_row_and_its_notice_is_not_also_missing() -> None:
    parsed = parse_settlement(HEADER + "\n" + line("SBX-1", "abc"), DAY)

    report = reconcile(parsed.rows, [notice("SBX-1")], DAY, parsed.errors)

    [row] = report.rows
    assert row.status is ReconciliationStatus.UNREADABLE
    assert (row.line, row.transaction_id, row.notice_amount) == (2, "SBX-1", 28_400)
    assert row.note.startswith("baris 2: amount: Jumlah harus")


def test_the_csv_lists_the_flagged_rows_first() -> None:
    text = "\n".join([HEADER, line("SBX-OK"), line("SBX-DIFF", "1")])
    report = reconcile(
        parse_settlement(text, DAY).rows, [notice("SBX-OK"), notice("SBX-DIFF")], DAY
    )

    rows = list(csv.DictReader(io.StringIO(report_csv(report))))

    assert [(r["transaction_id"], r["status"], r["file_amount"]) for r in rows] == [
        ("SBX-DIFF", "amount_mismatch", "1"),
        ("SBX-OK", "matched", "28400"),
    ]
    assert rows[0]["status_label"] == "Jumlah berbeda"


@given(
    in_file=st.sets(st.integers(0, 30), max_size=15),
    notified=st.sets(st.integers(0, 30), max_size=15),
    wrong_amount=st.sets(st.integers(0, 30), max_size=5),
)
def test_every_file_row_and_every_notice_of_the_day_is_in_the_report_exactly_once(
    in_file: set[int], notified: set[int], wrong_amount: set[int]
) -> None:
    text = "\n".join(
        [HEADER] + [line(f"T{i}", "1" if i in wrong_amount else "28400") for i in sorted(in_file)]
    )
    rows = parse_settlement(text, DAY).rows

    report = reconcile(rows, [notice(f"T{i}") for i in sorted(notified)], DAY)

    assert sorted(r.transaction_id for r in report.rows) == sorted(
        f"T{i}" for i in in_file | notified
    )
    status = {r.transaction_id: r.status for r in report.rows}
    for i in in_file | notified:
        expected = (
            ReconciliationStatus.NOT_IN_FILE
            if i not in in_file
            else ReconciliationStatus.NOT_NOTIFIED
            if i not in notified
            else ReconciliationStatus.AMOUNT_MISMATCH
            if i in wrong_amount
            else ReconciliationStatus.MATCHED
        )
        assert status[f"T{i}"] is expected
