"""The billing texts: Bahasa Indonesia, rupiah with dots, short dates, one SMS, never a NIK."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sertakan.kernel.clock import WIB
from sertakan.notifications.model import Message
from sertakan.notifications.templates import (
    SMS_LIMIT,
    cover_ending,
    format_rupiah,
    gsm7_length,
    invoice_due_soon,
    invoice_unpaid_on_due,
    receipt,
    short_date,
)

INVOICE = "INV-202612-4F2A9C01"  # the shape billing gives (billing/model.py)
DUE = dt.date(2026, 12, 15)
SIXTEEN_DIGITS = re.compile(r"[0-9](?:[ .-]?[0-9]){15}")  # as Message refuses it


def fits_one_sms(text: str) -> bool:
    length = gsm7_length(text)
    return length is not None and length <= SMS_LIMIT


def as_message(body: str) -> Message:
    """Every text must pass the outbox's own NIK check."""
    created = dt.datetime(2026, 12, 1, 9, 0, tzinfo=WIB)
    return Message("m1", "sms", "+6281234567890", "billing.test", body, created)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "Rp0"),
        (800, "Rp800"),
        (81_800, "Rp81.800"),
        (1_000_000, "Rp1.000.000"),
        (12_345_678_900, "Rp12.345.678.900"),
        (-16_800, "-Rp16.800"),
    ],
)
def test_rupiah_are_written_with_indonesian_thousands_dots(amount: int, text: str) -> None:
    assert format_rupiah(amount) == text


def test_rupiah_from_a_float_are_refused() -> None:
    with pytest.raises(TypeError):
        format_rupiah(81800.0)  # type: ignore[arg-type]


def test_dates_use_indonesian_month_abbreviations() -> None:
    assert short_date(DUE) == "15 Des 2026"
    assert short_date(dt.date(2026, 5, 1)) == "1 Mei 2026"
    assert short_date(dt.date(2026, 8, 17)) == "17 Agu 2026"
    assert short_date(dt.date(2026, 10, 2)) == "2 Okt 2026"


def test_the_due_soon_reminder_says_what_how_much_for_whom_when_and_where_to_pay() -> None:
    assert invoice_due_soon(INVOICE, 81_800, DUE, 2) == (
        "Tagihan BPJAMSOSTEK INV-202612-4F2A9C01 Rp81.800 untuk 2 pekerja jatuh tempo "
        "15 Des 2026. Bayar lewat VA bank, QRIS, Alfamart atau Indomaret."
    )


def test_the_unpaid_notice_names_the_invoice_the_amount_and_the_due_date() -> None:
    assert invoice_unpaid_on_due(INVOICE, 81_800, DUE) == (
        "Tagihan BPJAMSOSTEK INV-202612-4F2A9C01 Rp81.800 belum dibayar (jatuh tempo "
        "15 Des 2026). Segera bayar agar perlindungan pekerja tidak terhenti."
    )


def test_the_cover_ending_warning_names_the_member_the_last_day_and_the_amount() -> None:
    assert cover_ending("Siti", dt.date(2026, 12, 31), 16_800) == (
        "Perlindungan BPJAMSOSTEK Siti berakhir setelah 31 Des 2026 jika iuran Rp16.800 "
        "belum dibayar. Bayar lewat VA bank, QRIS, Alfamart atau Indomaret."
    )


def test_the_cover_ending_warning_cuts_a_long_name_and_names_someone_when_there_is_none() -> None:
    long = cover_ending("Siti Rahmawati Kusumaningrum Wijayakusuma", dt.date(2026, 12, 31), 16_800)
    assert fits_one_sms(long)
    assert long.startswith("Perlindungan BPJAMSOSTEK Siti Rahmawati")
    assert cover_ending("  \u200b ", dt.date(2026, 12, 31), 16_800).startswith(
        "Perlindungan BPJAMSOSTEK peserta berakhir"
    )


def test_the_receipt_thanks_and_says_what_was_paid_for_and_when_in_wib() -> None:
    paid = dt.datetime(2026, 12, 10, 2, 15, tzinfo=dt.UTC)  # 09.15 in Jakarta
    assert receipt(INVOICE, 81_800, "Des 2026", 2, paid) == (
        "Terima kasih. Pembayaran Rp81.800 untuk INV-202612-4F2A9C01 (Des 2026, 2 pekerja) "
        "diterima 10 Des 2026 09.15 WIB."
    )


def test_the_receipt_takes_the_date_in_jakarta_not_in_utc() -> None:
    paid = dt.datetime(2026, 12, 31, 18, 30, tzinfo=dt.UTC)  # 1 Jan 01.30 WIB
    assert "diterima 1 Jan 2027 01.30 WIB." in receipt(INVOICE, 81_800, "Jan 2027", 1, paid)


def test_a_receipt_without_a_time_zone_is_refused() -> None:
    with pytest.raises(ValueError):
        receipt(INVOICE, 81_800, "Des 2026", 2, dt.datetime(2026, 12, 10, 9, 15))


def test_a_bill_for_no_worker_or_without_a_number_is_refused() -> None:
    with pytest.raises(ValueError):
        invoice_due_soon(INVOICE, 81_800, DUE, 0)
    with pytest.raises(ValueError):
        invoice_unpaid_on_due(" ", 81_800, DUE)


amounts = st.integers(min_value=0, max_value=99_999_999)  # a sponsor's month: < Rp100 juta
workers = st.integers(min_value=1, max_value=999)
days = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2099, 12, 31))
numbers = st.from_regex(r"INV-20[2-9][0-9](0[1-9]|1[0-2])-[0-9A-F]{8}", fullmatch=True)
moments = st.datetimes(
    min_value=dt.datetime(2024, 1, 1),
    max_value=dt.datetime(2099, 12, 31),
    timezones=st.just(dt.UTC),
)
names = st.text(st.characters(codec="ascii", categories=("L", "Zs")), min_size=0, max_size=80)


@given(numbers, amounts, days, workers)
def test_the_due_soon_reminder_fits_one_sms_and_holds_no_nik(
    number: str, amount: int, due_on: dt.date, count: int
) -> None:
    text = invoice_due_soon(number, amount, due_on, count)
    assert fits_one_sms(text)
    assert not SIXTEEN_DIGITS.search(text)
    as_message(text)


@given(numbers, amounts, days)
def test_the_unpaid_notice_fits_one_sms_and_holds_no_nik(
    number: str, amount: int, due_on: dt.date
) -> None:
    text = invoice_unpaid_on_due(number, amount, due_on)
    assert fits_one_sms(text)
    assert not SIXTEEN_DIGITS.search(text)
    as_message(text)


@given(names, days, amounts)
def test_the_cover_ending_warning_fits_one_sms_whatever_the_name(
    name: str, last_covered: dt.date, amount: int
) -> None:
    text = cover_ending(name, last_covered, amount)
    assert fits_one_sms(text)
    assert not SIXTEEN_DIGITS.search(text)
    as_message(text)


@given(numbers, amounts, workers, moments)
def test_the_receipt_fits_one_sms_and_holds_no_nik(
    number: str, amount: int, count: int, paid_at: dt.datetime
) -> None:
    text = receipt(number, amount, "Nov-Des 2026", count, paid_at)
    assert fits_one_sms(text)
    assert not SIXTEEN_DIGITS.search(text)
    as_message(text)
