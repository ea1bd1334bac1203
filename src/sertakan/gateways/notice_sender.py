"""Delivering signed payment notices the way a gateway does: in the background, again and
again until the app answers 2xx, waiting longer after each failure.

`NoticeSender.send` only queues the notice, so the payer's page answers at once; a daemon
thread posts it. A failed attempt (no answer, or any status outside 2xx) is tried again after
`RetryPolicy.backoff` (0.5 s, 1 s, 2 s, 4 s ... capped) until `RetryPolicy.attempts` have been
made; a notice waiting for its retry does not hold back the others. Two chaos knobs behave like
real networks: `duplicates` sends each notice that many extra times, `delay_seconds` holds every
notice back before its first attempt. Each attempt is logged; `outcomes` keeps the last results
and `flush` waits until everything queued is delivered or given up (for tests and the CLI).
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass, field

import httpx

from sertakan.billing.signatures import SIGNATURE_HEADER

log = logging.getLogger("sertakan.gateways.sandbox")

KEPT_OUTCOMES = 1000


@dataclass(frozen=True, slots=True)
class SignedNotice:
    reference: str  # the gateway's transaction id, for the logs
    body: bytes  # exactly the bytes the signature covers
    signature: str  # the header value, "sha256=<hex>"


@dataclass(frozen=True, slots=True)
class Delivery:
    """How one copy of a notice ended."""

    reference: str
    copy: int  # 0 for the notice itself, 1.. for the deliberate duplicates
    attempts: int
    status_code: int | None  # the last answer; None when the app could not be reached
    delivered: bool


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 8
    first_backoff: float = 0.5  # seconds
    max_backoff: float = 60.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.first_backoff < 0 or self.max_backoff < 0:
            raise ValueError("a retry policy makes at least one attempt and never waits < 0 s")

    def backoff(self, failed_attempts: int) -> float:
        """Seconds to wait after the `failed_attempts`-th failure: doubling, capped."""
        return min(self.first_backoff * 2.0 ** (failed_attempts - 1), self.max_backoff)


@dataclass(order=True)
class _Job:
    due: float  # time.monotonic() at which to try
    seq: int  # ties keep the order notices were sent in
    notice: SignedNotice | None = field(compare=False)  # None: stop the worker
    copy: int = field(default=0, compare=False)
    attempts: int = field(default=0, compare=False)  # made so far


class NoticeSender:
    """Posts signed notices to `notify_url` from one daemon thread, started on first use.

    Pass `client` (any `httpx.Client`, a Starlette `TestClient` included) or `transport` (e.g.
    `httpx.MockTransport`) to deliver without the network."""

    def __init__(
        self,
        notify_url: str,
        *,
        retry: RetryPolicy | None = None,
        duplicates: int = 0,
        delay_seconds: float = 0.0,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout_seconds: float = 10.0,
    ) -> None:
        if duplicates < 0 or delay_seconds < 0:
            raise ValueError("duplicates and delay_seconds cannot be negative")
        self.notify_url = notify_url
        self.retry = retry or RetryPolicy()
        self.duplicates = duplicates
        self.delay_seconds = delay_seconds
        self._client = client
        self._owns_client = client is None
        self._transport = transport
        self._timeout = timeout_seconds
        self._queue: queue.PriorityQueue[_Job] = queue.PriorityQueue()
        self._wakeup = threading.Event()
        self._idle = threading.Condition()
        self._unfinished = 0
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None
        self._outcomes: deque[Delivery] = deque(maxlen=KEPT_OUTCOMES)

    def send(self, notice: SignedNotice) -> None:
        """Queue the notice (and its duplicates); returns at once."""
        copies = 1 + self.duplicates
        with self._idle:
            self._unfinished += copies
            self._start()
        due = time.monotonic() + self.delay_seconds
        for copy in range(copies):
            self._put(_Job(due, next(self._seq), notice, copy))

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued notice is delivered or given up; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._unfinished == 0, timeout)

    @property
    def outcomes(self) -> list[Delivery]:
        """The last deliveries, oldest first."""
        with self._idle:
            return list(self._outcomes)

    def close(self) -> None:
        """Stop the worker (what is still queued is dropped) and close our own client."""
        if self._thread is not None:
            self._put(_Job(float("-inf"), -1, None))
            self._thread.join(timeout=5)
            self._thread = None
        if self._owns_client and self._client is not None:
            self._client.close()
            self._client = None

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sandbox-notices", daemon=True)
            self._thread.start()

    def _put(self, job: _Job) -> None:
        self._queue.put(job)
        self._wakeup.set()

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job.notice is None:
                return
            wait = job.due - time.monotonic()
            if wait > 0:  # the earliest job is not due: sleep until it is, or a new one comes
                self._queue.put(job)
                self._wakeup.wait(wait)
                self._wakeup.clear()
                continue
            self._attempt(job, job.notice)

    def _attempt(self, job: _Job, notice: SignedNotice) -> None:
        attempts = job.attempts + 1
        status: int | None = None
        try:
            response = self._http().post(
                self.notify_url,
                content=notice.body,
                headers={"Content-Type": "application/json", SIGNATURE_HEADER: notice.signature},
            )
            status = response.status_code
        except Exception as error:  # any failure to deliver is retried, never kills the worker
            log.warning(
                "notice %s copy %d attempt %d/%d: not delivered (%s)",
                notice.reference,
                job.copy,
                attempts,
                self.retry.attempts,
                error,
            )
        delivered = status is not None and 200 <= status < 300
        if status is not None:
            log.log(
                logging.INFO if delivered else logging.WARNING,
                "notice %s copy %d attempt %d/%d: HTTP %d",
                notice.reference,
                job.copy,
                attempts,
                self.retry.attempts,
                status,
            )
        if delivered or attempts >= self.retry.attempts:
            if not delivered:
                log.error(
                    "notice %s copy %d: given up after %d attempts",
                    notice.reference,
                    job.copy,
                    attempts,
                )
            self._finish(Delivery(notice.reference, job.copy, attempts, status, delivered))
            return
        due = time.monotonic() + self.retry.backoff(attempts)
        self._put(_Job(due, next(self._seq), notice, job.copy, attempts))

    def _finish(self, outcome: Delivery) -> None:
        with self._idle:
            self._outcomes.append(outcome)
            self._unfinished -= 1
            if self._unfinished == 0:
                self._idle.notify_all()

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(transport=self._transport, timeout=self._timeout)
        return self._client
