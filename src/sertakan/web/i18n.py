"""Languages of the web pages: Bahasa Indonesia first, English as a translation.

Message ids in templates and code are written in Bahasa Indonesia (``_("Daftarkan pekerja")``);
Indonesian pages need no catalogue at all. Other languages translate those ids in
``locales/<lang>/LC_MESSAGES/messages.po``. The ``.po`` files are compiled in memory when the app
starts, so no ``.mo`` file is ever committed or built.

Updating the catalogues after adding or changing texts (run from the repository root)::

    .venv/bin/pybabel extract -F babel.cfg --sort-by-file -o var/messages.pot .
    .venv/bin/pybabel update -i var/messages.pot -d src/sertakan/web/locales -D messages \\
        --no-fuzzy-matching
    # a new language:
    .venv/bin/pybabel init -i var/messages.pot -d src/sertakan/web/locales -D messages -l <lang>

then translate the new empty ``msgstr`` entries. Entries marked ``#, fuzzy`` and obsolete ones
(``#~``, no longer in the code) are ignored. Templates use ``{% trans %}`` with the ``trimmed``
policy (babel.cfg), so the Jinja2 environment must set ``policies["ext.i18n.trimmed"] = True``.

Formatting follows the same rule: amounts and dates are written the way the reader's language
writes them, through Babel (CLDR data), never by hand.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from datetime import date
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from sertakan.kernel.clock import WIB
from sertakan.kernel.periods import Month

SUPPORTED: tuple[str, ...] = ("id", "en")
DEFAULT = "id"
DOMAIN = "messages"
LOCALES_DIR = Path(__file__).parent / "locales"


def load_translations(locales_dir: Path = LOCALES_DIR) -> dict[str, gettext.NullTranslations]:
    """Read every ``<lang>/LC_MESSAGES/messages.po`` under ``locales_dir`` and compile it in memory.

    The default language always has an entry: its own catalogue if there is one, otherwise
    ``NullTranslations`` (the message ids already are Bahasa Indonesia). A catalogue that does not
    parse, or whose translation breaks a ``python-format`` placeholder, raises ``ValueError`` naming
    the file: a broken translation should stop the app at start-up, not show up on a page.
    """
    translations: dict[str, gettext.NullTranslations] = {}
    for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        lang = po_path.parent.parent.name
        translations[lang] = _compile(po_path, lang)
    translations.setdefault(DEFAULT, gettext.NullTranslations())
    return translations


def _compile(po_path: Path, lang: str) -> gettext.GNUTranslations:
    try:
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=lang, domain=DOMAIN, abort_invalid=True)
    except Exception as exc:
        raise ValueError(f"{po_path}: cannot read the catalogue: {exc}") from exc
    problems = [
        f"{po_path}:{message.lineno}: {message.id!r}: {error}"
        for message, errors in catalog.check()
        for error in errors
    ]
    if problems:
        raise ValueError("broken translations:\n" + "\n".join(problems))
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _normalise(lang: str | None) -> str | None:
    """``"en-US"``, ``" EN_gb "`` and ``"en"`` all mean ``"en"``; unsupported ones ``None``."""
    if not lang:
        return None
    primary = lang.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in SUPPORTED else None


def choose_locale(query_lang: str | None, cookie: str | None) -> str:
    """The page's language: ``?lang=`` first, then the remembered cookie, then Bahasa Indonesia.

    The browser's Accept-Language is deliberately not consulted: the service is Indonesian and
    shared devices (kiosks, agents' phones) are often set to English.
    """
    return _normalise(query_lang) or _normalise(cookie) or DEFAULT


def format_rupiah(amount: int, locale: str) -> str:
    """Whole rupiah, digits grouped the reader's way: ``Rp36.800`` (id), ``Rp36,800`` (en).

    No space after ``Rp`` and no decimals, as on BPJS Ketenagakerjaan's own notices. Money is
    ``int`` in this project (kernel/money.py); anything else is refused rather than rounded.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"rupiah amounts are int, got {type(amount).__name__}")
    digits = format_decimal(abs(amount), format="#,##0", locale=locale)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{digits}"


def format_date_long(d: date, locale: str) -> str:
    """A date spelt out: ``31 Desember 2026`` (id), ``31 December 2026`` (en)."""
    return format_date(d, format="d MMMM y", locale=locale)


# The clock as each language writes it: Indonesian separates hours and minutes with a period
# (PUEBI; CLDR's `id` short time is "HH.mm"), English with a colon. Both use the 24-hour clock,
# as BPJS Ketenagakerjaan's receipts do; CLDR's `en` default would be "6:55 AM".
_CLOCK = {"id": "HH.mm", "en": "HH:mm"}


def format_month(month: Month | date, locale: str) -> str:
    """A contribution month spelt out: ``Desember 2026`` (id), ``December 2026`` (en).

    Never ``2026-12``: the ISO form is for machines (URLs, CSV), not for a page.
    """
    first = month.first_day if isinstance(month, Month) else month
    return format_date(first, format="LLLL y", locale=locale)


def format_moment(at: dt.datetime, locale: str) -> str:
    """A moment in the platform's time zone: ``2 Desember 2026, 06.55 WIB`` (id),
    ``2 December 2026, 06:55 WIB`` (en). A naive datetime is refused (it has no zone to
    convert from, and guessing would shift it by seven hours)."""
    if at.tzinfo is None:
        raise ValueError("a moment needs a time zone")
    local = at.astimezone(WIB)
    clock = _CLOCK.get(locale, _CLOCK[DEFAULT])
    return f"{format_datetime(local, f'd MMMM y, {clock}', locale=locale)} WIB"
