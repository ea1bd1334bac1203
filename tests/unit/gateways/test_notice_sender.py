"""The sandbox delivers each notice like a real gateway: in the background, retried with a
growing wait until the app answers 2xx, given up after the last attempt, duplicated on demand."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from sertakan.billing.signatures import SIGNATURE_HEADER
from sertakan.gateways.notice_sender import NoticeSender, RetryPolicy, SignedNotice
from tests.support.sandbox import NoticeInbox

URL = "http://sertakan.test/api/v1/payments/notifications"
NOTICE = SignedNotice("SBX-0001", b'{"transaction_id":"SBX-0001"}', "sha256=" + "ab" * 32)
FAST = RetryPolicy(attempts=5, first_backoff=0.01, max_backoff=0.05)

MakeSender = Callable[..., NoticeSender]


@pytest.fixture
def make_sender() -> Iterator[MakeSender]:
    made: list[NoticeSender] = []

    def make(handler: Callable[[httpx.Request], httpx.Response], **options: object) -> NoticeSender:
        options.setdefault("retry", FAST)
        sender = NoticeSender(URL, transport=httpx.MockTransport(handler), **options)  # type: ignore[arg-type]
        made.append(sender)
        return sender

    yield make
    for sender in made:
        sender.close()


def test_a_notice_failing_twice_with_503_is_delivered_on_the_third_attempt(
    make_sender: MakeSender,
) -> None:
    inbox = NoticeInbox([503, 503, 200])
    sender = make_sender(inbox)

    sender.send(NOTICE)

    assert sender.flush(5)
    assert len(inbox.requests) == 3
    (outcome,) = sender.outcomes
    assert (outcome.attempts, outcome.status_code, outcome.delivered) == (3, 200, True)


def test_the_wait_between_attempts_doubles_from_the_first_backoff() -> None:
    policy = RetryPolicy(attempts=10, first_backoff=0.5, max_backoff=30)

    assert [policy.backoff(n) for n in range(1, 9)] == [0.5, 1, 2, 4, 8, 16, 30, 30]


def test_a_retry_waits_at_least_its_backoff(make_sender: MakeSender) -> None:
    seen: list[float] = []
    inbox = NoticeInbox([503, 503, 200])

    def timed(request: httpx.Request) -> httpx.Response:
        seen.append(time.monotonic())
        return inbox(request)

    sender = make_sender(timed, retry=RetryPolicy(attempts=3, first_backoff=0.03))
    sender.send(NOTICE)

    assert sender.flush(5)
    assert seen[1] - seen[0] >= 0.03
    assert seen[2] - seen[1] >= 0.06


def test_the_sender_gives_up_after_the_last_attempt(make_sender: MakeSender) -> None:
    inbox = NoticeInbox([503] * 10)
    sender = make_sender(inbox, retry=RetryPolicy(attempts=4, first_backoff=0.001))

    sender.send(NOTICE)

    assert sender.flush(5)
    assert len(inbox.requests) == 4
    (outcome,) = sender.outcomes
    assert (outcome.attempts, outcome.status_code, outcome.delivered) == (4, 503, False)


def test_an_app_that_cannot_be_reached_is_tried_again(make_sender: MakeSender) -> None:
    calls: list[httpx.Request] = []

    def down_then_up(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(204)

    sender = make_sender(down_then_up)
    sender.send(NOTICE)

    assert sender.flush(5)
    assert len(calls) == 2
    assert sender.outcomes[0].delivered


@pytest.mark.parametrize("status", [400, 401, 422, 500])
def test_any_answer_outside_2xx_counts_as_not_delivered(
    make_sender: MakeSender, status: int
) -> None:
    inbox = NoticeInbox([status])
    sender = make_sender(inbox)

    sender.send(NOTICE)

    assert sender.flush(5)
    assert len(inbox.requests) == 2


def test_the_notice_is_posted_as_signed_json_with_its_exact_bytes(make_sender: MakeSender) -> None:
    inbox = NoticeInbox()
    sender = make_sender(inbox)

    sender.send(NOTICE)

    assert sender.flush(5)
    (request,) = inbox.requests
    assert request.method == "POST"
    assert str(request.url) == URL
    assert request.content == NOTICE.body
    assert request.headers[SIGNATURE_HEADER] == NOTICE.signature
    assert request.headers["content-type"] == "application/json"


def test_the_duplicates_knob_sends_each_notice_that_many_extra_times(
    make_sender: MakeSender,
) -> None:
    inbox = NoticeInbox()
    sender = make_sender(inbox, duplicates=2)

    sender.send(NOTICE)

    assert sender.flush(5)
    assert inbox.bodies == [NOTICE.body] * 3
    assert sorted(o.copy for o in sender.outcomes) == [0, 1, 2]


def test_the_delay_knob_holds_the_notice_back(make_sender: MakeSender) -> None:
    seen: list[float] = []

    def timed(request: httpx.Request) -> httpx.Response:
        seen.append(time.monotonic())
        return httpx.Response(200)

    sender = make_sender(timed, delay_seconds=0.05)
    sent_at = time.monotonic()
    sender.send(NOTICE)

    assert sender.flush(5)
    assert seen[0] - sent_at >= 0.05


def test_send_returns_at_once_while_the_app_is_still_answering(make_sender: MakeSender) -> None:
    release = threading.Event()

    def slow(request: httpx.Request) -> httpx.Response:
        release.wait(5)
        return httpx.Response(200)

    sender = make_sender(slow)
    sender.send(NOTICE)

    assert sender.flush(0.05) is False  # still being delivered
    assert sender.outcomes == []
    release.set()
    assert sender.flush(5)
    assert sender.outcomes[0].delivered


def test_a_notice_waiting_for_its_retry_does_not_hold_back_the_next(
    make_sender: MakeSender,
) -> None:
    def fails_first(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503 if b"SBX-0001" in request.content else 200)

    sender = make_sender(fails_first, retry=RetryPolicy(attempts=3, first_backoff=0.1))
    sender.send(NOTICE)
    sender.send(SignedNotice("SBX-0002", b'{"transaction_id":"SBX-0002"}', NOTICE.signature))

    assert sender.flush(5)
    assert [o.reference for o in sender.outcomes] == ["SBX-0002", "SBX-0001"]


def test_every_attempt_is_logged(make_sender: MakeSender, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="sertakan.gateways")
    sender = make_sender(NoticeInbox([503, 200]))

    sender.send(NOTICE)

    assert sender.flush(5)
    attempts = [r.getMessage() for r in caplog.records if "attempt" in r.getMessage()]
    assert attempts == [
        "notice SBX-0001 copy 0 attempt 1/5: HTTP 503",
        "notice SBX-0001 copy 0 attempt 2/5: HTTP 200",
    ]


def test_a_starlette_test_client_can_stand_in_for_the_network() -> None:
    received: list[bytes] = []
    app = FastAPI()

    @app.post("/api/v1/payments/notifications")
    async def notice(request: Request) -> dict[str, str]:
        received.append(await request.body())
        return {"outcome": "applied"}

    with TestClient(app) as client:
        sender = NoticeSender("/api/v1/payments/notifications", retry=FAST, client=client)
        sender.send(NOTICE)
        assert sender.flush(5)
        sender.close()

    assert received == [NOTICE.body]
    assert sender.outcomes[0].status_code == 200


@pytest.mark.parametrize("options", [{"duplicates": -1}, {"delay_seconds": -0.1}])
def test_negative_chaos_knobs_are_refused(options: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="negative"):
        NoticeSender(URL, **options)  # type: ignore[arg-type]


def test_a_retry_policy_makes_at_least_one_attempt() -> None:
    with pytest.raises(ValueError, match="at least one attempt"):
        RetryPolicy(attempts=0)
