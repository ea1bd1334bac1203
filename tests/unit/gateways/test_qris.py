"""The QRIS payload the sandbox shows is well-formed EMVCo data with a correct checksum."""

from __future__ import annotations

import binascii

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sertakan.gateways.qris import crc16_ccitt, field, qris_payload, read_fields

REFERENCE = "SBX-7F3A00C1D2E3F405"
INVOICE = "INV-202612-4F2A9C01"


def test_the_checksum_is_crc16_ccitt_false_on_its_published_check_value() -> None:
    # The catalogue check value of CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF): "123456789".
    assert crc16_ccitt(b"123456789") == 0x29B1
    assert crc16_ccitt(b"") == 0xFFFF


@given(st.binary(max_size=300))
def test_the_checksum_agrees_with_the_standard_library_crc_ccitt(data: bytes) -> None:
    assert crc16_ccitt(data) == binascii.crc_hqx(data, 0xFFFF)


def test_the_payload_ends_with_the_crc_of_everything_before_it() -> None:
    payload = qris_payload(REFERENCE, INVOICE, 81_800)

    assert payload[-8:-4] == "6304"
    assert payload[-4:] == f"{binascii.crc_hqx(payload[:-4].encode(), 0xFFFF):04X}"


def test_the_payload_is_a_dynamic_rupiah_qr_for_the_exact_amount_in_indonesia() -> None:
    fields = read_fields(qris_payload(REFERENCE, INVOICE, 81_800))

    assert fields["00"] == "01"  # payload format indicator
    assert fields["01"] == "12"  # dynamic: for this one payment
    assert fields["53"] == "360"  # IDR
    assert fields["54"] == "81800"
    assert fields["58"] == "ID"
    assert fields["59"] == "SERTAKAN SANDBOX"
    assert read_fields(fields["62"]) == {"01": INVOICE, "05": REFERENCE}
    assert list(fields)[-1] == "63"


def test_a_payload_with_a_changed_amount_no_longer_matches_its_checksum() -> None:
    payload = qris_payload(REFERENCE, INVOICE, 81_800)
    forged = payload.replace("540581800", "540591800")

    assert forged != payload
    assert f"{crc16_ccitt(forged[:-4].encode()):04X}" != forged[-4:]


def test_each_field_carries_its_length_in_two_digits() -> None:
    assert field("59", "SERTAKAN") == "5908SERTAKAN"
    with pytest.raises(ValueError, match="1 to 99"):
        field("62", "x" * 100)


@pytest.mark.parametrize("amount", [0, -5, True])
def test_a_qris_amount_must_be_positive_whole_rupiah(amount: int) -> None:
    with pytest.raises(ValueError, match="positive whole"):
        qris_payload(REFERENCE, INVOICE, amount)
