"""Behaviour of the contribution and eligibility rules beyond the table of vectors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sertakan.kernel.errors import RuleViolation
from sertakan.regulation.contributions import Program, Sector, quote_bpu, quote_pu
from sertakan.regulation.eligibility import check_bpu_enrolment_age
from sertakan.regulation.loader import Parameters

JUNE_2025 = dt.date(2025, 6, 1)


def test_a_bpu_quote_cites_the_regulation_behind_every_part(params: Parameters) -> None:
    quote = quote_bpu(params, declared_income=2_500_000, on=JUNE_2025, programs=["JKK", "JKM"])
    cited = {ref.program_or_topic: ref for ref in quote.references}
    assert cited["JKK"].regulation.startswith("PP 44/2015 art. ? + Lampiran II")
    assert cited["JKM"].regulation == "PP 44/2015 art. ?"
    assert "[S-kontan-bpu2026]" in cited["JKK"].source
    # The income levels rest on policy P1 (docs/rules.md) for their steps: shown as uncertain.
    assert cited["declared_income_levels"].status == "uncertain"
    assert "PP50_2025" not in cited


def test_the_discount_is_described_in_english_and_bahasa_indonesia(params: Parameters) -> None:
    quote = quote_bpu(
        params,
        declared_income=1_000_000,
        on=dt.date(2026, 2, 10),
        programs=["JKK", "JKM"],
        sector=Sector.TRANSPORT,
    )
    (discount,) = quote.discounts
    assert discount.code == "PP50_2025"
    assert discount.programs == ("JKK", "JKM")
    assert discount.factor == Decimal("0.50")
    assert discount.amount_off == 8_400
    assert discount.reference == "PP 50/2025 art. 2–4"
    assert "Januari 2026 s.d. Maret 2027" in discount.description_id
    assert "2026-01 to 2027-03" in discount.description_en
    assert any(ref.program_or_topic == "PP50_2025" for ref in quote.references)


def test_programme_codes_and_sector_are_read_case_insensitively(params: Parameters) -> None:
    quote = quote_bpu(
        params,
        declared_income=1_000_000,
        on=dt.date(2026, 2, 1),
        programs=["jkm", " jkk ", "JKK"],
        sector="Transport",
    )
    assert quote.programs == ("JKK", "JKM")
    assert quote.sector is Sector.TRANSPORT
    assert quote.total == 8_400


def test_violations_carry_indonesian_messages_and_the_regulation(params: Parameters) -> None:
    with pytest.raises(RuleViolation) as caught:
        quote_bpu(params, declared_income=900_000, on=JUNE_2025, programs=[Program.JHT])
    by_field = {violation.field: violation for violation in caught.value.violations}
    assert by_field["declared_income"].message_id == "Penghasilan minimal Rp1.000.000 sebulan"
    assert by_field["declared_income"].reference.startswith("PP 44/2015")
    assert "JKK + JKM atau JKK + JKM + JHT" in by_field["programs"].message_id


def test_jp_for_a_bpu_member_is_explained_as_a_pu_only_programme(params: Parameters) -> None:
    with pytest.raises(RuleViolation) as caught:
        quote_bpu(params, declared_income=1_000_000, on=JUNE_2025, programs=["JKK", "JKM", "JP"])
    (violation,) = caught.value.violations
    assert violation.rule == "bpu.programs.combination"
    assert violation.message_id.startswith("JP dan JKP hanya untuk peserta penerima upah")


def test_money_given_as_a_float_is_refused_outright(params: Parameters) -> None:
    with pytest.raises(TypeError):
        quote_bpu(params, declared_income=1_000_000.0, on=JUNE_2025, programs=["JKK", "JKM"])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        quote_pu(params, wage=5_000_000.0, risk_class="low", on=JUNE_2025)  # type: ignore[arg-type]


def test_a_single_string_of_programmes_is_a_programming_error(params: Parameters) -> None:
    with pytest.raises(TypeError, match="not one string"):
        quote_bpu(params, declared_income=1_000_000, on=JUNE_2025, programs="JKK")


def test_the_jkp_part_is_funded_by_government_and_recomposition_not_billed(
    params: Parameters,
) -> None:
    quote = quote_pu(
        params, wage=5_000_000, risk_class="very_low", on=dt.date(2025, 3, 1), in_jkp=True
    )
    jkp = quote.parts["JKP"]
    assert (jkp.employer, jkp.worker, jkp.government, jkp.recomposed) == (
        0,
        0,
        11_000,
        {"JKK": 7_000},
    )
    assert jkp.total == 18_000
    assert quote.employer_total == sum(share.employer for share in quote.parts.values())
    assert "JKP" in {ref.program_or_topic for ref in quote.references}


def test_jkp_members_pay_the_base_jkk_rate_before_pp49_2023(params: Parameters) -> None:
    before = quote_pu(
        params, wage=5_000_000, risk_class="high", on=dt.date(2023, 10, 5), in_jkp=True
    )
    after = quote_pu(
        params, wage=5_000_000, risk_class="high", on=dt.date(2023, 10, 6), in_jkp=True
    )
    assert before.parts["JKK"].employer - after.parts["JKK"].employer == 7_000  # 0.14%


def test_risk_class_is_read_in_the_usual_spellings(params: Parameters) -> None:
    quote = quote_pu(params, wage=10_000_000, risk_class="Very Low", on=JUNE_2025)
    assert quote.parts["JKK"].employer == 24_000


def test_an_enrolment_age_outside_the_policy_names_the_birth_date(params: Parameters) -> None:
    with pytest.raises(RuleViolation) as caught:
        check_bpu_enrolment_age(params, dt.date(2012, 1, 1), JUNE_2025)
    (violation,) = caught.value.violations
    assert violation.field == "birth_date"
    assert violation.rule == "bpu.eligibility.age"
    assert violation.message_id == "Usia saat mendaftar harus 15 sampai di bawah 65 tahun"
    assert "project policy" in violation.reference


def test_a_birth_date_after_the_enrolment_date_is_refused(params: Parameters) -> None:
    with pytest.raises(RuleViolation):
        check_bpu_enrolment_age(params, dt.date(2026, 1, 1), JUNE_2025)


def test_the_listed_income_levels_are_exactly_the_ones_the_rule_accepts(
    params: Parameters,
) -> None:
    # Policy P1 (docs/rules.md): multiples of Rp100,000 from Rp1,000,000 to Rp20,700,000.
    bounds = params.bpu.declared_income_levels.value_on(dt.date(2026, 11, 25)).value
    listed = list(bounds.levels())

    assert (listed[0], listed[-1], len(listed)) == (1_000_000, 20_700_000, 198)
    accepted = [i for i in range(900_000, 20_800_001, 50_000) if bounds.is_level(i)]
    assert accepted == listed
