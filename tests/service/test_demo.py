"""The demo branch: enough real-looking data to try every page, the same every time."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from sertakan.bootstrap import Container
from sertakan.demo import load_demo
from sertakan.demo_billing import load_demo_billing
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.kernel.periods import Month
from sertakan.registry.kpj import is_valid_kpj
from sertakan.registry.nik import parse_nik
from tests.support.auth import CONSOLE
from tests.support.containers import sqlite_container


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Container]:
    clock = FixedClock(dt.datetime(2026, 11, 25, 9, 0, tzinfo=WIB))
    with sqlite_container(tmp_path, clock=clock) as container:
        yield container


def test_the_demo_is_the_bogor_kota_branch_with_50_sponsors_and_300_workers(
    fresh: Container,
) -> None:
    container = fresh
    summary = load_demo(container, seed=7)

    assert summary.sponsors >= 50
    assert summary.members >= 300
    assert 0 < summary.sponsored < summary.members
    assert container.registry.count_members() == summary.members
    sponsors = container.registry.list_sponsors(CONSOLE, limit=1000)
    assert len(sponsors) == summary.sponsors
    assert Counter(s.kind.value for s in sponsors).keys() == {"person", "business"}


def test_every_demo_worker_has_a_valid_nik_kpj_and_a_kota_bogor_village(fresh: Container) -> None:
    container = fresh
    load_demo(container, seed=7)

    sponsors = container.registry.list_sponsors(CONSOLE, limit=1000)
    cards = [
        card for s in sponsors for card in container.registry.sponsor_sheet(CONSOLE, s.id).workers
    ]
    assert cards
    for card in cards:
        member = card.member
        parse_nik(member.nik, container.regions, today=dt.date(2026, 11, 25))
        assert is_valid_kpj(member.kpj)
        assert member.region_code.startswith("32.71.")
        assert container.regions.village(member.region_code) is not None
        assert member.branch_code == "BOGOR_KOTA"
    assert len({c.member.occupation for c in cards}) >= 4


def test_the_same_seed_gives_the_same_people_and_numbers(tmp_path: Path) -> None:
    clock = FixedClock(dt.datetime(2026, 11, 25, 9, 0, tzinfo=WIB))
    with (
        sqlite_container(tmp_path / "1", clock=clock) as first,
        sqlite_container(tmp_path / "2", clock=clock) as second,
        sqlite_container(tmp_path / "3", clock=clock) as third,
    ):
        _check_same_seed(first, second, third)


def _check_same_seed(first: Container, second: Container, third: Container) -> None:
    load_demo(first, seed=11)
    load_demo(second, seed=11)

    def fingerprint(container: Container) -> list[tuple[str, str, str, str]]:
        return sorted(
            (s.id, card.member.id, card.member.nik, card.member.kpj)
            for s in container.registry.list_sponsors(CONSOLE, limit=1000)
            for card in container.registry.sponsor_sheet(CONSOLE, s.id).workers
        )

    assert fingerprint(first) == fingerprint(second)
    load_demo(third, seed=12)
    assert fingerprint(third) != fingerprint(first)


def test_the_demo_bills_this_month_pays_most_of_it_and_leaves_two_payments_in_suspense(
    fresh: Container,
) -> None:
    load_demo(fresh, seed=7)
    billing = load_demo_billing(fresh, seed=7)

    assert billing.invoices >= 50  # one per sponsor and per self-paying worker
    assert 0 < billing.paid < billing.invoices
    assert billing.ahead == 6
    suspense = fresh.payments.suspense(CONSOLE)
    assert sorted(item.reason.value for item in suspense) == [
        "amount_mismatch",
        "unknown_invoice",
    ]
    with fresh.uow() as uow:
        still_open = uow.invoices.open_in(month=Month(2026, 11))
    assert len(still_open) == billing.invoices - billing.paid
