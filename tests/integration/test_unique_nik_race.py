"""Two clerks enrol the same worker at the same moment: one member, one clear refusal."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, func, select

from sertakan.bootstrap import Container, bootstrap
from sertakan.config import Settings
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.registry.errors import NikAlreadyEnrolled
from sertakan.registry.service import MemberCard
from sertakan.store.migrate import upgrade
from sertakan.store.tables import members
from tests.support.auth import CONSOLE
from tests.support.builders import a_worker

APPLICATION = a_worker(programs=("JKK", "JKM"), address="")
CLERKS = 6


@pytest.fixture
def container(fresh_postgres_url: str) -> Iterator[Container]:
    clock = FixedClock(dt.datetime(2026, 11, 25, 10, 0, tzinfo=WIB))
    container = bootstrap(Settings(database_url=fresh_postgres_url), clock=clock)
    assert container.engine is not None
    upgrade(container.engine)
    yield container
    container.engine.dispose()


def test_concurrent_enrolments_of_one_nik_give_one_member_and_conflicts_for_the_rest(
    container: Container,
) -> None:
    start = threading.Barrier(CLERKS)

    def enrol(clerk: int) -> MemberCard | NikAlreadyEnrolled:
        start.wait()
        try:
            return container.registry.enrol_member(
                CONSOLE,
                dataclasses.replace(APPLICATION, full_name=f"Siti Rahmawati {clerk}"),
            )
        except NikAlreadyEnrolled as refused:
            return refused

    with ThreadPoolExecutor(CLERKS) as pool:
        outcomes = list(pool.map(enrol, range(CLERKS)))

    winners = [o for o in outcomes if isinstance(o, MemberCard)]
    refusals = [o for o in outcomes if isinstance(o, NikAlreadyEnrolled)]
    assert len(winners) == 1
    assert len(refusals) == CLERKS - 1
    assert {r.masked_kpj for r in refusals} == {"*******" + winners[0].member.kpj[-4:]}
    engine: Engine | None = container.engine
    assert engine is not None
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(members)).scalar_one() == 1
