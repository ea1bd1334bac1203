"""The test run's log guard (tests/support/log_guard.py) finds what it must, and only that."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from sertakan.notifications.model import mask_phone
from sertakan.registry.nik import build_nik, mask_nik
from tests.support.log_guard import LogGuard, personal_data_in

NIK = build_nik("327101", dt.date(1990, 8, 17), "F", 12)


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        (f"member {NIK} enrolled", ["NIK"]),
        (f"Key (nik)=({NIK}) already exists", ["NIK"]),
        ("SMS to 081234567890", ["mobile number"]),
        ("SMS to 0812-3456-7890", ["mobile number"]),
        ("SMS to +6281234567890", ["mobile number"]),
        ("phone=6281234567890", ["mobile number"]),
        (f"{NIK} 081234567890", ["NIK", "mobile number"]),
    ],
)
def test_an_unmasked_nik_or_mobile_is_found(text: str, kinds: list[str]) -> None:
    assert personal_data_in(text) == kinds


@pytest.mark.parametrize(
    "text",
    [
        f"member {mask_nik(NIK)} enrolled",
        f"SMS ke {mask_phone('+6281234567890')}: kode 123456",
        "id 0b7e5c1f2a9d4e6b8c0a1b2c3d4e5f60, port 39575, 2026-11-25 10:30:00",
        "invoice INV-202611-000123 paid, 99999999999999999 rupiah",  # 17 digits: not a NIK
        "va 8808123456789012",  # 16 digits, but 88 is no province
        "member 00000000000000000000000000000001",
        # a request id of random hex: its digit runs are shaped like a mobile or a NIK
        "POST /api/v1/members/search (request 0c0824041545746f): RuntimeError",
        f"request a{NIK}f",
    ],
)
def test_masked_data_and_other_numbers_pass(text: str) -> None:
    assert personal_data_in(text) == []


def test_the_guard_keeps_the_logger_and_the_kind_never_the_value() -> None:
    guard = LogGuard()
    logger = logging.getLogger("tests.log_guard.own")
    logger.propagate = False
    logger.addHandler(guard)
    try:
        guard.current_test = "a test"
        try:
            raise ValueError(f"insert failed: {NIK}")
        except ValueError:
            logger.exception("could not enrol")
    finally:
        logger.removeHandler(guard)
    (offence,) = guard.offences
    assert (offence.logger, offence.kinds, offence.test) == (
        "tests.log_guard.own",
        ("NIK",),
        "a test",
    )
    assert NIK not in offence.describe()
