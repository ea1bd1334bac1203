"""The same Alembic migrations build exactly the declared schema on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, select, update

from sertakan.bootstrap import bootstrap
from sertakan.config import Settings
from sertakan.kernel.ids import new_event_id
from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.model import MemberTerms
from sertakan.registry.ports import DuplicateRecord
from sertakan.store.access_repositories import SqlAuditLog
from sertakan.store.engine import make_engine
from sertakan.store.migrate import current_revision, downgrade, upgrade
from sertakan.store.tables import audit_events, invoice_lines, invoices, members, metadata
from tests.support.auth import CONSOLE, cheap_hasher
from tests.support.builders import a_worker, an_office, enrol, office_clock, open_branch
from tests.support.containers import GATEWAY_SECRET, SECRET


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrate.db'}"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


def test_migrations_create_exactly_the_tables_the_code_declares(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)

    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []
    assert current_revision(engine) is not None
    engine.dispose()


def test_migrations_run_down_to_nothing_and_up_again(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

    upgrade(engine)
    assert {"members", "sponsors", "sponsorships", "branches"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()


def test_running_the_migrations_twice_changes_nothing(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    before = current_revision(engine)
    upgrade(engine)
    assert current_revision(engine) == before
    engine.dispose()


def test_0008_cancels_the_later_of_two_open_invoices_billing_the_same_month(
    database_url: str, tmp_path: Path
) -> None:
    # A database from before 0008 holding what a double tap left (issue 12): two open
    # invoices billing the same months. The first issued stays; a paid one always stays.
    container = bootstrap(
        Settings(
            database_url=database_url,
            secret_key=SECRET,
            gateway_secret=GATEWAY_SECRET,
            sandbox_db=tmp_path / "sandbox.sqlite",
        ),
        clock=office_clock(),
        hasher=cheap_hasher(),
        provider=RecordingProvider(),
    )
    engine = container.engine
    upgrade(engine)
    sponsor, own = an_office(container, sponsors=1, workers_each=2, self_paying=1).invoices
    with engine.begin() as conn:  # paid, as `_settle_all` leaves it (the status is enough)
        conn.execute(update(invoices).where(invoices.c.id == own.id).values(status="paid"))
    downgrade(engine, "0007_reminders")
    twins = {
        # issued an hour after the sponsor's: the later one
        sponsor.id: ("TWIN0001", sponsor.created_at + dt.timedelta(hours=1)),
        # issued before the paid one: the paid one still stays
        own.id: ("TWIN0002", own.created_at - dt.timedelta(hours=1)),
    }
    old_line_columns = [c for c in invoice_lines.c if c.name != "billed"]
    with engine.begin() as conn:
        for original_id, (suffix, created_at) in twins.items():
            row = conn.execute(select(invoices).where(invoices.c.id == original_id)).one()
            twin_id = f"twin{suffix}"
            values = row._asdict() | {
                "id": twin_id,
                "number": f"INV-202612-{suffix}",
                "status": "open",
                "created_at": created_at,
                "issue_key": None,
            }
            conn.execute(insert(invoices).values(**values))
            lines = conn.execute(
                select(*old_line_columns).where(invoice_lines.c.invoice_id == original_id)
            ).all()
            conn.execute(
                insert(invoice_lines), [line._asdict() | {"invoice_id": twin_id} for line in lines]
            )

    upgrade(engine)

    with engine.connect() as conn:
        status = {r.id: r.status for r in conn.execute(select(invoices.c.id, invoices.c.status))}
        reasons = {
            r.id: r.cancel_reason
            for r in conn.execute(select(invoices.c.id, invoices.c.cancel_reason))
        }
        live = conn.execute(
            select(invoice_lines.c.invoice_id).where(invoice_lines.c.billed).distinct()
        ).scalars()
        audited = conn.scalars(
            select(audit_events.c.entity_id).where(audit_events.c.action == "invoice.cancel")
        ).all()
    assert status == {
        sponsor.id: "open",
        own.id: "paid",
        "twinTWIN0001": "cancelled",
        "twinTWIN0002": "cancelled",
    }
    assert reasons["twinTWIN0001"].startswith(f"duplicate of {sponsor.number}")
    assert reasons["twinTWIN0002"].startswith(f"duplicate of {own.number}")
    assert set(live) == {sponsor.id, own.id}
    assert sorted(audited) == ["twinTWIN0001", "twinTWIN0002"]
    # And the key now refuses a third.
    with container.uow() as uow:
        lines = uow.invoices.lines(sponsor.id)
        third = dataclasses.replace(sponsor, id="third", number="INV-202612-THIRD001")
        with pytest.raises(DuplicateRecord):
            uow.invoices.add(
                dataclasses.replace(third, issue_key=None),
                [dataclasses.replace(line, invoice_id="third") for line in lines],
            )
    engine.dispose()


def test_0011_gives_old_audit_events_uuid7_ids_and_keeps_their_order(database_url: str) -> None:
    # Events numbered by the old counter; two share a moment, and one was written with a
    # moment earlier than an event numbered before it (a clock that stepped back).
    engine = make_engine(database_url)
    upgrade(engine, "0009_sign_in_failures")
    old = sa.table("audit_events", *(sa.column(c.name) for c in audit_events.c))
    noon = dt.datetime(2026, 12, 1, 5, 0, tzinfo=dt.UTC)
    written = [  # (old id, moment)
        (1, noon),
        (2, noon + dt.timedelta(seconds=5)),
        (3, noon + dt.timedelta(seconds=5)),  # the same moment as 2: the old number decides
        (4, noon + dt.timedelta(seconds=2)),
    ]
    with engine.begin() as conn:
        conn.execute(
            insert(old),
            [
                {
                    "id": number,
                    "at": at,
                    "action": "member.enrol",
                    "entity_type": "member",
                    "entity_id": f"m{number}",
                    "actor_account_id": None,
                    "actor_role": "system",
                    "request_id": "r",
                    "outcome": "done",
                    "before": None,
                    "after": None,
                    "reason": "",
                }
                for number, at in written
            ],
        )

    upgrade(engine)

    with engine.connect() as conn:
        log = SqlAuditLog(conn)
        newest_first = list(log.between(noon, noon + dt.timedelta(1), newest_first=True))
    assert [e.entity_id for e in newest_first] == ["m3", "m2", "m4", "m1"]
    for event in newest_first:
        value = uuid.UUID(hex=event.id)
        assert value.version == 7
        assert value.int >> 80 == int(event.at.timestamp() * 1000)  # its own moment's ms
    # A new event is keyed the new way and still refused an update (append-only).
    with engine.begin() as conn:
        SqlAuditLog(conn).append(
            dataclasses.replace(newest_first[0], id=new_event_id(), entity_id="m5")
        )
    with pytest.raises(sa.exc.DBAPIError), engine.begin() as conn:
        conn.execute(update(audit_events).values(reason="edited"))
    # Down again: numbered in (at, id) order.
    downgrade(engine, "0009_sign_in_failures")
    with engine.connect() as conn:
        numbered = conn.execute(select(old.c.id, old.c.entity_id).order_by(old.c.id)).all()
    assert [r.entity_id for r in numbered] == ["m1", "m4", "m2", "m3", "m5"]
    assert [r.id for r in numbered] == [1, 2, 3, 4, 5]
    engine.dispose()


def test_0012_keeps_members_when_the_pending_terms_go_and_reads_none_pending_after(
    database_url: str, tmp_path: Path
) -> None:
    container = bootstrap(
        Settings(
            database_url=database_url,
            secret_key=SECRET,
            gateway_secret=GATEWAY_SECRET,
            sandbox_db=tmp_path / "sandbox.sqlite",
        ),
        clock=office_clock(),
        hasher=cheap_hasher(),
        provider=RecordingProvider(),
    )
    engine = container.engine
    upgrade(engine)
    open_branch(container)
    member_id = enrol(container, a_worker())
    terms = MemberTerms(2_000_000, ("JKK", "JKM"))
    container.registry.change_terms(CONSOLE, member_id, terms)
    with engine.connect() as conn:
        pending = conn.execute(
            select(members.c.pending_income, members.c.pending_programs, members.c.pending_from)
        ).one()
    assert tuple(pending) == (2_000_000, "JKK,JKM", "2027-01")  # office_clock: December 2026

    downgrade(engine, "0011_audit_event_ids")
    columns = {c["name"] for c in inspect(engine).get_columns("members")}
    assert not {"pending_income", "pending_programs", "pending_from"} & columns
    with engine.connect() as conn:
        kept = conn.execute(sa.text("SELECT id, declared_income, programs FROM members")).one()
    assert tuple(kept) == (member_id, 1_000_000, "JKK,JKM,JHT")

    upgrade(engine)
    with container.uow() as uow:
        member = uow.members.get(member_id)
    assert member is not None
    assert (member.pending, member.pending_from, member.declared_income) == (None, None, 1_000_000)
    engine.dispose()
