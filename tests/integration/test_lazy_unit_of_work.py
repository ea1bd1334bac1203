"""The SQL unit of work makes a repository when a use case first touches it (issue 13), over
that unit of work's connection, once; it makes none outside `with`, and none survive it."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from sertakan.registry.model import Branch
from sertakan.store.registry_repositories import SqlBranchRepository
from sertakan.store.unit_of_work import NotEntered, SqlUnitOfWork

BOGOR = Branch("BOGOR_KOTA", "Kantor Cabang Bogor Kota", "32.71")


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> Engine:
    found: Engine = request.getfixturevalue(f"{request.param}_engine")
    return found


def test_only_the_repositories_touched_are_made_each_once(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        assert uow._repositories == {}
        branches = uow.branches
        assert isinstance(branches, SqlBranchRepository)
        assert uow.branches is branches
        branches.add(BOGOR)
        uow.commit()
        assert set(uow._repositories) == {"branches"}
    with SqlUnitOfWork(engine) as uow:
        assert uow.branches is not branches  # a new transaction, a new connection
        assert uow.branches.get(BOGOR.code) == BOGOR


def test_no_repository_outside_the_unit_of_work(engine: Engine) -> None:
    uow = SqlUnitOfWork(engine)
    with pytest.raises(NotEntered):
        _ = uow.members
    with uow:
        uow.members.count()
    assert uow._repositories == {}
    with pytest.raises(NotEntered):
        _ = uow.members
