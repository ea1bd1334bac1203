"""A QRIS payload the sandbox shows: EMVCo merchant-presented QR data, with its CRC.

The layout follows the EMV QR Code Specification for Payment Systems (Merchant-Presented
Mode) as Bank Indonesia's QRIS standard uses it: tag-length-value fields, each length two
decimal digits, ending with tag 63 holding the CRC-16/CCITT-FALSE (polynomial 0x1021, initial
0xFFFF) of everything before it, "6304" included, as four upper-case hex digits. The merchant
account it names is fake: no real wallet can pay it.
"""

from __future__ import annotations

MERCHANT_NAME = "SERTAKAN SANDBOX"
MERCHANT_CITY = "BOGOR"
SANDBOX_DOMAIN = "ID.CO.SERTAKAN.SANDBOX"
# ISO 18245 merchant category 6300: insurance sales and underwriting (social insurance).
MERCHANT_CATEGORY = "6300"
IDR_NUMERIC = "360"  # ISO 4217
MAX_FIELD = 99
MAX_SUBFIELD = 25  # EMVCo: the additional-data subfields (bill number, reference) hold 25


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/CCITT-FALSE of `data` (0x29B1 for b"123456789")."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def field(tag: str, value: str) -> str:
    """One EMVCo TLV field: two-digit tag, two-digit length, value."""
    if len(tag) != 2 or not tag.isdigit():
        raise ValueError(f"an EMVCo tag is two digits, got {tag!r}")
    if not value or len(value) > MAX_FIELD:
        raise ValueError(f"tag {tag}: a value has 1 to {MAX_FIELD} characters")
    return f"{tag}{len(value):02d}{value}"


def with_crc(payload: str) -> str:
    """`payload` closed by tag 63: "6304" and the CRC of everything up to and including it."""
    head = payload + "6304"
    return f"{head}{crc16_ccitt(head.encode('ascii')):04X}"


def qris_payload(reference: str, invoice_number: str, amount: int) -> str:
    """A dynamic (one-payment) QRIS string for this charge: amount in rupiah, the invoice as
    bill number and the gateway's reference as reference label."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValueError("a QRIS amount is a positive whole number of rupiah")
    merchant_account = (
        field("00", SANDBOX_DOMAIN)
        + field("01", "9360" + "0" * 11)
        + field("02", reference[:MAX_SUBFIELD])
    )
    additional = field("01", invoice_number[:MAX_SUBFIELD]) + field("05", reference[:MAX_SUBFIELD])
    body = (
        field("00", "01")  # payload format indicator
        + field("01", "12")  # point of initiation: 12 = dynamic, for one payment
        + field("26", merchant_account)
        + field("52", MERCHANT_CATEGORY)
        + field("53", IDR_NUMERIC)
        + field("54", str(amount))
        + field("58", "ID")
        + field("59", MERCHANT_NAME)
        + field("60", MERCHANT_CITY)
        + field("62", additional)
    )
    return with_crc(body)


def read_fields(payload: str) -> dict[str, str]:
    """The top-level fields of a payload, by tag (to check one; ValueError when malformed)."""
    found: dict[str, str] = {}
    position = 0
    while position < len(payload):
        tag, length = payload[position : position + 2], payload[position + 2 : position + 4]
        if len(length) != 2 or not length.isdigit():
            raise ValueError(f"malformed field at {position}")
        end = position + 4 + int(length)
        if end > len(payload):
            raise ValueError(f"field {tag} runs past the end")
        found[tag] = payload[position + 4 : end]
        position = end
    return found
