"""What the server does by itself while it runs: publish the domain events, deliver the
outbox, and run the daily job.

A branch that only runs `make run` (`sertakan serve`) still gets its receipts, sign-in codes
resent, reminders and cancellations: an APScheduler `BackgroundScheduler` in the server's
process runs

- the publisher of domain events (`kernel.events.Publisher`) right after a unit of work that
  recorded events commits (the container's doorbell reschedules the job to now: the request
  that committed does not wait for it), and every `outbox_interval_seconds` for the events a
  ring missed or a handler failed on, one run at a time;
- the outbox delivery (`notifications.delivery.Deliverer`) every `outbox_interval_seconds`
  (60 by default), one run at a time, and
- the daily billing job (`billing.daily.run_daily`) every day at `daily_job_at` WIB (07:00 by
  default: reminders reach phones in the morning, not at night), and once at start-up, so a
  server that was down at that hour still does the day's work. The daily job is idempotent
  (each step does only what is not yet done, see `billing.daily`), so the start-up run after
  a day already done changes nothing.

It starts and stops with the app's lifespan, and only when the app is built with
`background_jobs=True`, which `sertakan serve` does unless `SERTAKAN_SCHEDULER=false`. Tests,
benches and `uvicorn sertakan.app:create_app --factory` get no scheduler unless they ask:
several server processes would each run one (harmless — the outbox is claimed per message and
the daily job is idempotent — but wasteful); such deployments turn it off and run
`sertakan notifications deliver --loop` and `sertakan jobs daily` (cron) instead, which stay
for operators anyway.

Nothing personal is logged: counts only (no phone, name or text).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

# APScheduler 3 ships no type information.
from apscheduler.schedulers.background import (  # type: ignore[import-untyped]
    BackgroundScheduler,
)
from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]
from apscheduler.triggers.interval import IntervalTrigger  # type: ignore[import-untyped]

from sertakan.access.actor import Actor
from sertakan.billing.daily import DailyReport, run_daily
from sertakan.billing.reminders import ReminderService
from sertakan.bootstrap import Container
from sertakan.kernel.clock import WIB
from sertakan.kernel.events import PublishReport
from sertakan.notifications.delivery import Deliverer, DeliveryReport

log = logging.getLogger("sertakan.scheduler")
# The server's own jobs are audited like the console's operator, as role "system".
SCHEDULER = Actor.console("scheduler")
OUTBOX_JOB = "outbox"
EVENTS_JOB = "events"
DAILY_JOB = "daily"
STARTUP_DAILY_JOB = "daily-at-start"
DELIVER_LIMIT = 500  # messages per outbox run, as `notifications deliver`


def deliverer_for(container: Container) -> Deliverer:
    """The outbox worker over the container's database, provider and clock."""
    return container.delivery


def reminders_for(container: Container) -> ReminderService:
    """The reminder service over the container's database, parameters and clock."""
    return container.reminders


def daily_job(container: Container, actor: Actor, on: dt.date | None = None) -> DailyReport:
    """The day's billing steps (`billing.daily`) for `on`, by default today by the container's
    clock."""
    return run_daily(
        actor,
        on or container.clock.today(),
        invoices=container.invoices,
        payments=container.payments,
        reminders=reminders_for(container),
        publish=container.publisher.publish,
    )


class BackgroundJobs:
    """The server's scheduler: `start()` when the app starts, `stop()` when it stops."""

    def __init__(self, container: Container) -> None:
        settings = container.settings
        self.container = container
        self.last_daily: DailyReport | None = None  # the latest daily run's report, if any
        self.scheduler = BackgroundScheduler(timezone=WIB)
        self._ring_lock = threading.Lock()
        self._rung = False  # the doorbell rang since the publish job's last round began
        self._publishing = False
        # One run of each job at a time; runs missed while one was busy are merged into one.
        defaults = {"max_instances": 1, "coalesce": True}
        self.scheduler.add_job(
            self.deliver_outbox,
            IntervalTrigger(seconds=settings.outbox_interval_seconds, timezone=WIB),
            id=OUTBOX_JOB,
            next_run_time=dt.datetime.now(WIB),  # at once, then every interval
            **defaults,
        )
        self.scheduler.add_job(
            self.publish_events,
            IntervalTrigger(seconds=settings.outbox_interval_seconds, timezone=WIB),
            id=EVENTS_JOB,
            next_run_time=dt.datetime.now(WIB),
            **defaults,
        )
        at = settings.daily_job_at
        self.scheduler.add_job(
            self.run_daily,
            CronTrigger(hour=at.hour, minute=at.minute, timezone=WIB),
            id=DAILY_JOB,
            misfire_grace_time=3600,  # a server busy at that minute still runs it
            **defaults,
        )
        self.scheduler.add_job(
            self.run_daily, id=STARTUP_DAILY_JOB, next_run_time=dt.datetime.now(WIB)
        )

    def start(self) -> None:
        self.scheduler.start()
        self.container.doorbell.listen(self.publish_soon)
        log.info(
            "scheduler started: outbox every %g s, daily job at %s WIB and now",
            self.container.settings.outbox_interval_seconds,
            self.container.settings.daily_job_at.strftime("%H:%M"),
        )

    def stop(self) -> None:
        """Stop scheduling and wait for a job that is running to finish (its work commits in
        its own transactions, so the wait is short)."""
        self.container.doorbell.listen(None)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)

    def publish_soon(self) -> None:
        """Run the publish job now (the doorbell: events were just committed). Cheap: it only
        reschedules the job. While a run is going, the ring just asks it for one more round
        (rescheduling then would only be refused as a second instance)."""
        with self._ring_lock:
            self._rung = True
            if self._publishing:
                return
        if self.scheduler.running:
            self.scheduler.modify_job(EVENTS_JOB, next_run_time=dt.datetime.now(WIB))

    def publish_events(self) -> PublishReport:
        """Hand the unpublished domain events to their handlers (as `events publish`), again
        while rings came during the run."""
        published = failed = 0
        with self._ring_lock:
            self._publishing = True
        try:
            while True:
                with self._ring_lock:
                    self._rung = False
                report = self.container.publisher.publish()
                published, failed = published + report.published, failed + report.failed
                with self._ring_lock:
                    if not self._rung:
                        return PublishReport(published, failed)
        finally:
            with self._ring_lock:
                self._publishing = False

    def deliver_outbox(self) -> DeliveryReport:
        """Send what is due in the outbox (the same worker as `notifications deliver`)."""
        report = deliverer_for(self.container).deliver_due(DELIVER_LIMIT)
        if report != DeliveryReport():
            log.info(
                "outbox: sent %d, failed %d, gave up %d", report.sent, report.failed, report.gave_up
            )
        return report

    def run_daily(self) -> DailyReport:
        """Today's daily job (the same as `jobs daily`)."""
        report = daily_job(self.container, SCHEDULER)
        self.last_daily = report
        log.info(
            "daily job for %s: %d notices applied, %d invoices issued, %d cancelled, "
            "%d reminders queued",
            report.on.isoformat(),
            report.notices_applied,
            report.issued.invoices,
            report.cancelled,
            report.reminders.queued,
        )
        return report
