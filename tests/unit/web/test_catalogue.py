"""Both languages, whole (issue 16 point 5): every text the pages can show is in the English
catalogue, no template text escapes it, and no template writes a date by hand.

The message ids are extracted here the way `pybabel extract -F babel.cfg` does (same mapping
file, same keywords, `N_` included), so a text added to a template or to page code without
its English line fails this test, not a reader.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from sertakan.web import i18n

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = ROOT / "src" / "sertakan" / "web" / "templates"
EN_PO = i18n.LOCALES_DIR / "en" / "LC_MESSAGES" / "messages.po"

# Words that are the same in both languages on purpose: names of things, not sentences.
PROPER_NOUNS = {
    "Sertakan",
    "· BPJS Ketenagakerjaan",
    "Indonesia",
    "CSV",
    "Parquet",
    "JKK",
    "JKM",
    "JHT",
    "SHA-256",
    "sertakan nation demo",
    "sertakan nation report --as-of 2024-02-29 --data FOLDER_DATA",
}


def _extracted_ids() -> set[str]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map
    ):
        found.add(message if isinstance(message, str) else message[0])
    return {m for m in found if m}


def _english() -> dict[str, str]:
    with EN_PO.open("rb") as po_file:
        catalog = read_po(po_file, locale="en")
    translated: dict[str, str] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings):
            translated[key] = strings[0]
    return translated


def test_every_message_id_of_the_templates_and_the_code_has_an_english_translation() -> None:
    missing = sorted(_extracted_ids() - set(_english()))

    assert missing == []


DOMAINS_WITH_LABELS = (
    "sertakan.access.roles",
    "sertakan.billing.model",
    "sertakan.billing.coverage",
    "sertakan.billing.reconciliation",
    "sertakan.registry.model",
)


def test_every_label_a_domain_gives_a_page_is_in_the_catalogue() -> None:
    """Pages show `_(x.label_id)`: a state's name the extraction cannot see (web/labels.py)."""
    english = _english()
    labels = {
        member.label_id
        for module in map(importlib.import_module, DOMAINS_WITH_LABELS)
        for kind in vars(module).values()
        if inspect.isclass(kind) and issubclass(kind, enum.Enum) and hasattr(kind, "label_id")
        for member in kind
    }

    assert "Disetujui (pernyataan petugas)" in labels
    assert sorted(label for label in labels if label and label not in english) == []


def test_the_extraction_sees_the_templates_and_the_page_code() -> None:
    ids = _extracted_ids()

    assert "Jejak audit" in ids  # a template's _()
    assert "Akses ditolak" in ids  # page code's N_()
    assert "Terlindungi sampai %(date)s" in ids  # a {% trans %} block


def _bare_text(template: str) -> list[str]:
    """The text a template writes outside `_()`, `{% trans %}` and expressions."""
    text = re.sub(r"\{#.*?#\}", "", template, flags=re.S)
    text = re.sub(r"\{%-?\s*trans\b.*?endtrans\s*-?%\}", "", text, flags=re.S)
    text = re.sub(r"\{\{.*?\}\}", "", text, flags=re.S)
    text = re.sub(r"\{%.*?%\}", "", text, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1>", "", text, flags=re.S)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"<[^>]*>", "\n", text, flags=re.S)
    # A macro may write attributes only (`aria-invalid="true"`): those are no reader's text.
    text = re.sub(r'[\w-]+="[^"]*"', "", text)
    return [line.strip() for line in text.splitlines() if re.search(r"[A-Za-z]{2,}", line)]


def test_no_template_writes_a_text_outside_the_catalogue() -> None:
    unmarked = {
        f"{path.relative_to(TEMPLATES)}: {line}"
        for path in TEMPLATES.rglob("*.html")
        for line in _bare_text(path.read_text(encoding="utf-8"))
        if line not in PROPER_NOUNS
    }

    assert unmarked == set()


def test_no_template_attribute_holds_a_text_outside_the_catalogue() -> None:
    attribute = re.compile(r'\b(placeholder|aria-label|title|alt)="([^"{]*[A-Za-z]{2,}[^"]*)"')
    found = [
        f"{path.name}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for match in attribute.finditer(path.read_text(encoding="utf-8"))
    ]

    assert found == []


def test_the_unmarked_text_check_finds_an_unmarked_sentence() -> None:
    assert _bare_text('<p>{{ _("Beranda") }}</p>\n<p>Tagihan bulan ini</p>') == [
        "Tagihan bulan ini"
    ]


def test_no_template_writes_a_date_by_hand() -> None:
    """Dates reach a page through the `date_long`, `month_long` and `moment` filters only: no
    `strftime`, and `isoformat()` only where machines read it (form values, links, datetime)."""
    by_hand = []
    for path in TEMPLATES.rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            shown = re.sub(r'(value|href|datetime)="[^"]*"', "", line)
            if re.search(r"strftime|isoformat\(\)|_month\|string|month\|string", shown):
                by_hand.append(f"{path.name}:{number}: {line.strip()}")

    assert by_hand == []
