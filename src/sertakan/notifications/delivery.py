"""Delivering the outbox: claim the due messages, hand each to the provider, record the answer.

Never twice, as far as an SMS gateway lets us:

1. A worker *claims* a batch in one short transaction (a lease: `claimed_until`) and commits
   before sending; a second worker skips claimed messages, so two workers never hold the same
   message (on PostgreSQL the claim also skips rows another claim has locked).
2. Each message is marked sent in its own short transaction right after the provider accepted
   it, so a crash later in the batch cannot make it look unsent.
3. The provider gets `Message.id`, the same on every attempt, to pass to the gateway as its
   client reference / idempotency key.

The one window left is a crash (or lost connection to the database) after the provider
accepted a message and before it is marked sent: the lease runs out and the message goes
again. Closing it would need the gateway and our database to commit together, which no SMS
gateway offers; a gateway that deduplicates on the message id closes it on its side. Sending
once more in that rare case is better than never sending a code someone waits for.

A failed hand-over is tried again later, after 1, 2, 4, ... minutes (at most 60), and after
`max_attempts` hand-overs the outbox gives up and records when and why (`gave_up_at`).
Attempts are counted when a message is claimed, so a message that crashes its worker every
time is given up too rather than tried forever.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Protocol

from sertakan.kernel.clock import Clock
from sertakan.notifications.model import Message, mask_phone
from sertakan.notifications.ports import Provider

LOGGER = "sertakan.outbox"
MAX_ERROR = 200  # characters of the provider's error kept in the outbox (its column's size)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When to try a failed message again, and when to stop.

    After the n-th failed attempt the next one waits `first_delay * 2**(n-1)`, at most
    `max_delay`; the `max_attempts`-th failure is final. With the defaults: 1, 2, 4, 8, 16,
    32, 60 minutes, then give up after 8 attempts, about two hours after the first.
    """

    first_delay: dt.timedelta = dt.timedelta(minutes=1)
    max_delay: dt.timedelta = dt.timedelta(minutes=60)
    max_attempts: int = 8

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("a message is tried at least once")
        if self.first_delay <= dt.timedelta(0) or self.max_delay < self.first_delay:
            raise ValueError("delays are positive and the first is not above the longest")

    def delay_after(self, attempts: int) -> dt.timedelta:
        """How long to wait after `attempts` failed attempts (1 for the first failure)."""
        if attempts < 1:
            raise ValueError("a delay follows at least one attempt")
        # Doubling stops once past the cap, so a large count cannot overflow the timedelta.
        delay = self.first_delay
        for _ in range(attempts - 1):
            delay *= 2
            if delay >= self.max_delay:
                return self.max_delay
        return min(delay, self.max_delay)

    def retry_at(self, attempts: int, failed_at: dt.datetime) -> dt.datetime | None:
        """When to try again after the `attempts`-th attempt failed at `failed_at`, or None
        when that was the last one allowed."""
        if attempts >= self.max_attempts:
            return None
        return failed_at + self.delay_after(attempts)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A message a worker holds until its lease ends; `attempt` counts this one (1 = first)."""

    message: Message
    attempt: int
    claimed_until: dt.datetime


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # failed this time, to be tried again later
    gave_up: int = 0  # failed for the last time

    def __add__(self, other: DeliveryReport) -> DeliveryReport:
        return DeliveryReport(
            self.sent + other.sent, self.failed + other.failed, self.gave_up + other.gave_up
        )


@dataclass(frozen=True, slots=True)
class PendingCount:
    """The outbox for one template: waiting (`due` of them may go now), tried and failed at
    least once (`retrying`), and given up."""

    template: str
    pending: int
    due: int
    retrying: int
    gave_up: int


class DeliveryQueue(Protocol):
    """The outbox as the delivery worker sees it; each call is its own committed transaction."""

    def claim(self, now: dt.datetime, limit: int, lease: dt.timedelta) -> list[Claimed]:
        """Take up to `limit` due messages, oldest first, for `lease`, and count the attempt.

        Due: not sent, not given up, past `next_attempt_at`, and nobody's lease running. Two
        workers claiming at once get different messages. Committed before it returns.
        """
        ...

    def mark_sent(self, message_id: str, at: dt.datetime) -> None:
        """The provider accepted the message: it is never sent again."""
        ...

    def mark_failed(
        self, message_id: str, at: dt.datetime, error: str, next_attempt_at: dt.datetime | None
    ) -> None:
        """The provider refused: release the lease and try again at `next_attempt_at`, or
        give up (`gave_up_at = at`) when it is None."""
        ...

    def pending_counts(self, now: dt.datetime) -> list[PendingCount]:
        """Per template (those with anything unsent), in template order."""
        ...


class Deliverer:
    """Delivers the due messages of the outbox through one provider.

    Claims `batch` messages at a time so that the lease (`lease`) outlasts the sends of one
    batch, and does not start a send once the lease is about to end (`margin`): what is left
    is claimed again later instead of being sent by two workers.
    """

    def __init__(
        self,
        queue: DeliveryQueue,
        provider: Provider,
        clock: Clock,
        *,
        policy: RetryPolicy | None = None,
        lease: dt.timedelta = dt.timedelta(minutes=5),
        batch: int = 50,
        margin: dt.timedelta = dt.timedelta(seconds=30),
        logger: logging.Logger | None = None,
    ) -> None:
        if batch < 1:
            raise ValueError("a batch holds at least one message")
        if margin >= lease:
            raise ValueError("the safety margin must be shorter than the lease")
        self._queue = queue
        self._provider = provider
        self._clock = clock
        self.policy = policy or RetryPolicy()
        self._lease = lease
        self._batch = batch
        self._margin = margin
        self._log = logger or logging.getLogger(LOGGER)

    def pending(self) -> list[PendingCount]:
        """What waits in the outbox now, per template (`sertakan notifications pending`)."""
        return self._queue.pending_counts(self._clock.now())

    def deliver_due(self, limit: int = 500) -> DeliveryReport:
        """Try up to `limit` due messages, oldest first; returns what happened to them."""
        report = DeliveryReport()
        remaining = limit
        while remaining > 0:
            claimed = self._queue.claim(self._clock.now(), min(self._batch, remaining), self._lease)
            if not claimed:
                break
            tried, outcome = self._deliver_batch(claimed)
            report += outcome
            remaining -= len(claimed)
            if tried < len(claimed):  # the lease ran short: leave the rest to a later run
                break
        return report

    def _deliver_batch(self, claimed: list[Claimed]) -> tuple[int, DeliveryReport]:
        report = DeliveryReport()
        for tried, item in enumerate(claimed):
            if self._clock.now() >= item.claimed_until - self._margin:
                self._log.warning(
                    "outbox: lease ending, %d claimed messages left for a later run",
                    len(claimed) - tried,
                )
                return tried, report
            report += self._deliver_one(item)
        return len(claimed), report

    def _deliver_one(self, item: Claimed) -> DeliveryReport:
        message = item.message
        try:
            self._provider.deliver(message)
        except Exception as error:  # any refusal of the provider is recorded, never fatal
            failed_at = self._clock.now()
            retry_at = self.policy.retry_at(item.attempt, failed_at)
            self._queue.mark_failed(message.id, failed_at, describe_error(error, message), retry_at)
            self._log.warning(
                "outbox: %s to %s failed (attempt %d): %s; %s",
                message.template,
                mask_phone(message.recipient),
                item.attempt,
                describe_error(error, message),
                "giving up" if retry_at is None else f"next try {retry_at.isoformat()}",
            )
            return DeliveryReport(gave_up=1) if retry_at is None else DeliveryReport(failed=1)
        self._queue.mark_sent(message.id, self._clock.now())
        return DeliveryReport(sent=1)


def describe_error(error: BaseException, message: Message) -> str:
    """The provider's error as kept in the outbox and the log: its type and text, without the
    message's body (a code is a secret) or full phone number, cut to the column's size."""
    text = " ".join(str(error).split())
    text = text.replace(message.body, "<body>").replace(
        message.recipient, mask_phone(message.recipient)
    )
    described = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return described[:MAX_ERROR]
