"""The daily job (`sertakan jobs daily --on DATE`): what billing must do each day, in order.

1. Apply the payment notices still pending: a process that died between storing a notice and
   applying it left them (`PaymentService.apply_pending`).
2. Issue the month's invoices: from day 1 of the month on, every day, so a worker enrolled
   since yesterday is billed too (`InvoiceService.issue_month`; a month already billed issues
   nothing again).
3. Cancel the open invoices whose months left the arrears window (`cancel_unpayable`).
4. Queue the reminders due today (`ReminderService.queue`), each at most once.
5. Publish the domain events not yet published (`kernel.events.Publisher`): the reactions
   (a payment's receipt) of every change still waiting, and any that failed before.

A member's status (aktif, menunggak, berakhir) is not stored: it is derived from the months
settled, so steps 1 and 3 are what it depends on. Each step is idempotent and commits in its
own transactions, so the job may be run again the same day, or after a crash half-way, and
changes nothing that is already done. Steps run one after the other; a failing step stops the
job (the next run does the rest).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sertakan.access.actor import Actor
from sertakan.billing.invoicing import InvoiceService, IssueReport
from sertakan.billing.model import NoticeOutcome
from sertakan.billing.payments import PaymentService
from sertakan.billing.reminders import ReminderReport, ReminderService
from sertakan.kernel.events import PublishReport
from sertakan.kernel.periods import Month

NOTICES_PER_BATCH = 1000


@dataclass(frozen=True, slots=True)
class DailyReport:
    on: dt.date
    notices: dict[NoticeOutcome, int]  # pending notices applied, by outcome
    issued: IssueReport
    cancelled: int  # invoices past the arrears window
    reminders: ReminderReport
    events: PublishReport = field(default_factory=PublishReport)

    @property
    def notices_applied(self) -> int:
        return sum(self.notices.values())


def run_daily(
    actor: Actor,
    on: dt.date,
    *,
    invoices: InvoiceService,
    payments: PaymentService,
    reminders: ReminderService,
    publish: Callable[[], PublishReport] | None = None,
) -> DailyReport:
    """Run the day's billing steps for `on` (see the module docstring)."""
    notices = _apply_pending(payments)
    issued = invoices.issue_month(actor, Month.of(on))
    cancelled = invoices.cancel_unpayable(actor, on)
    queued = reminders.queue(actor, on)
    published = publish() if publish is not None else PublishReport()
    return DailyReport(on, notices, issued, cancelled, queued, published)


def _apply_pending(payments: PaymentService) -> dict[NoticeOutcome, int]:
    """Every pending notice, a batch at a time (a full batch means more may wait)."""
    total: dict[NoticeOutcome, int] = {}
    while True:
        counts = payments.apply_pending(NOTICES_PER_BATCH)
        for outcome, count in counts.items():
            total[outcome] = total.get(outcome, 0) + count
        if sum(counts.values()) < NOTICES_PER_BATCH:
            return total
