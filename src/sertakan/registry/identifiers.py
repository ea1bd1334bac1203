"""Business identifiers: the NIB (Nomor Induk Berusaha) that OSS issues to every business.

A business or UMKM that sponsors workers is identified by its NIB. The NIB is 13 digits
(OSS, PP 5/2021 on risk-based licensing; length seen in OSS guidance, not in a regulation read).
"""

from __future__ import annotations

from sertakan.kernel.errors import RuleViolation

NIB_LENGTH = 13
REFERENCE = "PP 5/2021 (OSS risk-based licensing): NIB of 13 digits"


def normalize_nib(text: str) -> str:
    """The NIB without spaces, or `RuleViolation` on field "nib" when it is not 13 digits."""
    number = "".join(text.split())
    # isascii: str.isdigit alone would let "²" or Arabic-Indic digits through.
    if len(number) != NIB_LENGTH or not (number.isascii() and number.isdigit()):
        raise RuleViolation.single(
            "nib", "nib.format", "NIB must be 13 digits", "NIB harus 13 digit angka", REFERENCE
        )
    return number
