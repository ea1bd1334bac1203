"""The audit trail is written with the change it records, or not at all, and cannot be
rewritten: on SQLite and on real PostgreSQL, over the real migrations of a fresh database.

- A committed enrolment always has its audit events.
- A change that fails half-way (after its audit event was appended, before commit) leaves
  neither the change nor the event; so does an enrolment whose sponsorship insert fails.
- The database itself refuses UPDATE and DELETE on audit_events (migration 0003's triggers),
  whoever asks, even outside the application's repositories.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from sertakan.access.actor import Actor
from sertakan.access.auditing import event
from sertakan.access.roles import Role
from sertakan.bootstrap import Container, bootstrap
from sertakan.config import Settings
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.model import Sponsorship
from sertakan.registry.nik import build_nik
from sertakan.store import registry_repositories
from sertakan.store.migrate import upgrade
from sertakan.store.tables import (
    accounts,
    audit_events,
    members,
    one_time_codes,
    outbox_messages,
    sponsorships,
)
from sertakan.store.unit_of_work import SqlUnitOfWork
from tests.support.auth import CONSOLE, cheap_hasher
from tests.support.builders import a_sponsor, a_worker, open_branch

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=WIB)
TABLES = {
    "members": members,
    "sponsorships": sponsorships,
    "accounts": accounts,
    "audit_events": audit_events,
    "one_time_codes": one_time_codes,
    "outbox_messages": outbox_messages,
}
WORKER = a_worker(programs=("JKK", "JKM"), address="")


class Boom(Exception):
    """A failure after the audit event was appended and before the commit."""


@dataclass(frozen=True)
class Store:
    container: Container
    engine: Engine
    provider: RecordingProvider
    sponsor_id: str

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in TABLES.items()
            }


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh database of each engine, migrated by the real migrations, with one sponsor."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'audit.db'}"
    else:
        url = request.getfixturevalue("fresh_postgres_url")
    provider = RecordingProvider()
    container = bootstrap(
        Settings(database_url=url, secret_key="s" * 32),
        clock=FixedClock(NOW),
        hasher=cheap_hasher(),
        provider=provider,
    )
    assert container.engine is not None
    upgrade(container.engine)
    sponsor = container.registry.register_sponsor(
        CONSOLE,
        a_sponsor(address=""),
    )
    yield Store(container, container.engine, provider, sponsor.id)
    container.engine.dispose()


def officer_actor(store: Store) -> Actor:
    """An officer of the branch, so that the enrolment asks the worker's consent by SMS."""
    open_branch(store.container, Role.OFFICER)
    with store.container.uow() as uow:
        account = uow.accounts.by_username("officer")
    assert account is not None
    return store.container.access.actor_for(account)


def test_a_committed_enrolment_always_has_its_audit_events(store: Store) -> None:
    before = store.counts()

    card = store.container.registry.enrol_member(
        CONSOLE, dataclasses.replace(WORKER, sponsor_id=store.sponsor_id)
    )

    after = store.counts()
    assert after["members"] == before["members"] + 1
    with store.container.uow() as uow:
        logged = list(uow.audit.between(NOW, NOW + dt.timedelta(seconds=1)))
    recorded = {(e.action, e.entity_id) for e in logged}
    assert ("member.enrol", card.member.id) in recorded
    assert card.sponsorship is not None
    assert ("sponsorship.start", card.sponsorship.id) in recorded
    enrol = next(e for e in logged if e.action == "member.enrol")
    assert (enrol.actor_role, enrol.outcome.value) == ("system", "done")
    assert enrol.after is not None and enrol.after.get("full_name") == "Siti Rahmawati"
    # The snapshot never holds the full NIK.
    assert WORKER.nik not in str(enrol.after)


def test_a_unit_of_work_that_fails_after_appending_its_audit_event_leaves_neither(
    store: Store,
) -> None:
    card = store.container.registry.enrol_member(CONSOLE, WORKER)  # a member to copy
    before = store.counts()
    twin = dataclasses.replace(
        card.member,
        id="f" * 32,
        kpj="99999999990",
        nik=build_nik("327101", WORKER.birth_date, "F", 99),
    )

    with pytest.raises(Boom), SqlUnitOfWork(store.engine) as uow:
        uow.members.add(twin)
        uow.audit.append(event(CONSOLE, NOW, "member.enrol", "member", twin.id))
        assert uow.members.get(twin.id) is not None  # both are in the transaction ...
        raise Boom  # ... which never commits

    assert store.counts() == before
    with SqlUnitOfWork(store.engine) as uow:
        assert uow.members.get(twin.id) is None
        assert all(e.entity_id != twin.id for e in uow.audit.between(NOW, NOW + dt.timedelta(1)))


def test_an_enrolment_whose_sponsorship_insert_fails_leaves_no_member_no_event_and_no_sms(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor = officer_actor(store)
    before = store.counts()
    sent = len(store.provider.delivered)
    original = registry_repositories.SqlSponsorshipRepository.add

    def add_for_a_sponsor_that_does_not_exist(
        self: registry_repositories.SqlSponsorshipRepository, sponsorship: Sponsorship
    ) -> None:
        # A real failure of the database: the foreign key to sponsors refuses the row.
        original(self, dataclasses.replace(sponsorship, sponsor_id="0" * 32))

    monkeypatch.setattr(
        registry_repositories.SqlSponsorshipRepository, "add", add_for_a_sponsor_that_does_not_exist
    )

    with pytest.raises(DBAPIError):
        store.container.registry.enrol_member(
            actor, dataclasses.replace(WORKER, sponsor_id=store.sponsor_id)
        )

    # The member insert, the member.enrol event and the worker's account had all happened.
    assert store.counts() == before
    assert len(store.provider.delivered) == sent  # no consent code went out
    monkeypatch.undo()
    # Nothing half-written blocks the same enrolment once the store works again.
    card = store.container.registry.enrol_member(
        actor, dataclasses.replace(WORKER, sponsor_id=store.sponsor_id)
    )
    assert card.member.nik == WORKER.nik
    assert store.counts()["members"] == before["members"] + 1


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET reason = 'rewritten'",
        "UPDATE audit_events SET outcome = 'done' WHERE outcome = 'done'",
        "DELETE FROM audit_events",
    ],
    ids=["update", "update-to-same-value", "delete"],
)
def test_the_database_refuses_to_rewrite_or_delete_audit_events(
    store: Store, statement: str
) -> None:
    store.container.registry.enrol_member(CONSOLE, WORKER)
    with store.engine.connect() as conn:
        rows_before = conn.execute(select(audit_events).order_by(audit_events.c.id)).all()
    assert rows_before

    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text(statement))

    with store.engine.connect() as conn:
        assert conn.execute(select(audit_events).order_by(audit_events.c.id)).all() == rows_before


def test_new_audit_events_can_still_be_appended_after_a_refused_rewrite(store: Store) -> None:
    with pytest.raises(DBAPIError), store.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events"))
    count = store.counts()["audit_events"]

    store.container.registry.enrol_member(CONSOLE, WORKER)

    assert store.counts()["audit_events"] > count
