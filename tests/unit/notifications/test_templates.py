"""The code texts: Bahasa Indonesia first, one SMS where possible, names made safe."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sertakan.notifications import templates
from sertakan.notifications.templates import (
    MAX_NAME,
    SMS_LIMIT,
    consent_code,
    gsm7_length,
    safe_name,
    sign_in_code,
)


def test_the_sign_in_text_gives_the_code_its_validity_and_a_warning() -> None:
    assert sign_in_code("123456", 5) == (
        "Kode masuk Sertakan: 123456. Berlaku 5 menit. "
        "Jangan berikan kode ini kepada siapa pun, termasuk petugas."
    )


def test_the_consent_text_names_the_sponsor_and_the_code() -> None:
    assert consent_code("004211", "Bu Ijah", 5) == (
        "Bu Ijah ingin mendaftarkan dan membayar iuran BPJS Ketenagakerjaan Anda lewat "
        "Sertakan. Jika setuju, berikan kode 004211 (berlaku 5 menit)."
    )


def test_english_variants_exist_for_tests_and_documentation() -> None:
    assert sign_in_code("123456", 1, lang="en").startswith("Sertakan sign-in code: 123456.")
    assert "Valid for 1 minute." in sign_in_code("123456", 1, lang="en")
    english = consent_code("123456", "Bu Ijah", 5, lang="en")
    assert english.startswith("Bu Ijah wants to enrol you")
    assert "123456" in english


@pytest.mark.parametrize("minutes", [1, 5, 10, 99])
def test_the_sign_in_text_fits_one_gsm_sms(minutes: int) -> None:
    length = gsm7_length(sign_in_code("123456", minutes))
    assert length is not None and length <= SMS_LIMIT


@pytest.mark.parametrize("minutes", [1, 5, 10, 99])
def test_the_consent_text_fits_one_gsm_sms_even_with_a_long_name(minutes: int) -> None:
    body = consent_code("123456", "Warung Makan Sederhana Bu Ijah dan Keluarga Besar", minutes)
    length = gsm7_length(body)
    assert length is not None and length <= SMS_LIMIT
    assert body.startswith("Warung Makan Sederhana")  # cut, not dropped


def test_a_long_name_is_cut_at_a_word() -> None:
    assert safe_name("Warung Makan Sederhana Bu Ijah", 25) == "Warung Makan Sederhana Bu"
    assert len(safe_name("A" * 100)) == MAX_NAME


def test_control_and_invisible_characters_are_removed_from_names() -> None:
    # A right-to-left override would show the name backwards; a newline would start a new line.
    assert safe_name("Bu\u202e Ijah\n\t Warung\x00") == "Bu Ijah Warung"
    assert safe_name("Toko\u200bBaru") == "TokoBaru"


def test_typographic_quotes_become_plain_so_the_text_stays_gsm() -> None:
    name = safe_name("Warung \u201cBu Ijah\u201d \u2013 Pak Ali\u2019s")
    assert name == 'Warung "Bu Ijah" - Pak Ali\'s'
    assert gsm7_length(name) == len(name)


def test_an_empty_name_is_replaced_by_a_neutral_word() -> None:
    assert consent_code("123456", " \u200b\n", 5).startswith("Pemberi kerja Anda ingin")


def test_gsm_counts_extension_characters_twice_and_refuses_other_scripts() -> None:
    assert gsm7_length("Kode: 123") == 9
    assert gsm7_length("harga [€5]") == 13
    assert gsm7_length("欢迎") is None
    assert gsm7_length("🙂") is None


@pytest.mark.parametrize(("code", "minutes"), [("12a456", 5), ("", 5), ("123456", 0)])
def test_a_malformed_code_or_validity_is_refused(code: str, minutes: int) -> None:
    with pytest.raises(ValueError):
        sign_in_code(code, minutes)
    with pytest.raises(ValueError):
        consent_code(code, "Bu Ijah", minutes)


@given(st.text(max_size=200))
def test_any_name_renders_without_control_characters_and_within_the_limit(name: str) -> None:
    body = consent_code("123456", name, 5)
    assert body.endswith("Jika setuju, berikan kode 123456 (berlaku 5 menit).")
    assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in body)
    cleaned = safe_name(name)
    assert len(cleaned) <= MAX_NAME


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ.'-&", max_size=80))
def test_a_plain_name_of_any_length_keeps_the_consent_text_in_one_sms(name: str) -> None:
    length = gsm7_length(consent_code("123456", name, 5))
    assert length is not None and length <= SMS_LIMIT


@pytest.mark.parametrize(
    "name", ["Siti", "Nurul Hidayati Kusumawardhani Setyaningsih Pertiwi Rahayu", "Ñoño"]
)
def test_the_sponsorship_ended_texts_fit_one_gsm_sms_and_say_the_month(name: str) -> None:
    to_sponsor = templates.sponsorship_ended_to_sponsor(name.split(maxsplit=1)[0], "Des 2026")
    to_worker = templates.sponsorship_ended_to_worker(name, "Des 2026", dt.date(2026, 12, 15))

    for text in (to_sponsor, to_worker):
        length = templates.gsm7_length(text)
        assert length is not None and length <= templates.SMS_LIMIT, text
        assert "Des 2026" in text
    assert "15 Des 2026" in to_worker  # the day to pay it themselves
