"""A change of a member's income level and programmes from next month (issue 16 point 2): the
price shown before confirming, next month's invoice with the new terms, this month's never
changed; who pays decides (the consenting sponsor, the self-paying worker, branch staff)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from sertakan.access.actor import Actor
from sertakan.access.roles import Role
from sertakan.billing.model import PayerKind
from sertakan.bootstrap import Container
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.kernel.errors import Forbidden, RuleViolation
from sertakan.kernel.periods import Month
from sertakan.registry.model import MemberTerms
from sertakan.registry.occupations import occupation
from sertakan.regulation.contributions import quote_bpu
from tests.support.auth import CONSOLE, make_staff
from tests.support.builders import TwoSponsorOffice, open_two_sponsor_office
from tests.support.containers import sqlite_container

NOVEMBER, DECEMBER, JANUARY = Month(2026, 11), Month(2026, 12), Month(2027, 1)
SITI_MONTH = 28_400  # 1,000,000, JKK+JKM+JHT, PP 50/2025 discount (test_billing.py)
NEW_TERMS = MemberTerms(2_000_000, ("JKK", "JKM"))


@pytest.fixture
def office(tmp_path: Path) -> Iterator[TwoSponsorOffice]:
    # Enrolled in October; today is 25 November: a change counts from December.
    clock = FixedClock(dt.datetime(2026, 10, 20, 9, 0, tzinfo=WIB))
    with sqlite_container(tmp_path, clock=clock) as container:
        people = open_two_sponsor_office(container)
        make_staff(container, Role.OFFICER)
        clock.moment = dt.datetime(2026, 11, 25, 9, 0, tzinfo=WIB)
        yield people


def sponsor_actor(container: Container, sponsor_id: str) -> Actor:
    with container.uow() as uow:
        account = uow.accounts.for_sponsor(sponsor_id)
    assert account is not None
    return container.access.actor_for(account)


def worker_actor(container: Container, member_id: str) -> Actor:
    with container.uow() as uow:
        account = uow.accounts.for_member(member_id)
    assert account is not None
    return container.access.actor_for(account)


def officer_actor(container: Container) -> Actor:
    with container.uow() as uow:
        account = uow.accounts.by_username("officer")
    assert account is not None
    return container.access.actor_for(account)


def expected_total(container: Container, member_id: str, terms: MemberTerms, month: Month) -> int:
    """The regulation's price of `terms` for `month`, asked of `quote_bpu` directly."""
    with container.uow() as uow:
        member = uow.members.get(member_id)
    assert member is not None
    return quote_bpu(
        container.params,
        declared_income=terms.declared_income,
        on=month.first_day,
        programs=terms.programs,
        sector=occupation(member.occupation).sector,
        publicly_funded=member.publicly_funded,
    ).total


def siti_line(office: TwoSponsorOffice, month: Month) -> tuple[int, tuple[str, ...]]:
    """Siti's line on Ibu Ratna's invoice of `month`."""
    container, sponsor_id = office.container, office.sponsor_id
    invoices = [
        i
        for i in container.invoices.for_payer(CONSOLE, PayerKind.SPONSOR, sponsor_id)
        if i.month == month
    ]
    [invoice] = invoices
    _, lines = container.invoices.invoice(CONSOLE, invoice.id)
    [line] = [line for line in lines if line.member_id == office.siti]
    return line.total, line.programs


def test_the_sponsor_sees_the_new_price_then_next_months_invoice_bills_it_and_this_months_not(
    office: TwoSponsorOffice,
) -> None:
    container = office.container
    ratna = sponsor_actor(container, office.sponsor_id)
    container.invoices.issue_month(CONSOLE, NOVEMBER)
    assert siti_line(office, NOVEMBER) == (SITI_MONTH, ("JKK", "JKM", "JHT"))
    new_price = expected_total(container, office.siti, NEW_TERMS, DECEMBER)
    assert new_price != SITI_MONTH

    preview = container.registry.preview_terms(ratna, office.siti, NEW_TERMS)

    assert preview.from_month == DECEMBER
    assert (preview.current.total, preview.new.total) == (SITI_MONTH, new_price)
    assert sum(d.amount_off for d in preview.new.discounts) > 0  # PP 50/2025, December 2026
    with container.uow() as uow:
        unchanged = uow.members.get(office.siti)
    assert unchanged is not None and unchanged.pending is None  # a preview writes nothing

    changed = container.registry.change_terms(ratna, office.siti, NEW_TERMS)

    assert (changed.member.pending, changed.member.pending_from) == (NEW_TERMS, DECEMBER)
    # The card still quotes this month at the old terms; the November run changes nothing.
    card = container.registry.member_card(ratna, office.siti)
    assert card.quote.total == SITI_MONTH
    container.invoices.issue_month(CONSOLE, NOVEMBER)
    assert siti_line(office, NOVEMBER) == (SITI_MONTH, ("JKK", "JKM", "JHT"))

    office.clock.moment = dt.datetime(2026, 12, 1, 8, 0, tzinfo=WIB)
    container.invoices.issue_month(CONSOLE, DECEMBER)
    assert siti_line(office, DECEMBER) == (new_price, ("JKK", "JKM"))
    card = container.registry.member_card(ratna, office.siti)
    assert card.quote.total == new_price
    # The card shows December's terms as the current ones, nothing pending any more.
    assert (card.member.declared_income, card.member.programs) == (2_000_000, ("JKK", "JKM"))
    assert card.member.pending is None


def test_the_change_is_audited_and_a_change_due_already_becomes_the_current_terms(
    office: TwoSponsorOffice,
) -> None:
    container = office.container
    officer = officer_actor(container)
    container.registry.change_terms(officer, office.siti, NEW_TERMS)
    office.clock.moment = dt.datetime(2026, 12, 10, 9, 0, tzinfo=WIB)

    later = MemberTerms(3_000_000, ("JKK", "JKM", "JHT"))
    changed = container.registry.change_terms(officer, office.siti, later)

    member = changed.member
    assert (member.declared_income, member.programs) == (2_000_000, ("JKK", "JKM"))
    assert (member.pending, member.pending_from) == (later, JANUARY)
    with container.uow() as uow:
        stored = uow.members.get(office.siti)
        events = [
            e
            for e in uow.audit.between(
                dt.datetime(2026, 1, 1, tzinfo=WIB), dt.datetime(2027, 1, 1, tzinfo=WIB)
            )
            if e.action == "member.terms" and e.outcome.value == "done"
        ]
    assert stored == member
    first, second = events
    assert first.before is not None and first.after is not None
    assert first.before["declared_income"] == 1_000_000 and first.before["pending_from"] is None
    assert first.after["pending_income"] == 2_000_000 and first.after["pending_from"] == "2026-12"
    assert second.before == first.after  # the step from one to the next is kept
    assert second.after is not None
    assert (second.after["declared_income"], second.after["pending_from"]) == (2_000_000, "2027-01")


def test_an_income_that_is_no_level_and_a_lone_programme_are_refused_in_indonesian(
    office: TwoSponsorOffice,
) -> None:
    container = office.container
    ratna = sponsor_actor(container, office.sponsor_id)

    with pytest.raises(RuleViolation) as refused:
        container.registry.change_terms(ratna, office.siti, MemberTerms(1_234_567, ("JHT",)))

    rules = {v.rule: v.message_id for v in refused.value.violations}
    assert "bpu.declared_income.level" in rules
    assert rules["bpu.declared_income.level"].startswith("Penghasilan harus kelipatan")
    assert any(field == "programs" for field in (v.field for v in refused.value.violations))
    with pytest.raises(RuleViolation) as same:
        container.registry.preview_terms(
            ratna, office.siti, MemberTerms(1_000_000, ("jkk", "JKM", "JHT"))
        )
    assert same.value.violations[0].message_id == (
        "Penghasilan dan program ini sudah berlaku: pilih yang lain"
    )
    with container.uow() as uow:
        member = uow.members.get(office.siti)
    assert member is not None and member.pending is None


def test_the_sponsor_of_another_worker_and_a_sponsored_worker_are_refused(
    office: TwoSponsorOffice,
) -> None:
    container = office.container
    ratna = sponsor_actor(container, office.sponsor_id)

    with pytest.raises(Forbidden) as not_hers:
        container.registry.change_terms(ratna, office.budi, NEW_TERMS)
    assert not_hers.value.rule == "access.scope"
    # Siti's sponsor pays for her terms: Siti does not change them herself.
    with pytest.raises(Forbidden):
        container.registry.preview_terms(
            worker_actor(container, office.siti), office.siti, NEW_TERMS
        )
    with container.uow() as uow:
        budi = uow.members.get(office.budi)
        siti = uow.members.get(office.siti)
    assert budi is not None and budi.pending is None
    assert siti is not None and siti.pending is None


def test_a_self_paying_worker_changes_her_own_terms(office: TwoSponsorOffice) -> None:
    container = office.container
    dewi = worker_actor(container, office.dewi)

    changed = container.registry.change_terms(dewi, office.dewi, NEW_TERMS)

    assert changed.from_month == DECEMBER
    assert changed.new.total == expected_total(container, office.dewi, NEW_TERMS, DECEMBER)
