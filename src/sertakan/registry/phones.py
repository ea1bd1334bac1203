"""Mobile phone numbers: every member and sponsor gives one, for SMS/WhatsApp notices and codes.

Stored in E.164 (``+6281234567890``), shown in the national format (``0812-3456-7890``).
Parsing and the mobile/landline distinction come from Google's libphonenumber metadata.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from sertakan.kernel.errors import RuleViolation

REGION = "ID"
# What people type: digits, a leading +, and separators. Letters are refused rather than
# read as a vanity keypad ("0800-FLOWERS"), which phonenumbers would otherwise do.
_TYPED = re.compile(r"\+?[0-9 ()./-]+", re.ASCII)


def normalize_mobile(text: str) -> str:
    """An Indonesian mobile number in E.164, or `RuleViolation` on field "phone".

    Accepts ``0812-3456-7890``, ``+62 812 3456 7890``, ``6281234567890``.
    """
    typed = text.strip()
    try:
        if not _TYPED.fullmatch(typed):
            raise NumberParseException(NumberParseException.NOT_A_NUMBER, "unexpected characters")
        number = phonenumbers.parse(typed, REGION)
    except NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise RuleViolation.single(
            "phone",
            "phone.invalid",
            "not a valid phone number",
            "Nomor HP tidak valid",
        )
    if phonenumbers.region_code_for_number(number) != REGION:
        raise RuleViolation.single(
            "phone",
            "phone.not_indonesian",
            "the mobile number must be Indonesian (+62)",
            "Nomor HP harus nomor Indonesia (+62)",
        )
    # Indonesian mobiles (8x after the 0) are MOBILE in libphonenumber; its Indonesian fixed
    # and mobile patterns do not overlap, so FIXED_LINE_OR_MOBILE never names a mobile here
    # and would only let a landline through. A landline cannot receive SMS codes.
    if phonenumbers.number_type(number) != PhoneNumberType.MOBILE:
        raise RuleViolation.single(
            "phone",
            "phone.not_mobile",
            "this is not a mobile number (a landline cannot receive SMS)",
            "Nomor ini bukan nomor HP (telepon rumah/kantor tidak bisa menerima SMS)",
        )
    return str(phonenumbers.format_number(number, PhoneNumberFormat.E164))


def display_phone(e164: str) -> str:
    """The national format for people: ``+6281234567890`` -> ``0812-3456-7890``."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException as error:
        raise ValueError(f"not an E.164 number: {e164!r}") from error
    style = (
        PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(number) == REGION
        else PhoneNumberFormat.INTERNATIONAL
    )
    return str(phonenumbers.format_number(number, style))
