"""Enrolling a worker through the registry service, on the in-memory store."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from sertakan.bootstrap import Container
from sertakan.kernel.errors import RuleViolation
from sertakan.registry.errors import NikAlreadyEnrolled
from sertakan.registry.kpj import is_valid_kpj
from sertakan.registry.model import MemberStatus
from sertakan.registry.nik import build_nik
from tests.support.auth import CONSOLE
from tests.support.builders import a_sponsor, a_worker

SITI = a_worker(full_name="Siti  Rahmawati", phone="0812-3456-7890")  # spaces to fold


def test_a_valid_worker_is_enrolled_with_a_kpj_and_the_monthly_breakdown(
    container: Container,
) -> None:
    card = container.registry.enrol_member(CONSOLE, SITI)

    assert is_valid_kpj(card.member.kpj)
    assert card.member.full_name == "Siti Rahmawati"  # spaces folded
    assert card.member.phone == "+6281234567890"
    assert card.member.status is MemberStatus.AWAITING_FIRST_PAYMENT
    assert card.member.branch_code == "BOGOR_KOTA"
    # November 2026 is inside PP 50/2025's window for non-transport workers: JKK+JKM halved.
    assert card.quote.parts == {"JKK": 5_000, "JKM": 3_400, "JHT": 20_000}
    assert card.quote.total == 28_400
    assert card.quote.discounts


def test_a_worker_enrolled_by_a_sponsor_shows_on_the_sponsor_sheet_with_the_monthly_total(
    container: Container,
) -> None:
    sponsor = container.registry.register_sponsor(
        CONSOLE,
        a_sponsor(),
    )
    container.registry.enrol_member(CONSOLE, dataclasses.replace(SITI, sponsor_id=sponsor.id))
    driver = dataclasses.replace(
        SITI,
        nik=build_nik("327102", dt.date(1985, 3, 1), "M", 7),
        full_name="Asep Suryana",
        birth_date=dt.date(1985, 3, 1),
        sex="M",
        occupation="driver",
        declared_income=2_000_000,
        programs=("JKK", "JKM"),
        sponsor_id=sponsor.id,
    )
    container.registry.enrol_member(CONSOLE, driver)

    sheet = container.registry.sponsor_sheet(CONSOLE, sponsor.id)

    assert [card.member.full_name for card in sheet.workers] == ["Asep Suryana", "Siti Rahmawati"]
    assert sheet.monthly_total == sum(card.quote.total for card in sheet.workers)
    # The driver is a transport worker: 2,000,000 × 1% = 20,000 and 6,800, both halved.
    assert sheet.workers[0].quote.parts == {"JKK": 10_000, "JKM": 3_400}
    assert container.registry.member_card(CONSOLE, sheet.workers[0].member.id).sponsor == sponsor


def test_the_same_nik_twice_is_refused_naming_the_existing_kpj_masked(
    container: Container,
) -> None:
    first = container.registry.enrol_member(CONSOLE, SITI)

    with pytest.raises(NikAlreadyEnrolled) as refused:
        container.registry.enrol_member(
            CONSOLE, dataclasses.replace(SITI, full_name="Someone Else")
        )

    assert refused.value.masked_kpj == "*******" + first.member.kpj[-4:]
    assert first.member.kpj not in str(refused.value)
    assert container.registry.count_members() == 1


def test_every_broken_rule_is_named_in_one_answer(container: Container) -> None:
    bad = dataclasses.replace(
        SITI,
        nik="3271015708900000",  # serial 0000
        full_name=" ",
        phone="0251-8312345",  # a Bogor landline, not a mobile
        region_code="32.71",  # a regency, not a village
        occupation="astronaut",
        declared_income=999_999,
        programs=("JHT",),
    )

    with pytest.raises(RuleViolation) as refused:
        container.registry.enrol_member(CONSOLE, bad)

    fields = {v.field for v in refused.value.violations}
    assert {"nik", "full_name", "phone", "region_code", "occupation"} <= fields
    assert {"declared_income", "programs"} <= fields
    assert all(v.message_id for v in refused.value.violations)
    assert container.registry.count_members() == 0


def test_a_nik_whose_birth_date_disagrees_with_the_form_is_refused(container: Container) -> None:
    with pytest.raises(RuleViolation) as refused:
        container.registry.enrol_member(CONSOLE, dataclasses.replace(SITI, sex="M"))

    assert {v.rule for v in refused.value.violations} >= {"nik.sex_mismatch"}


def test_a_worker_aged_65_on_the_enrolment_day_is_refused(container: Container) -> None:
    born = dt.date(1961, 11, 25)  # 65 on 2026-11-25
    with pytest.raises(RuleViolation) as refused:
        container.registry.enrol_member(
            CONSOLE,
            dataclasses.replace(SITI, nik=build_nik("327101", born, "F", 1), birth_date=born),
        )

    assert [v.field for v in refused.value.violations] == ["birth_date"]


def test_an_enrolment_for_an_unknown_sponsor_leaves_no_member_behind(
    container: Container,
) -> None:
    with pytest.raises(RuleViolation) as refused:
        container.registry.enrol_member(CONSOLE, dataclasses.replace(SITI, sponsor_id="nobody"))

    assert refused.value.violations[0].field == "sponsor_id"
    assert container.registry.count_members() == 0
    assert container.registry.find_members(CONSOLE, SITI.nik) == []


def test_branch_staff_find_a_member_by_nik_kpj_or_part_of_the_name(container: Container) -> None:
    card = container.registry.enrol_member(CONSOLE, SITI)

    assert container.registry.find_members(CONSOLE, SITI.nik) == [card.member]
    assert container.registry.find_members(CONSOLE, card.member.kpj) == [card.member]
    assert container.registry.find_members(CONSOLE, "rahma") == [card.member]
    assert container.registry.find_members(CONSOLE, "Budi") == []


def test_a_business_sponsor_needs_a_13_digit_nib_and_is_registered_once(
    container: Container,
) -> None:
    application = a_sponsor(
        kind="business",
        name="Warung Nasi Sunda Bu Ijah",
        phone="+62 857 1234 5678",
        address="Jl. Suryakencana 10",
        nib="1234567890123",
        nik=None,
    )
    sponsor = container.registry.register_sponsor(CONSOLE, application)
    assert sponsor.nib == "1234567890123"

    with pytest.raises(RuleViolation) as refused:
        container.registry.register_sponsor(CONSOLE, dataclasses.replace(application, nib="12345"))
    assert refused.value.violations[0].field == "nib"
    with pytest.raises(Exception, match="already registered"):
        container.registry.register_sponsor(CONSOLE, application)


def test_missing_birth_date_and_income_are_reported_with_the_other_mistakes(
    container: Container,
) -> None:
    with pytest.raises(RuleViolation) as refused:
        container.registry.enrol_member(
            CONSOLE,
            dataclasses.replace(SITI, birth_date=None, declared_income=None, phone="12"),
        )

    rules = {(v.field, v.rule) for v in refused.value.violations}
    assert ("birth_date", "member.birth_date.required") in rules
    assert ("declared_income", "member.declared_income.required") in rules
    assert any(field == "phone" for field, _ in rules)
    assert container.registry.count_members() == 0


def test_a_branch_counter_enrols_more_than_twenty_sponsored_workers_in_an_hour(
    container: Container,
) -> None:
    """Consent codes are limited per phone, not per address: one counter serves many workers."""
    from sertakan.access.roles import Role
    from tests.support.auth import make_staff

    make_staff(container, Role.OFFICER)
    with container.uow() as uow:
        officer = uow.accounts.by_username("officer")
    assert officer is not None
    actor = container.access.actor_for(officer)
    sponsor = container.registry.register_sponsor(
        CONSOLE,
        a_sponsor(
            kind="business",
            name="Warung Bu Ijah",
            phone="085712345678",
            address="",
            nib="1234567890123",
            nik=None,
        ),
    )  # fmt: skip
    for serial in range(1, 26):
        card = container.registry.enrol_member(
            actor,
            dataclasses.replace(
                SITI,
                nik=build_nik("327101", dt.date(1990, 8, 17), "F", serial),
                phone=f"0812-3456-{7000 + serial}",
                sponsor_id=sponsor.id,
            ),
            client_ip="10.0.0.1",
        )
        assert card.sponsorship is not None
