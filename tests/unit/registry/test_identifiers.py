from __future__ import annotations

import pytest

from sertakan.kernel.errors import RuleViolation
from sertakan.registry.identifiers import normalize_nib


def test_a_thirteen_digit_nib_is_accepted_without_its_spaces() -> None:
    assert normalize_nib("1234567890123") == "1234567890123"
    assert normalize_nib(" 12345 67890 123 ") == "1234567890123"


@pytest.mark.parametrize("text", ["123456789012", "12345678901234", "12345678901a3", ""])
def test_anything_but_thirteen_digits_is_refused(text: str) -> None:
    with pytest.raises(RuleViolation) as error:
        normalize_nib(text)

    (violation,) = error.value.violations
    assert (violation.field, violation.rule) == ("nib", "nib.format")
    assert violation.message_id == "NIB harus 13 digit angka"
