"""Pages speak Bahasa Indonesia unless asked otherwise; amounts and dates are written locally."""

from __future__ import annotations

import datetime as dt
import gettext
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from sertakan.kernel.clock import WIB
from sertakan.kernel.periods import Month
from sertakan.web import i18n
from sertakan.web.i18n import (
    choose_locale,
    format_date_long,
    format_moment,
    format_month,
    format_rupiah,
    load_translations,
)
from sertakan.web.rendering import PageRenderer

EN_PO = i18n.LOCALES_DIR / "en" / "LC_MESSAGES" / "messages.po"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(36_800, "Rp36.800"), (1_000_000, "Rp1.000.000"), (0, "Rp0"), (-16_800, "-Rp16.800")],
)
def test_rupiah_are_grouped_with_dots_without_space_or_decimals(amount: int, expected: str) -> None:
    assert format_rupiah(amount, "id") == expected


def test_rupiah_in_english_are_grouped_with_commas() -> None:
    assert format_rupiah(36_800, "en") == "Rp36,800"
    assert format_rupiah(1_000_000, "en") == "Rp1,000,000"


@pytest.mark.parametrize("amount", [36800.0, True, "36800"])
def test_rupiah_refuse_anything_but_int(amount: object) -> None:
    with pytest.raises(TypeError):
        format_rupiah(amount, "id")  # type: ignore[arg-type]


def test_long_dates_use_indonesian_month_names() -> None:
    assert format_date_long(date(2026, 12, 31), "id") == "31 Desember 2026"
    assert format_date_long(date(2027, 2, 1), "id") == "1 Februari 2027"


def test_long_dates_in_english_use_english_month_names() -> None:
    assert format_date_long(date(2026, 12, 31), "en") == "31 December 2026"


def test_a_moment_is_written_the_indonesian_way_in_wib() -> None:
    at = dt.datetime(2026, 12, 1, 23, 55, tzinfo=dt.UTC)  # 06.55 the next morning in WIB

    assert format_moment(at, "id") == "2 Desember 2026, 06.55 WIB"


def test_a_moment_is_written_the_english_way_on_a_24_hour_clock() -> None:
    at = dt.datetime(2026, 12, 2, 6, 55, tzinfo=WIB)

    assert format_moment(at, "en") == "2 December 2026, 06:55 WIB"


def test_a_moment_without_a_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        format_moment(dt.datetime(2026, 12, 2, 6, 55), "id")


def test_a_month_is_written_in_words_in_each_language() -> None:
    assert format_month(Month(2026, 12), "id") == "Desember 2026"
    assert format_month(Month(2026, 12), "en") == "December 2026"
    assert format_month(date(2027, 2, 1), "id") == "Februari 2027"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("id", "sejak Desember 2026 · 2 Desember 2026, 06.55 WIB · 31 Desember 2026"),
        ("en", "sejak December 2026 · 2 December 2026, 06:55 WIB · 31 December 2026"),
    ],
)
def test_templates_write_dates_through_the_filters_of_their_language(
    lang: str, expected: str, tmp_path: Path
) -> None:
    (tmp_path / "dates.html").write_text(
        "sejak {{ month|month_long }} · {{ at|moment }} · {{ day|date_long }}", encoding="utf-8"
    )
    env = PageRenderer(tmp_path)._environments[lang]

    page = env.get_template("dates.html").render(
        month=Month(2026, 12),
        at=dt.datetime(2026, 12, 2, 6, 55, tzinfo=WIB),
        day=date(2026, 12, 31),
    )

    assert page == expected


def test_pages_are_indonesian_when_nobody_asks_for_another_language() -> None:
    assert i18n.DEFAULT == "id"
    assert i18n.SUPPORTED[0] == "id"
    assert choose_locale(None, None) == "id"
    assert choose_locale("", "") == "id"


@pytest.mark.parametrize("asked", ["en", "EN", "en-US", "en_GB", " en "])
def test_english_is_chosen_by_the_query_in_any_spelling(asked: str) -> None:
    assert choose_locale(asked, None) == "en"


def test_the_query_wins_over_the_remembered_cookie() -> None:
    assert choose_locale("id", "en") == "id"
    assert choose_locale("en", "id") == "en"


def test_the_cookie_is_used_when_the_query_does_not_say() -> None:
    assert choose_locale(None, "en") == "en"


@pytest.mark.parametrize("asked", ["fr", "jv", "xx-YY", "../../etc", "e"])
def test_an_unknown_language_falls_back_to_indonesian(asked: str) -> None:
    assert choose_locale(asked, None) == "id"
    assert choose_locale(None, asked) == "id"


def test_an_unknown_query_language_keeps_the_remembered_one() -> None:
    assert choose_locale("fr", "en") == "en"


def test_the_english_catalogue_translates_indonesian_texts() -> None:
    translations = load_translations()

    en = translations["en"]
    assert en.gettext("Beranda") == "Home"
    assert en.gettext("Daftarkan pekerja") == "Enrol a worker"
    assert en.gettext("Cari peserta") == "Find a member"
    assert en.ngettext("%(num)d pekerja", "%(num)d pekerja", 1) % {"num": 1} == "1 worker"
    assert en.ngettext("%(num)d pekerja", "%(num)d pekerja", 3) % {"num": 3} == "3 workers"


def test_indonesian_pages_show_the_message_ids_themselves() -> None:
    idn = load_translations()["id"]

    assert idn.gettext("Beranda") == "Beranda"
    assert idn.ngettext("%(num)d pekerja", "%(num)d pekerja", 3) % {"num": 3} == "3 pekerja"


def test_a_text_without_translation_stays_indonesian_in_english() -> None:
    assert load_translations()["en"].gettext("Teks yang belum diterjemahkan") == (
        "Teks yang belum diterjemahkan"
    )


def test_every_supported_language_has_translations() -> None:
    assert set(i18n.SUPPORTED) <= set(load_translations())


def test_no_compiled_catalogue_is_kept_in_the_source_tree() -> None:
    assert list(i18n.LOCALES_DIR.rglob("*.mo")) == []


def test_every_english_entry_is_translated_and_none_is_fuzzy() -> None:
    with EN_PO.open("rb") as po_file:
        catalog = read_po(po_file, locale="en")

    untranslated = [m.id for m in catalog if m.id and not all(_strings(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def _strings(string: str | tuple[str, ...]) -> tuple[str, ...]:
    return string if isinstance(string, tuple) else (string,)


def test_a_fuzzy_translation_is_not_shown(tmp_path: Path) -> None:
    _write_po(tmp_path, "en", '#, fuzzy\nmsgid "Beranda"\nmsgstr "Homepage?"\n')

    assert load_translations(tmp_path)["en"].gettext("Beranda") == "Beranda"


def test_a_translation_that_breaks_a_placeholder_stops_the_app(tmp_path: Path) -> None:
    _write_po(
        tmp_path,
        "en",
        '#, python-format\nmsgid "Iuran bulan %(bulan)s"\nmsgstr "Contribution for %(month)s"\n',
    )

    with pytest.raises(ValueError, match="Iuran bulan"):
        load_translations(tmp_path)


def test_an_unparseable_catalogue_stops_the_app(tmp_path: Path) -> None:
    _write_po(tmp_path, "en", 'msgid "Beranda"\nmsgstr "Home"\nBeranda = Home\n')

    with pytest.raises(ValueError, match=r"messages\.po"):
        load_translations(tmp_path)


def test_an_empty_locales_folder_still_serves_indonesian(tmp_path: Path) -> None:
    translations = load_translations(tmp_path)

    assert set(translations) == {"id"}
    assert isinstance(translations["id"], gettext.NullTranslations)


def _write_po(root: Path, lang: str, body: str) -> None:
    folder = root / lang / "LC_MESSAGES"
    folder.mkdir(parents=True)
    header = (
        'msgid ""\nmsgstr ""\n'
        '"Content-Type: text/plain; charset=utf-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
    )
    (folder / "messages.po").write_text(header + body, encoding="utf-8")
