"""However the gateway delivers its notices, the books end as if each came once (Hypothesis).

The first property draws a few distinct payment notices (the right amount, short, over; for a
sponsor's invoice, a worker's own, a cancelled one, an unknown number; two right payments of
one invoice happen whenever the draw says so) and a delivery schedule with repeats, reorderings
and late re-deliveries. Some deliveries "crash" after the notice is stored (the process dies
before applying it; tests/integration/test_payment_crash.py shows a real kill leaves exactly
that), and the daily job (`apply_pending`) runs at drawn moments and once at the end. Runs of
deliveries arrive "together": one `receive_many` call, as the endpoint's group commit hands
them over under load (a repeat inside the batch included).

The reference: each distinct notice applied once, in the order it was FIRST APPLIED — its
first full delivery, or, if it was left pending, the next job run (which applies the oldest
received first); a batch stores all its notices, then applies the pending ones oldest received
first. Without crashes that is the order of first delivery. The final invoices,
payments, settlements, suspense items and stored outcomes must equal the reference's, and each
call must answer what the reference says (duplicate or not, which outcome and reason).

The second property: cover never extends past what was paid by the moment asked about.

SQLite in a temporary folder: one container per module, its database restored from a
snapshot before each example, so the examples stay fast.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from sertakan.billing.coverage import PROGRAMS, coverage_at
from sertakan.billing.model import (
    Invoice,
    InvoiceStatus,
    NoticeOutcome,
    Settlement,
    SuspenseReason,
    SuspenseStatus,
)
from sertakan.billing.payments import NoticeResult
from sertakan.bootstrap import Container
from sertakan.kernel.clock import WIB
from sertakan.kernel.periods import Month
from sertakan.regulation.loader import Parameters, load_parameters
from sertakan.store.tables import (
    invoices,
    outbox_messages,
    payment_notices,
    payments,
    settlements,
    suspense_items,
)
from tests.support.auth import CONSOLE
from tests.support.builders import OPENED, PAID_AT, an_office
from tests.support.containers import sqlite_container
from tests.support.notices import notice_body, signed

UNKNOWN_NUMBER = "INV-209912-DEADBEEF"
TARGETS = ("sponsor_of_two", "sponsor_of_one", "own", "cancelled", "unknown")
AMOUNTS = {"right": 0, "short": -1_000, "over": 500}


class TickingClock:
    """A second passes whenever the time is read: every notice is received at its own moment,
    so "oldest received first" is one order."""

    def __init__(self, start: dt.datetime) -> None:
        self._now = start

    def now(self) -> dt.datetime:
        self._now += dt.timedelta(seconds=1)
        return self._now

    def today(self) -> dt.date:
        return self._now.date()

    def jump(self, to: dt.datetime) -> None:
        self._now = to


@dataclass(frozen=True)
class Facts:
    """What the test knows of an invoice before any payment."""

    number: str
    total: int
    status: InvoiceStatus
    lines: tuple[tuple[str, str], ...]  # (member_id, month)


@dataclass
class Bank:
    container: Container
    database: Path
    snapshot: Path
    facts: dict[str, Facts]  # by target

    def restore(self) -> None:
        """Back to the snapshot: no notice, payment or suspense item; every invoice as issued."""
        self.container.engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.database}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.snapshot, self.database)


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bank]:
    folder = tmp_path_factory.mktemp("interleavings")
    clock = TickingClock(OPENED)
    with sqlite_container(folder, clock=clock) as container:
        [two] = an_office(container, sponsors=1, workers_each=2).invoices
        one, own, cancelled = an_office(
            container, sponsors=1, workers_each=1, self_paying=2, serial=100
        ).invoices
        with container.uow() as uow:  # the daily job cancelled this one (arrears window)
            uow.invoices.set_status(cancelled.id, InvoiceStatus.CANCELLED, OPENED, "test")
            uow.commit()
        facts = {
            name: _facts(container, invoice)
            for name, invoice in zip(TARGETS, (two, one, own, cancelled), strict=False)
        }
        facts["unknown"] = Facts(UNKNOWN_NUMBER, 50_000, InvoiceStatus.OPEN, ())
        # The notices arrive a day later: every drawn paid-at time is after the invoices were
        # issued and before its notice arrived (`applying.misfit` holds any other).
        clock.jump(OPENED + dt.timedelta(days=1))
        database = folder / "sertakan.db"
        snapshot = folder / "snapshot.db"
        container.engine.dispose()  # the WAL is folded into the file on the last close
        assert not Path(f"{database}-wal").exists()
        shutil.copyfile(database, snapshot)
        yield Bank(container, database, snapshot, facts)


def _facts(container: Container, invoice: Invoice) -> Facts:
    found, lines = container.invoices.invoice(CONSOLE, invoice.id)
    return Facts(
        found.number,
        found.total,
        found.status,
        tuple((line.member_id, str(line.month)) for line in lines),
    )


# -- the draw ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    target: str
    amount: str


@dataclass(frozen=True)
class Step:
    kind: str  # "deliver" | "crash" (stored, then the process died) | "job" (apply_pending)
    notice: int = -1
    together: bool = False  # a delivery in the same batch as the delivery before it


@st.composite
def schedules(draw: st.DrawFn) -> tuple[list[Spec], list[Step]]:
    specs = draw(
        st.lists(
            st.builds(Spec, st.sampled_from(TARGETS), st.sampled_from(sorted(AMOUNTS))),
            min_size=1,
            max_size=6,
        )
    )
    repeats = draw(st.lists(st.integers(0, len(specs) - 1), max_size=2 * len(specs)))
    order = draw(st.permutations([*range(len(specs)), *repeats]))
    steps = [
        Step(draw(st.sampled_from(("deliver", "deliver", "crash"))), i, draw(st.booleans()))
        for i in order
    ]
    for at in draw(st.lists(st.integers(0, len(steps)), max_size=2)):
        steps.insert(at, Step("job"))
    return specs, steps


# -- the reference ----------------------------------------------------------------------------


@dataclass
class Reference:
    """Each distinct notice applied once, in the order it is first applied."""

    facts: dict[str, Facts]
    specs: list[Spec]
    status: dict[str, InvoiceStatus] = field(default_factory=dict)  # by target
    stored: list[int] = field(default_factory=list)  # in the order received
    outcome: dict[int, tuple[NoticeOutcome, SuspenseReason | None]] = field(default_factory=dict)
    paid_by: dict[str, int] = field(default_factory=dict)  # target -> winning notice

    def __post_init__(self) -> None:
        self.status = {target: f.status for target, f in self.facts.items()}

    def store(self, i: int) -> bool:
        """Whether the notice was a repeat."""
        if i in self.stored:
            return True
        self.stored.append(i)
        self.outcome[i] = (NoticeOutcome.PENDING, None)
        return False

    def apply(self, i: int) -> tuple[NoticeOutcome, SuspenseReason | None]:
        if self.outcome[i][0] is not NoticeOutcome.PENDING:
            return self.outcome[i]
        spec = self.specs[i]
        facts = self.facts[spec.target]
        if spec.target == "unknown":
            reason: SuspenseReason | None = SuspenseReason.UNKNOWN_INVOICE
        elif self.status[spec.target] is InvoiceStatus.CANCELLED:
            reason = SuspenseReason.INVOICE_CANCELLED
        elif self.status[spec.target] is InvoiceStatus.PAID:
            reason = SuspenseReason.ALREADY_PAID
        elif amount(facts, spec) != facts.total:
            reason = SuspenseReason.AMOUNT_MISMATCH
        else:
            reason = None
            self.status[spec.target] = InvoiceStatus.PAID
            self.paid_by[spec.target] = i
        outcome = NoticeOutcome.APPLIED if reason is None else NoticeOutcome.SUSPENSE
        self.outcome[i] = (outcome, reason)
        return self.outcome[i]

    def batch(self, notices: list[int]) -> list[tuple[bool, NoticeOutcome, SuspenseReason | None]]:
        """Store each delivery of the batch, then apply the pending ones oldest received
        first: for each delivery, (repeat, outcome, reason)."""
        repeats = [self.store(i) for i in notices]
        for i in sorted(set(notices), key=self.stored.index):
            self.apply(i)
        return [(r, *self.outcome[i]) for r, i in zip(repeats, notices, strict=True)]

    def job(self) -> dict[NoticeOutcome, int]:
        counts: dict[NoticeOutcome, int] = {}
        for i in self.stored:  # oldest received first
            if self.outcome[i][0] is NoticeOutcome.PENDING:
                outcome, _ = self.apply(i)
                counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    def books(self) -> dict[str, object]:
        return {
            "invoices": {self.facts[t].number: s for t, s in self.status.items() if t != "unknown"},
            "notices": {txn(i): self.outcome[i][0] for i in self.stored},
            "payments": {
                (txn(i), self.facts[t].number, self.facts[t].total) for t, i in self.paid_by.items()
            },
            "settlements": {
                (member, month, self.facts[t].number, txn(i), paid_at(i))
                for t, i in self.paid_by.items()
                for member, month in self.facts[t].lines
            },
            "suspense": {
                (txn(i), reason, amount(self.facts[self.specs[i].target], self.specs[i]))
                for i, (outcome, reason) in self.outcome.items()
                if outcome is NoticeOutcome.SUSPENSE
            },
            "receipts": len(self.paid_by),
        }


def txn(i: int) -> str:
    return f"SBX-P-{i}"


def paid_at(i: int) -> dt.datetime:
    return PAID_AT + dt.timedelta(minutes=i)


def amount(facts: Facts, spec: Spec) -> int:
    return facts.total + AMOUNTS[spec.amount]


def _books(bank: Bank) -> dict[str, object]:
    bank.container.publisher.publish()  # the receipts react to the payments' events
    with bank.container.engine.connect() as conn:
        statuses = conn.execute(select(invoices.c.number, invoices.c.status)).all()
        notices = conn.execute(select(payment_notices.c.transaction_id, payment_notices.c.outcome))
        paid = conn.execute(
            select(payments.c.transaction_id, invoices.c.number, payments.c.amount).join(
                invoices, invoices.c.id == payments.c.invoice_id
            )
        ).all()
        settled = conn.execute(
            select(
                settlements.c.member_id,
                settlements.c.month,
                invoices.c.number,
                payments.c.transaction_id,
                settlements.c.settled_at,
            )
            .join(invoices, invoices.c.id == settlements.c.invoice_id)
            .join(payments, payments.c.id == settlements.c.payment_id)
        ).all()
        held = conn.execute(
            select(
                payment_notices.c.transaction_id,
                suspense_items.c.reason,
                suspense_items.c.amount,
                suspense_items.c.status,
            ).join(payment_notices, payment_notices.c.id == suspense_items.c.notice_id)
        ).all()
        receipts = conn.scalars(
            select(outbox_messages.c.id).where(outbox_messages.c.template == "billing.receipt")
        ).all()
    assert {row.status for row in held} <= {SuspenseStatus.OPEN.value}
    return {
        "invoices": {row.number: InvoiceStatus(row.status) for row in statuses},
        "notices": {row.transaction_id: NoticeOutcome(row.outcome) for row in notices},
        "payments": {tuple(row) for row in paid},
        "settlements": {
            (row.member_id, row.month, row.number, row.transaction_id, row.settled_at)
            for row in settled
        },
        "suspense": {(row.transaction_id, SuspenseReason(row.reason), row.amount) for row in held},
        "receipts": len(receipts),
    }


# -- the properties ---------------------------------------------------------------------------


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedules())
def test_any_delivery_schedule_ends_as_each_notice_applied_once_in_first_applied_order(
    bank: Bank, schedule: tuple[list[Spec], list[Step]]
) -> None:
    specs, steps = schedule
    bank.restore()
    payments_ = bank.container.payments
    reference = Reference(bank.facts, specs)
    bodies = [
        notice_body(
            bank.facts[s.target].number, amount(bank.facts[s.target], s), txn(i), paid_at(i)
        )
        for i, s in enumerate(specs)
    ]

    for batch in _batches([*steps, Step("job")]):
        step = batch[0]
        if step.kind == "job":
            assert payments_.apply_pending() == reference.job()
        elif step.kind == "crash":
            body = bodies[step.notice]
            repeat = reference.store(step.notice)
            stored, duplicate = payments_.store(body, signed(body))
            assert duplicate is repeat
            assert stored.outcome is reference.outcome[step.notice][0]
        else:
            results = payments_.receive_many(
                [(bodies[s.notice], signed(bodies[s.notice])) for s in batch]
            )
            answers = []
            for result in results:
                assert isinstance(result, NoticeResult), result
                answers.append((result.duplicate, result.outcome, result.reason))
            assert answers == reference.batch([s.notice for s in batch])

    assert _books(bank) == reference.books()


def _batches(steps: list[Step]) -> Iterator[list[Step]]:
    """Consecutive deliveries drawn `together` form one batch; any other step is alone."""
    batch: list[Step] = []
    for step in steps:
        if batch and not (step.kind == "deliver" and step.together):
            yield batch
            batch = []
        batch.append(step)
        if step.kind != "deliver":
            yield batch
            batch = []
    if batch:
        yield batch


@st.composite
def histories(draw: st.DrawFn) -> tuple[dt.date, list[Settlement], str, dt.datetime]:
    enrolled_on = draw(st.dates(dt.date(2024, 1, 1), dt.date(2026, 6, 30)))
    start = Month.of(enrolled_on)
    settled: list[Settlement] = []
    for k in draw(st.lists(st.integers(0, 23), unique=True, max_size=14)):
        month = start.plus(k)
        # Paid up to two months ahead, or up to five months late (arrears, or beyond them).
        hours = draw(st.integers(-60 * 24, 150 * 24))
        moment = dt.datetime.combine(month.first_day, dt.time(0), tzinfo=WIB)
        programs = draw(st.sampled_from([("JKK", "JKM"), ("JKK", "JKM", "JHT")]))
        settled.append(
            Settlement(
                "m1", month, "inv", "pay", programs, 16_800, moment + dt.timedelta(hours=hours)
            )
        )
    program = draw(st.sampled_from(PROGRAMS))
    since = dt.datetime.combine(enrolled_on, dt.time(0), tzinfo=WIB)
    at = since + dt.timedelta(minutes=draw(st.integers(-30 * 24 * 60, 800 * 24 * 60)))
    return enrolled_on, settled, program, at


PARAMS: Parameters = load_parameters()


@settings(max_examples=200, deadline=None)
@given(histories())
def test_cover_never_extends_past_what_was_paid_by_the_moment_asked(
    history: tuple[dt.date, list[Settlement], str, dt.datetime],
) -> None:
    enrolled_on, settled, program, at = history

    cover = coverage_at(
        PARAMS, enrolled_on=enrolled_on, settlements=settled, program=program, at=at
    )

    month = Month.of(at.astimezone(WIB).date())
    paid_by_then = {s.month: s for s in settled if s.settled_at <= at}
    this = paid_by_then.get(month)
    covers = at.date() >= enrolled_on and this is not None and program in this.programs
    assert cover.covered is covers
    if cover.protected_until is not None:
        last = Month.of(cover.protected_until)
        assert cover.protected_until == last.last_day
        assert month <= last
        m = month
        while m <= last:  # every month up to it had settled by then
            assert m in paid_by_then
            m = m.next()
        assert last.next() not in paid_by_then  # and it stops where the paid run stops
    elif this is not None and at.date() >= enrolled_on:
        pytest.fail("the event's month had settled, yet no protection was reported")
