"""A person's or business's name: what real Indonesian names hold is accepted, markup,
control characters and letterless "names" are refused, with a message in both languages."""

from __future__ import annotations

import pytest

from sertakan.kernel.errors import RuleViolation
from sertakan.registry.names import MAX_NAME_LENGTH, check_name

ACCEPTED = [
    # (typed, kept)
    ("Sukarno", "Sukarno"),  # a single name
    ("Ma'ruf Amin", "Ma'ruf Amin"),  # apostrophe
    ("Ma\u2019ruf", "Ma\u2019ruf"),  # typographic apostrophe
    ("Moh. Hatta", "Moh. Hatta"),  # period
    ("Drs. H. Ahmad", "Drs. H. Ahmad"),  # titles
    ("Nur, S.Pd.", "Nur, S.Pd."),  # a degree after a comma
    ("Siti Nur-Aini", "Siti Nur-Aini"),  # hyphen
    ("I Gusti Ayu Ngurah", "I Gusti Ayu Ngurah"),
    ("Andi Muh. Akbar (Ubang)", "Andi Muh. Akbar (Ubang)"),  # a nickname in brackets
    ("Ren\u00e9 Pe\u00f1a", "Ren\u00e9 Pe\u00f1a"),  # accents
    ("Rene\u0301", "Ren\u00e9"),  # e + combining accent: NFC makes it one letter
    ("\u0645\u062d\u0645\u062f", "\u0645\u062d\u0645\u062f"),  # Arabic letters
    ("\u6797\u7f8e\u7389", "\u6797\u7f8e\u7389"),  # Chinese letters
    ("\u0645\u06cc\u200c\u0631\u0648\u062f", "\u0645\u06cc\u200c\u0631\u0648\u062f"),  # ZWNJ
    ("  Siti   Rahmawati ", "Siti Rahmawati"),  # spaces folded
    ("CV Maju & Jaya", "CV Maju & Jaya"),  # a business
    ("PT. Sumber Rejeki 88", "PT. Sumber Rejeki 88"),  # digits beside letters
    ("Toko Sembako 24/7", "Toko Sembako 24/7"),
    ('Ahmad "Uban" Syahputra', 'Ahmad "Uban" Syahputra'),  # a nickname in quotes
    ("Toko \u201cBerkah\u201d", "Toko \u201cBerkah\u201d"),
    ("A" * MAX_NAME_LENGTH, "A" * MAX_NAME_LENGTH),
]

REFUSED = [
    # (typed, rules broken)
    ("<script>alert('x')</script><b>Nur</b>", {"name.markup"}),
    ("Nur <b>", {"name.markup"}),
    ("Nur >", {"name.markup"}),
    ("Nur\x00Aini", {"name.control"}),
    ("Nur\x7fAini", {"name.control"}),
    ("Nur\u202einiA", {"name.control"}),  # right-to-left override
    ("Nur\u200bAini", {"name.control"}),  # zero-width space
    ("12345", {"name.no_letter"}),  # digits only
    ("- . ,", {"name.no_letter"}),
    ("Nur @ Aini", {"name.character"}),
    ("Nur; DROP TABLE", {"name.character"}),
    ("Nur \U0001f600", {"name.character"}),  # an emoji
    ("Nur * Aini = 1", {"name.character"}),
    ("", {"name.required"}),
    ("   \t ", {"name.required"}),
    ("A" * (MAX_NAME_LENGTH + 1), {"name.too_long"}),
    ("<1>", {"name.markup", "name.no_letter"}),  # every problem named at once
]


@pytest.mark.parametrize(("typed", "kept"), ACCEPTED)
def test_names_real_people_and_businesses_use_are_accepted(typed: str, kept: str) -> None:
    assert check_name(typed, "full_name") == kept


@pytest.mark.parametrize(("typed", "rules"), REFUSED)
def test_markup_controls_symbols_and_letterless_names_are_refused(
    typed: str, rules: set[str]
) -> None:
    with pytest.raises(RuleViolation) as refused:
        check_name(typed, "full_name")

    violations = refused.value.violations
    assert {v.rule for v in violations} == rules
    assert {v.field for v in violations} == {"full_name"}
    for violation in violations:  # a clear message in both languages
        assert violation.message and violation.message_id
        assert violation.message != violation.message_id


def test_the_refusal_of_markup_says_so_in_english_and_indonesian() -> None:
    with pytest.raises(RuleViolation) as refused:
        check_name("<b>Nur</b>")

    (violation,) = refused.value.violations
    assert violation.message == "a name cannot contain < or >"
    assert violation.message_id == "Nama tidak boleh berisi tanda < atau >"


def test_the_symbols_refused_are_named() -> None:
    with pytest.raises(RuleViolation) as refused:
        check_name("Nur @ Aini #1")

    assert refused.value.violations[0].message_id == "Nama tidak boleh berisi karakter ini: # @"
