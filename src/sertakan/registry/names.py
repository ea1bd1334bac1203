"""People's and businesses' names: what a name may hold, one rule for members and sponsors.

Indonesian names come in every shape: a single name (Sukarno), apostrophes (Ma'ruf), periods
and commas of titles and degrees (Drs. H. Ahmad, Nur, S.Pd.), hyphens, Arabic or Chinese
letters, accents. So the rule says what a name may *not* hold instead of forcing a pattern:
markup (`<`, `>`), control characters and symbols that no name uses, and a "name" without a
single letter (digits or punctuation only). Anything else a person writes is their name.

The name is kept as typed, after Unicode NFC (so "é" typed as e + accent and as one letter is
one name) and with runs of spaces made one. Refusing markup does not replace escaping on
output (OWASP XSS Prevention Cheat Sheet, rule 1: encode on output): it keeps stored names
clean for every other reader (SMS, PDF, CSV exports, the batch).
"""

from __future__ import annotations

import unicodedata

from sertakan.kernel.errors import RuleViolation, Violation

MAX_NAME_LENGTH = 100

# Punctuation seen in names and business names: apostrophes (straight, typographic, modifier
# letter), period, comma, hyphens and dashes, parentheses, slash, ampersand ("CV Maju & Jaya"),
# double quotes around a nickname (Ahmad "Uban" Syahputra, Toko "Berkah").
NAME_PUNCTUATION = frozenset("'\u2019\u2018\u02bc`.,-\u2010\u2011\u2013()/&\"\u201c\u201d")
# Zero-width (non-)joiners are format characters that Arabic-script and Indic names need.
JOINERS = frozenset("\u200c\u200d")
MARKUP = frozenset("<>")


def check_name(raw: str, field: str = "name") -> str:
    """The name cleaned (NFC, single spaces, trimmed), or `RuleViolation` on `field` naming
    every problem found: required, too long, markup, control characters, other symbols, no
    letter."""
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not name:
        raise RuleViolation(
            [Violation(field, "name.required", "name is required", "Nama wajib diisi")]
        )
    violations: list[Violation] = []
    if len(name) > MAX_NAME_LENGTH:
        violations.append(
            Violation(
                field,
                "name.too_long",
                f"name is longer than {MAX_NAME_LENGTH} characters",
                f"Nama paling panjang {MAX_NAME_LENGTH} huruf",
            )
        )
    if any(ch in MARKUP for ch in name):
        violations.append(
            Violation(
                field,
                "name.markup",
                "a name cannot contain < or >",
                "Nama tidak boleh berisi tanda < atau >",
            )
        )
    if any(_is_control(ch) for ch in name):
        violations.append(
            Violation(
                field,
                "name.control",
                "a name cannot contain control characters",
                "Nama tidak boleh berisi karakter kontrol",
            )
        )
    others = sorted({ch for ch in name if _is_other_symbol(ch)})
    if others:
        shown = " ".join(others)
        violations.append(
            Violation(
                field,
                "name.character",
                f"a name cannot contain these characters: {shown}",
                f"Nama tidak boleh berisi karakter ini: {shown}",
            )
        )
    if not any(unicodedata.category(ch).startswith("L") for ch in name):
        violations.append(
            Violation(
                field,
                "name.no_letter",
                "a name needs at least one letter (not only digits or punctuation)",
                "Nama harus berisi huruf, tidak hanya angka atau tanda baca",
            )
        )
    if violations:
        raise RuleViolation(violations)
    return name


def _is_control(ch: str) -> bool:
    # Cc: C0/C1 controls (a tab or newline was already folded into a space by split());
    # Cf: invisible format characters (bidi overrides, zero-width space) except the joiners.
    category = unicodedata.category(ch)
    return category == "Cc" or (category == "Cf" and ch not in JOINERS)


def _is_other_symbol(ch: str) -> bool:
    """Neither letter, mark, digit, space, name punctuation, markup nor control."""
    if ch == " " or ch in NAME_PUNCTUATION or ch in JOINERS or ch in MARKUP or _is_control(ch):
        return False
    category = unicodedata.category(ch)
    return not (category[0] in "LM" or category == "Nd")
