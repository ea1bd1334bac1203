"""The repository contract: every store (memory, SQLite, PostgreSQL) behaves the same."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from sertakan.kernel.clock import WIB
from sertakan.kernel.periods import Month
from sertakan.registry.model import (
    Branch,
    Member,
    MemberStatus,
    Sex,
    Sponsor,
    SponsorKind,
    Sponsorship,
)
from sertakan.registry.ports import DuplicateRecord, UnitOfWork

NOW = dt.datetime(2026, 11, 25, 10, 30, tzinfo=WIB)


def member(number: int, name: str = "Siti Rahmawati", **changes: object) -> Member:
    fields: dict[str, object] = {
        "id": f"m{number:031d}",
        "kpj": f"{number:011d}",
        "nik": f"32710157089{number:05d}",
        "full_name": name,
        "birth_date": dt.date(1990, 8, 17),
        "sex": Sex.FEMALE,
        "phone": "+6281234567890",
        "region_code": "32.71.01.1001",
        "address": "Jl. Pajajaran 5",
        "occupation": "household_helper",
        "declared_income": 20_700_000,
        "programs": ("JKK", "JKM", "JHT"),
        "publicly_funded": False,
        "branch_code": None,
        "enrolled_on": dt.date(2026, 11, 25),
        "status": MemberStatus.AWAITING_FIRST_PAYMENT,
        "created_at": NOW,
    }
    fields.update(changes)
    return Member(**fields)  # type: ignore[arg-type]


def sponsor(number: int, **changes: object) -> Sponsor:
    fields: dict[str, object] = {
        "id": f"s{number:031d}",
        "kind": SponsorKind.PERSON,
        "name": f"Sponsor {number}",
        "phone": "+6281298765432",
        "address": "Jl. Salak 2",
        "region_code": "32.71.01.1001",
        "nik": f"32710105017{number:05d}",
        "nib": None,
        "created_at": NOW,
    }
    fields.update(changes)
    return Sponsor(**fields)  # type: ignore[arg-type]


def test_a_committed_member_reads_back_exactly_as_written(
    uow_factory: Callable[[], UnitOfWork],
) -> None:
    written = member(1)
    with uow_factory() as uow:
        uow.members.add(written)
        uow.commit()

    with uow_factory() as uow:
        assert uow.members.get(written.id) == written
        assert uow.members.get_by_nik(written.nik) == written
        assert uow.members.get_by_kpj(written.kpj) == written
        assert uow.members.count() == 1


def test_work_that_is_not_committed_leaves_nothing_behind(
    uow_factory: Callable[[], UnitOfWork],
) -> None:
    with uow_factory() as uow:
        uow.members.add(member(1))
        uow.sponsors.add(sponsor(1))

    with uow_factory() as uow:
        assert uow.members.count() == 0
        assert uow.sponsors.get(sponsor(1).id) is None


def test_a_second_member_with_the_same_nik_is_refused_as_a_duplicate_nik(
    uow_factory: Callable[[], UnitOfWork],
) -> None:
    first = member(1)
    with uow_factory() as uow:
        uow.members.add(first)
        uow.commit()

    with uow_factory() as uow, pytest.raises(DuplicateRecord) as refused:
        uow.members.add(member(2, nik=first.nik))
    assert refused.value.field == "nik"

    with uow_factory() as uow, pytest.raises(DuplicateRecord) as refused:
        uow.members.add(member(3, kpj=first.kpj))
    assert refused.value.field == "kpj"


def test_a_refused_row_leaves_the_rest_of_the_transaction_usable(
    uow_factory: Callable[[], UnitOfWork],
) -> None:
    with uow_factory() as uow:
        uow.members.add(member(1))
        with pytest.raises(DuplicateRecord):
            uow.members.add(member(2, nik=member(1).nik))
        uow.members.add(member(3))
        uow.commit()

    with uow_factory() as uow:
        assert uow.members.count() == 2


def test_name_search_ignores_case_and_treats_wildcards_as_text(
    uow_factory: Callable[[], UnitOfWork],
) -> None:
    with uow_factory() as uow:
        uow.members.add(member(1, "Siti Rahmawati"))
        uow.members.add(member(2, "Asep Suryana"))
        uow.members.add(member(3, "Ahmad 100%_Sehat"))
        uow.commit()

    with uow_factory() as uow:
        assert [m.full_name for m in uow.members.search_by_name("RAHMA", 10)] == ["Siti Rahmawati"]
        assert [m.full_name for m in uow.members.search_by_name("a", 2)] == [
            "Ahmad 100%_Sehat",
            "Asep Suryana",
        ]
        assert [m.full_name for m in uow.members.search_by_name("%_", 10)] == ["Ahmad 100%_Sehat"]
        assert uow.members.search_by_name("_", 10)[0].full_name == "Ahmad 100%_Sehat"
        assert len(uow.members.search_by_name("_", 10)) == 1


def test_name_search_treats_the_escape_character_as_text(
    uow_factory: Callable[[], UnitOfWork],
) -> None:
    """The backslash that escapes % and _ in the pattern is itself escaped (LIKE ... ESCAPE)."""
    with uow_factory() as uow:
        uow.members.add(member(1, "Siti Rahmawati"))
        uow.members.add(member(2, "Dewi \\ Lestari"))
        uow.members.add(member(3, "Rina %x"))
        uow.commit()

    with uow_factory() as uow:
        assert [m.full_name for m in uow.members.search_by_name("\\", 10)] == ["Dewi \\ Lestari"]
        assert uow.members.search_by_name("\\%", 10) == []  # not "a backslash, then anything"
        assert [m.full_name for m in uow.members.search_by_name("%x", 10)] == ["Rina %x"]


def test_sponsors_are_found_by_their_nik_or_nib_and_unique_by_them(
    uow_factory: Callable[[], UnitOfWork],
) -> None:
    person = sponsor(1)
    business = sponsor(2, kind=SponsorKind.BUSINESS, nik=None, nib="1234567890123")
    with uow_factory() as uow:
        uow.sponsors.add(person)
        uow.sponsors.add(business)
        uow.commit()

    with uow_factory() as uow:
        assert uow.sponsors.get_by_identity(SponsorKind.PERSON, person.nik or "") == person
        assert uow.sponsors.get_by_identity(SponsorKind.BUSINESS, "1234567890123") == business
        assert [s.id for s in uow.sponsors.list(10)] == [person.id, business.id]
        with pytest.raises(DuplicateRecord) as refused:
            uow.sponsors.add(sponsor(3, kind=SponsorKind.BUSINESS, nik=None, nib="1234567890123"))
        assert refused.value.field == "nib"


def test_the_active_sponsorship_is_the_one_covering_the_month(
    uow_factory: Callable[[], UnitOfWork],
) -> None:
    worker = member(1)
    old, new = sponsor(1), sponsor(2)
    first = Sponsorship("p1", old.id, worker.id, Month(2026, 1), Month(2026, 6), NOW)
    second = Sponsorship("p2", new.id, worker.id, Month(2026, 7), None, NOW)
    with uow_factory() as uow:
        uow.members.add(worker)
        uow.sponsors.add(old)
        uow.sponsors.add(new)
        uow.sponsorships.add(first)
        uow.sponsorships.add(second)
        uow.commit()

    with uow_factory() as uow:
        assert uow.sponsorships.active_for_member(worker.id, Month(2026, 3)) == first
        assert uow.sponsorships.active_for_member(worker.id, Month(2026, 11)) == second
        assert uow.sponsorships.active_for_member(worker.id, Month(2025, 12)) is None
        assert uow.sponsorships.for_sponsor(old.id) == [first]
        assert len(uow.sponsorships.for_member(worker.id)) == 2


def test_branches_are_listed_in_code_order(uow_factory: Callable[[], UnitOfWork]) -> None:
    with uow_factory() as uow:
        uow.branches.add(Branch("DEPOK", "Kantor Cabang Depok", "32.76"))
        uow.branches.add(Branch("BOGOR_KOTA", "Kantor Cabang Bogor Kota", "32.71"))
        uow.commit()

    with uow_factory() as uow:
        assert [b.code for b in uow.branches.all()] == ["BOGOR_KOTA", "DEPOK"]
        assert uow.branches.get("DEPOK") == Branch("DEPOK", "Kantor Cabang Depok", "32.76")
