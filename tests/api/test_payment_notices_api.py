"""`POST /api/v1/payments/notifications`: the gateway's callback, called as the gateway calls it
(nobody signed in, no CSRF token: the HMAC signature over the raw body is the proof).

The issue's "Bad input" list, each with its own answer, recorded, losing no money: a forged or
missing signature (401, kept in `rejected_notices`, audited as denied, nothing settled), a
replay (one settlement, the repeat answers 200 `duplicate`), a wrong amount, an unknown or
cancelled invoice, a month already paid (200, the money waits in the suspense list), and a
malformed body (422 naming the field, kept too).

The app's clock is pinned to 2026-11-25 09:00 WIB (tests/api/conftest.py); the office
(tests/support/api_office.py) is enrolled that day and November 2026 is issued.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sertakan.app import create_app
from sertakan.billing.model import PayerKind
from sertakan.bootstrap import Container
from sertakan.kernel.clock import WIB
from sertakan.registry.nik import build_nik
from sertakan.store.tables import (
    audit_events,
    payments,
    rejected_notices,
    settlements,
    suspense_items,
)
from tests.support.api_office import NOVEMBER, PAID_AT, Office, open_office
from tests.support.auth import CONSOLE
from tests.support.builders import a_worker
from tests.support.loops import run_apart
from tests.support.notices import NOTIFY, notice_body, post_notice, send, signed


@pytest.fixture
def office(container: Container) -> Office:
    return open_office(container)


def test_a_signed_notice_from_nobody_signed_in_settles_every_worker_of_the_invoice(
    anonymous: TestClient, office: Office
) -> None:
    invoice = office.sponsor_invoice

    answer = send(anonymous, notice_body(invoice.number, invoice.total, "SBX-OK-1", PAID_AT))

    assert answer["status"] == "applied"
    assert answer["duplicate"] is False
    assert answer["invoice_number"] == invoice.number
    assert answer["reason"] is None
    assert office.sponsor_invoice.status.value == "paid"
    assert office.count(settlements) == 2  # Siti and Asep, November


def test_the_same_notice_twice_settles_once_and_the_repeat_answers_200_duplicate(
    anonymous: TestClient, office: Office
) -> None:
    invoice = office.sponsor_invoice
    body = notice_body(invoice.number, invoice.total, "SBX-REPLAY", PAID_AT)

    first = send(anonymous, body)
    repeat = send(anonymous, body)

    assert (first["status"], first["duplicate"]) == ("applied", False)
    assert (repeat["status"], repeat["duplicate"]) == ("applied", True)
    assert repeat["notice_id"] == first["notice_id"]
    assert office.count(payments) == 1
    assert office.count(settlements) == 2


@pytest.mark.parametrize(
    "signature",
    [None, "", signed(b"another body"), "sha256=" + "0" * 64],
    ids=["missing", "empty", "for-another-body", "made-up"],
)
def test_a_notice_whose_signature_does_not_verify_answers_401_is_kept_and_settles_nothing(
    anonymous: TestClient, office: Office, signature: str | None
) -> None:
    invoice = office.dewi_invoice
    body = notice_body(invoice.number, invoice.total, "SBX-FORGED", PAID_AT)

    response = post_notice(anonymous, body, signature)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["rule"] == "payment.signature"
    # The gateway proves itself by signing, not by a bearer token: no invitation to sign in.
    assert "www-authenticate" not in response.headers
    with office.container.engine.connect() as conn:
        kept = conn.execute(select(rejected_notices)).one()
        denied = conn.execute(
            select(audit_events).where(audit_events.c.action == "payment.notice")
        ).one()
    assert kept.raw_body == body.decode()
    assert kept.reason == "payment.signature"
    assert (denied.outcome, denied.entity_id) == ("denied", kept.id)
    assert office.count(settlements) == office.count(payments) == 0
    assert office.dewi_invoice.is_open


def test_a_forged_notice_does_not_spend_the_transaction_id_of_the_genuine_one(
    anonymous: TestClient, office: Office
) -> None:
    invoice = office.dewi_invoice
    body = notice_body(invoice.number, invoice.total, "SBX-LATER-GENUINE", PAID_AT)

    forged = post_notice(anonymous, body, signed(body, secret="not-the-gateway-secret"))
    genuine = send(anonymous, body)

    assert forged.status_code == 401
    assert (genuine["status"], genuine["duplicate"]) == ("applied", False)


def test_an_amount_that_is_not_the_invoice_total_waits_in_suspense_and_the_invoice_stays_open(
    anonymous: TestClient, client: TestClient, office: Office
) -> None:
    invoice = office.dewi_invoice

    answer = send(anonymous, notice_body(invoice.number, invoice.total - 400, "SBX-SHORT", PAID_AT))

    assert (answer["status"], answer["reason"]) == ("suspense", "amount_mismatch")
    [item] = client.get("/api/v1/payments/suspense").json()
    assert item["amount"] == invoice.total - 400
    assert item["reason"] == "amount_mismatch"
    assert item["reason_label"] == "Jumlah tidak sama dengan tagihan"
    assert item["invoice_id"] == invoice.id
    assert item["status"] == "open"
    assert client.get(f"/api/v1/invoices/{invoice.id}").json()["status"] == "open"
    assert office.count(settlements) == 0


def test_a_notice_for_an_invoice_nobody_issued_waits_in_suspense_where_the_officer_sees_it(
    anonymous: TestClient, client: TestClient, office: Office
) -> None:
    answer = send(anonymous, notice_body("INV-202611-DEADBEEF", 28_400, "SBX-WHO", PAID_AT))

    assert (answer["status"], answer["reason"]) == ("suspense", "unknown_invoice")
    [item] = client.get("/api/v1/payments/suspense").json()
    assert (item["reason"], item["amount"], item["invoice_id"]) == ("unknown_invoice", 28_400, None)
    assert office.count(settlements) == 0


def test_a_notice_for_a_cancelled_invoice_waits_in_suspense_and_settles_nothing(
    anonymous: TestClient, office: Office
) -> None:
    invoice = office.dewi_invoice
    # November is due 16 November 2026 (the 15th is a Sunday) and payable as arrears for three
    # months; by 1 March 2027 it has left the window, and the daily job cancels it.
    assert office.container.invoices.cancel_unpayable(CONSOLE, dt.date(2027, 3, 1)) >= 1
    assert office.dewi_invoice.status.value == "cancelled"

    answer = send(anonymous, notice_body(invoice.number, invoice.total, "SBX-LATE", PAID_AT))

    assert (answer["status"], answer["reason"]) == ("suspense", "invoice_cancelled")
    assert office.count(settlements) == 0
    assert office.count(suspense_items) == 1


def test_a_second_transaction_for_a_paid_invoice_waits_in_suspense_as_already_paid(
    anonymous: TestClient, office: Office
) -> None:
    invoice = office.dewi_invoice
    send(anonymous, notice_body(invoice.number, invoice.total, "SBX-FIRST", PAID_AT))

    again = send(
        anonymous,
        notice_body(invoice.number, invoice.total, "SBX-SECOND", PAID_AT + dt.timedelta(hours=1)),
    )

    assert (again["status"], again["duplicate"], again["reason"]) == (
        "suspense",
        False,
        "already_paid",
    )
    assert office.count(payments) == 1
    assert office.count(settlements) == 1
    assert office.count(suspense_items) == 1


def _notice(**changes: object) -> bytes:
    data = json.loads(notice_body("INV-202611-00000001", 28_400, "SBX-BAD", PAID_AT))
    data.update(changes)
    return json.dumps({k: v for k, v in data.items() if v is not None}).encode()


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        (_notice(amount=None), "amount", "payment.notice.amount"),
        (_notice(amount=28_400.0), "amount", "payment.notice.amount"),
        (_notice(amount="28400"), "amount", "payment.notice.amount"),
        (_notice(transaction_id=""), "transaction_id", "payment.notice.transaction_id"),
        (_notice(paid_at="2026-11-25T08:00:00"), "paid_at", "payment.notice.paid_at"),
        (_notice(channel="cash"), "channel", "payment.notice.channel"),
        (_notice(currency="USD"), "currency", "payment.notice.currency"),
        (b"transaction_id=SBX-1&amount=28400", "body", "payment.notice.not_json"),
        (b"[1, 2, 3]", "body", "payment.notice.not_object"),
        (b"", "body", "payment.notice.not_json"),
    ],
    ids=[
        "no-amount",
        "float-amount",
        "text-amount",
        "empty-transaction",
        "time-without-offset",
        "unknown-channel",
        "dollars",
        "not-json",
        "json-list",
        "empty-body",
    ],
)
def test_a_malformed_notice_answers_422_naming_the_field_and_is_kept_for_audit(
    anonymous: TestClient, office: Office, body: bytes, field: str, rule: str
) -> None:
    response = post_notice(anonymous, body, signed(body))

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert [(e["field"], e["rule"]) for e in errors] == [(field, rule)]
    with office.container.engine.connect() as conn:
        kept = conn.execute(select(rejected_notices)).one()
    assert kept.reason == rule
    assert office.count(settlements) == office.count(payments) == 0


def test_a_notice_with_several_faults_names_every_one(anonymous: TestClient) -> None:
    body = _notice(amount=-5, channel="cash", paid_at="kemarin")

    response = post_notice(anonymous, body, signed(body))

    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"amount", "channel", "paid_at"}


def test_the_notice_operation_documents_its_body_and_signature_header(
    anonymous: TestClient,
) -> None:
    operation = anonymous.get("/openapi.json").json()["paths"][NOTIFY]["post"]

    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["properties"]["amount"]["type"] == "integer"
    assert {p["name"] for p in operation["parameters"] if p["in"] == "header"} == {
        "X-Callback-Signature"
    }


def test_a_forged_body_with_a_nul_byte_is_refused_and_kept_in_text_every_database_stores(
    anonymous: TestClient, office: Office
) -> None:
    # PostgreSQL text holds no NUL: kept as it came, the refusal itself would fail with a 500
    # and leave no trace. No JSON notice contains one, so nothing genuine is altered.
    body = b'{"transaction_id": "SBX-\x00", "amount": 1}'

    response = post_notice(anonymous, body, "sha256=" + "0" * 64)

    assert response.status_code == 401
    with office.container.engine.connect() as conn:
        kept = conn.execute(select(rejected_notices)).one()
    assert kept.raw_body == '{"transaction_id": "SBX-\ufffd", "amount": 1}'


def test_notices_arriving_together_are_stored_and_applied_together_each_with_its_answer(
    container: Container, office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Twelve requests at once (a gateway flushing its queue around the 15th): the endpoint
    # hands them to the service in batches (group commit), and each request still gets its
    # own answer: the first payment of each invoice applies, a repeat says so, the rest wait.
    batches: list[int] = []
    receive_many = container.payments.receive_many

    def recording(deliveries: list[tuple[bytes, str | None]]) -> list[object]:
        batches.append(len(deliveries))
        return list(receive_many(deliveries))

    monkeypatch.setattr(container.payments, "receive_many", recording)
    sponsor, own = office.sponsor_invoice, office.dewi_invoice
    bodies = [notice_body(sponsor.number, sponsor.total, "SBX-TOGETHER-S", PAID_AT)] * 3
    bodies += [notice_body(own.number, own.total, f"SBX-TOGETHER-{k}", PAID_AT) for k in range(8)]
    bodies += [notice_body(own.number, own.total, "SBX-TOGETHER-FORGED", PAID_AT)]
    signatures = [signed(b) for b in bodies[:-1]] + ["sha256=" + "0" * 64]

    async def deliver_all() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=create_app(container))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as gateway:
            return await asyncio.gather(
                *(
                    gateway.post(
                        NOTIFY,
                        content=body,
                        headers={"X-Callback-Signature": sig, "content-type": "application/json"},
                    )
                    for body, sig in zip(bodies, signatures, strict=True)
                )
            )

    answers = run_apart(deliver_all())

    assert sum(batches) == len(bodies) and max(batches) > 1
    assert [a.status_code for a in answers] == [200] * 11 + [401]
    told = [a.json() for a in answers[:-1]]
    assert [(t["status"], t["duplicate"]) for t in told[:3]] == [
        ("applied", False),
        ("applied", True),
        ("applied", True),
    ]
    own_answers = sorted((t["status"], t["reason"]) for t in told[3:])
    assert own_answers == [("applied", None)] + [("suspense", "already_paid")] * 7
    assert office.count(payments) == 2
    assert office.count(rejected_notices) == 1


def test_one_bad_notice_in_a_batch_spoils_nothing_each_is_judged_alone(
    container: Container, office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ten good notices for ten invoices arrive with three the store could not take (issue 12:
    # an amount past BIGINT, 2^63, a NUL in the transaction id); before, the whole batch was
    # answered 500 and nothing stored.
    for n in range(10):
        container.registry.enrol_member(
            CONSOLE,
            a_worker(
                nik=build_nik("327104", a_worker().birth_date, "F", 20 + n),
                full_name=f"Pekerja {n}",
                phone=f"0812555{n:05d}",
            ),
        )
    container.invoices.issue_month(CONSOLE, NOVEMBER)
    with container.uow() as uow:
        found = uow.invoices.open_in(month=NOVEMBER)
    own = [i for i in found if i.payer_kind is PayerKind.MEMBER and i.payer_id != office.dewi]
    assert len(own) == 10
    paid_at = dt.datetime(2026, 11, 25, 9, 0, tzinfo=WIB)  # the pinned clock
    good = [notice_body(i.number, i.total, f"SBX-GOOD-{k}", paid_at) for k, i in enumerate(own)]
    target = office.dewi_invoice
    bad = [
        notice_body(target.number, 10**20, "SBX-HUGE", paid_at),
        notice_body(target.number, 2**63, "SBX-2-63", paid_at),
        notice_body(target.number, target.total, "SBX-\x00NUL", paid_at),
    ]
    bodies = good[:5] + bad + good[5:]
    batches: list[int] = []
    receive_many = container.payments.receive_many

    def recording(deliveries: list[tuple[bytes, str | None]]) -> list[object]:
        batches.append(len(deliveries))
        return list(receive_many(deliveries))

    monkeypatch.setattr(container.payments, "receive_many", recording)

    async def deliver_all() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=create_app(container))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as gateway:
            return await asyncio.gather(
                *(
                    gateway.post(
                        NOTIFY,
                        content=body,
                        headers={
                            "X-Callback-Signature": signed(body),
                            "content-type": "application/json",
                        },
                    )
                    for body in bodies
                )
            )

    answers = run_apart(deliver_all())

    assert max(batches) > 1  # they did arrive together
    statuses = [a.status_code for a in answers]
    assert statuses[:5] + statuses[8:] == [200] * 10
    assert [a.json()["status"] for a in answers[:5] + answers[8:]] == ["applied"] * 10
    assert statuses[5:8] == [422] * 3
    fields = [[e["field"] for e in a.json()["errors"]] for a in answers[5:8]]
    assert fields == [["amount"], ["amount"], ["transaction_id"]]
    assert office.count(payments) == 10
    with container.engine.connect() as conn:
        kept = conn.execute(select(rejected_notices.c.reason, rejected_notices.c.raw_body)).all()
    assert sorted(row.reason for row in kept) == [
        "payment.notice.amount",
        "payment.notice.amount",
        "payment.notice.transaction_id",
    ]
    assert all("\x00" not in row.raw_body for row in kept)
    assert office.dewi_invoice.is_open
