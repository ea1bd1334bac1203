"""Reminders to phones, in Bahasa Indonesia, queued by the daily job (issue 6).

Three kinds, each sent at most once:

* **due soon** — an open invoice whose due date is within the next `DUE_SOON_DAYS` days
  (due 15 Dec: sent on 12 Dec), to the payer's phone (the sponsor, or the self-paying worker);
* **unpaid on due date** — an open invoice on its due date, to the payer's phone;
* **cover ending** — a member whose last paid month ends within `COVER_ENDING_DAYS` days and
  whose next month is neither paid nor prepaid, to the member's own phone. A sponsored worker's
  sponsor is not sent this one: the sponsor hears of the next month through that month's
  invoice (due soon, unpaid on due date), and the worker should know their own cover.

The day counts are this project's policy, not the law's (the regulation sets the due date,
`bpu/payment_deadline.yaml`, and says nothing of reminders), so they are constants here, not
parameters.

"At most once" is the store's: each reminder is a row of `reminders_sent` keyed by kind,
subject (the invoice, or the member) and month, inserted only if absent, and its message goes
into the outbox in the same transaction as that row. Two runs, or two jobs at once, queue it
once; the outbox worker (`sertakan notifications deliver`) sends it.

A day the job did not run is caught up: "due soon" looks at the whole window ahead, "cover
ending" at the whole end of the month, and "unpaid on due date" at due dates up to
`CATCH_UP_DAYS` days back (not further: the first run on an old database must not text
every payer in arrears).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from sertakan.access.actor import Actor
from sertakan.access.permissions import Permission
from sertakan.audit.ports import AuditingUnitOfWork
from sertakan.kernel.clock import Clock
from sertakan.kernel.errors import ParameterMissing, RuleViolation
from sertakan.kernel.ids import new_id
from sertakan.kernel.periods import Month
from sertakan.notifications import templates
from sertakan.notifications.model import Message
from sertakan.notifications.ports import Outbox
from sertakan.registry.guard import Guard
from sertakan.registry.model import Member
from sertakan.registry.occupations import occupation
from sertakan.registry.ports import MemberRepository
from sertakan.regulation.contributions import quote_bpu
from sertakan.regulation.loader import Parameters

# Project policy (not law): how many days ahead a payer is reminded of a due date, and how many
# days before the end of the last paid month a worker is told their cover is ending.
DUE_SOON_DAYS = 3
COVER_ENDING_DAYS = 5
# A due date the job missed (it did not run that day) is still announced this many days late.
CATCH_UP_DAYS = 3
PAGE = 500  # reminders queued per transaction


class ReminderKind(StrEnum):
    DUE_SOON = "due_soon"
    UNPAID_ON_DUE = "unpaid_on_due"
    COVER_ENDING = "cover_ending"


@dataclass(frozen=True, slots=True)
class DueInvoice:
    """An open invoice as a reminder needs it: what the text says and whose phone it goes to."""

    id: str
    number: str
    month: Month
    due_on: dt.date
    total: int
    workers: int  # distinct members on it
    payer_phone: str | None  # the sponsor's, or the self-paying member's; None if not found


@dataclass
class ReminderReport:
    on: dt.date
    due_soon: int = 0
    unpaid_on_due: int = 0
    cover_ending: int = 0
    already_sent: int = 0  # another run queued it first (between our read and our write)
    without_phone: int = 0  # recorded as done, no message: the payer was not found
    refused: dict[str, int] = field(default_factory=dict)  # no amount for the next month

    @property
    def queued(self) -> int:
        return self.due_soon + self.unpaid_on_due + self.cover_ending


class ReminderRepository(Protocol):
    def record(
        self,
        kind: ReminderKind,
        subject_id: str,
        month: Month,
        message_id: str | None,
        at: dt.datetime,
    ) -> bool:
        """Insert the reminder's key if absent; True when this call inserted it (the message
        is then to be queued in the same transaction), False when it was there already."""
        ...

    def invoices_due(
        self,
        kind: ReminderKind,
        first: dt.date,
        last: dt.date,
        after: str | None,
        limit: int,
    ) -> list[DueInvoice]:
        """Open invoices due from `first` to `last` (inclusive) not yet reminded of with
        `kind`, in id order after `after` (keyset paging)."""
        ...

    def covers_ending(self, month: Month, after: str | None, limit: int) -> list[str]:
        """Ids of members with `month` paid, the month after it not paid, and no cover-ending
        reminder for `month` yet, in id order after `after`."""
        ...


class ReminderUnitOfWork(AuditingUnitOfWork, Protocol):
    """What queueing reminders reaches: the due invoices' selection, the members it writes
    to, and the outbox the reminders wait in."""

    @property
    def reminders(self) -> ReminderRepository: ...

    @property
    def members(self) -> MemberRepository: ...

    @property
    def outbox(self) -> Outbox: ...


# -- the selection rules (pure) -------------------------------------------------------------------


def due_soon_window(on: dt.date) -> tuple[dt.date, dt.date]:
    """Due dates that get a "due soon" reminder on `on`: tomorrow up to `DUE_SOON_DAYS` ahead."""
    return on + dt.timedelta(days=1), on + dt.timedelta(days=DUE_SOON_DAYS)


def unpaid_window(on: dt.date) -> tuple[dt.date, dt.date]:
    """Due dates that get an "unpaid on due date" reminder on `on`: `on` itself, and the few
    days before it a missed run would have covered."""
    return on - dt.timedelta(days=CATCH_UP_DAYS), on


def cover_ending_month(on: dt.date) -> Month | None:
    """The month whose end is near on `on` (the current month, in its last `COVER_ENDING_DAYS`
    days and its last day), or None earlier in the month."""
    month = Month.of(on)
    return month if (month.last_day - on).days <= COVER_ENDING_DAYS else None


def first_name(full_name: str) -> str:
    parts = full_name.split()
    return parts[0] if parts else ""


# -- the service ----------------------------------------------------------------------------------


class ReminderService:
    def __init__(
        self,
        uow: Callable[[], ReminderUnitOfWork],
        params: Parameters,
        clock: Clock,
        ids: Callable[[], str] = new_id,
    ) -> None:
        self._uow = uow
        self._params = params
        self._clock = clock
        self._guard = Guard(uow, clock)
        self._new_id = ids

    def queue(self, actor: Actor, on: dt.date) -> ReminderReport:
        """Queue every reminder due on `on` that was not queued before; idempotent."""
        self._guard.require(actor, Permission.BILLING_RUN, "reminders", on.isoformat())
        report = ReminderReport(on)
        first, last = due_soon_window(on)
        self._invoices(ReminderKind.DUE_SOON, first, last, report)
        first, last = unpaid_window(on)
        self._invoices(ReminderKind.UNPAID_ON_DUE, first, last, report)
        month = cover_ending_month(on)
        if month is not None:
            self._covers(month, report)
        return report

    def _invoices(
        self, kind: ReminderKind, first: dt.date, last: dt.date, report: ReminderReport
    ) -> None:
        after: str | None = None
        while True:
            with self._uow() as uow:
                due = uow.reminders.invoices_due(kind, first, last, after, PAGE)
                if not due:
                    break
                after = due[-1].id
                for invoice in due:
                    message = self._invoice_message(kind, invoice)
                    self._queue(uow, kind, invoice.id, invoice.month, message, report)
                uow.commit()

    def _covers(self, month: Month, report: ReminderReport) -> None:
        kind = ReminderKind.COVER_ENDING
        after: str | None = None
        while True:
            with self._uow() as uow:
                member_ids = uow.reminders.covers_ending(month, after, PAGE)
                if not member_ids:
                    break
                after = member_ids[-1]
                for member_id in member_ids:
                    member = uow.members.get(member_id)
                    message = None
                    if member is not None:
                        try:
                            message = self._cover_message(member, month)
                        except (RuleViolation, ParameterMissing) as refused:
                            # No amount to tell: leave it unrecorded, a later run may manage.
                            reason = _reason(refused)
                            report.refused[reason] = report.refused.get(reason, 0) + 1
                            continue
                    self._queue(uow, kind, member_id, month, message, report)
                uow.commit()

    def _queue(
        self,
        uow: ReminderUnitOfWork,
        kind: ReminderKind,
        subject_id: str,
        month: Month,
        message: Message | None,
        report: ReminderReport,
    ) -> None:
        """The key row, and the message with it; nothing when the key was there already."""
        message_id = message.id if message is not None else None
        if not uow.reminders.record(kind, subject_id, month, message_id, self._clock.now()):
            report.already_sent += 1
            return
        if message is None:
            report.without_phone += 1
            return
        uow.outbox.add(message)
        if kind is ReminderKind.DUE_SOON:
            report.due_soon += 1
        elif kind is ReminderKind.UNPAID_ON_DUE:
            report.unpaid_on_due += 1
        else:
            report.cover_ending += 1

    def _invoice_message(self, kind: ReminderKind, invoice: DueInvoice) -> Message | None:
        if invoice.payer_phone is None:
            return None
        if kind is ReminderKind.DUE_SOON:
            template = templates.INVOICE_DUE_SOON
            body = templates.invoice_due_soon(
                invoice.number, invoice.total, invoice.due_on, max(invoice.workers, 1)
            )
        else:
            template = templates.INVOICE_UNPAID
            body = templates.invoice_unpaid_on_due(invoice.number, invoice.total, invoice.due_on)
        return self._message(invoice.payer_phone, template, body)

    def _cover_message(self, member: Member, month: Month) -> Message:
        """What the member pays for the month after `month`: the same quote an invoice for it
        would carry (`InvoiceService`: the regulation on that month's first day)."""
        following = month.next()
        terms = member.terms_in(following)
        quote = quote_bpu(
            self._params,
            declared_income=terms.declared_income,
            on=following.first_day,
            programs=terms.programs,
            sector=occupation(member.occupation).sector,
            publicly_funded=member.publicly_funded,
        )
        body = templates.cover_ending(first_name(member.full_name), month.last_day, quote.total)
        return self._message(member.phone, templates.COVER_ENDING, body)

    def _message(self, phone: str, template: str, body: str) -> Message:
        return Message(self._new_id(), "sms", phone, template, body, self._clock.now())


def _reason(refused: RuleViolation | ParameterMissing) -> str:
    if isinstance(refused, ParameterMissing):
        return f"{refused.parameter}: not in the parameters yet"
    return ", ".join(sorted({v.rule for v in refused.violations}))
