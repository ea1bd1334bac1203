"""`/api/v1/invoices` and the suspense list: reading a payer's invoices, paying one through the
(sandbox) gateway, billing ahead, issuing a payer's month now, the arrears, and an officer
allocating or refunding money that could not be applied as it came.

The clock is pinned to 2026-11-25 09:00 WIB (tests/api/conftest.py); `client` is a branch
officer of Bogor Kota; November 2026 is issued for the office unless a test says otherwise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from fastapi.testclient import TestClient

from sertakan.billing.model import PayerKind
from sertakan.bootstrap import Container
from sertakan.kernel.ids import new_id
from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.ports import DuplicateRecord
from sertakan.store.tables import settlements
from tests.support.api_office import (
    DEWI_PHONE,
    OTHER_SPONSOR_PHONE,
    PAID_AT,
    SPONSOR_PHONE,
    Office,
    open_office,
)
from tests.support.auth import CONSOLE, phone_bearer
from tests.support.notices import notice_body, send

INVOICES = "/api/v1/invoices"
SUSPENSE = "/api/v1/payments/suspense"


@pytest.fixture
def office(container: Container) -> Office:
    return open_office(container)


# -- reading -------------------------------------------------------------------------------------


def test_a_sponsors_month_is_one_invoice_with_a_line_per_worker_in_whole_rupiah(
    client: TestClient, office: Office
) -> None:
    [listed] = client.get(
        INVOICES, params={"payer_kind": "sponsor", "payer_id": office.sponsor_id}
    ).json()

    invoice = client.get(f"{INVOICES}/{listed['id']}").json()

    assert invoice["number"].startswith("INV-202611-")
    assert (invoice["month"], invoice["kind"], invoice["status"]) == ("2026-11", "monthly", "open")
    assert invoice["status_label"] == "Belum dibayar"
    assert invoice["due_on"] == "2026-11-16"  # the 15th is a Sunday: the next working day
    lines = {line["member_id"]: line for line in invoice["lines"]}
    assert set(lines) == {office.siti, office.asep}
    # Siti: JKK+JKM halved by PP 50/2025, JHT 20,000; Asep, a driver, JKK+JKM only.
    assert (lines[office.siti]["jkk"], lines[office.siti]["jkm"], lines[office.siti]["jht"]) == (
        5_000,
        3_400,
        20_000,
    )
    assert lines[office.siti]["total"] == 28_400
    assert lines[office.asep]["programs"] == ["JKK", "JKM"]
    assert invoice["total"] == sum(line["total"] for line in invoice["lines"]) == listed["total"]


def test_a_sponsor_reads_their_own_invoices_but_not_another_sponsors(
    anonymous: TestClient, provider: RecordingProvider, office: Office
) -> None:
    ratna = phone_bearer(anonymous, provider, SPONSOR_PHONE)
    hadi = phone_bearer(anonymous, provider, OTHER_SPONSOR_PHONE)
    invoice = office.sponsor_invoice

    own = anonymous.get(
        INVOICES, params={"payer_kind": "sponsor", "payer_id": office.sponsor_id}, headers=ratna
    )
    others = anonymous.get(
        INVOICES, params={"payer_kind": "sponsor", "payer_id": office.sponsor_id}, headers=hadi
    )
    others_one = anonymous.get(f"{INVOICES}/{invoice.id}", headers=hadi)

    assert [i["id"] for i in own.json()] == [invoice.id]
    assert (others.status_code, others.json()["rule"]) == (403, "access.scope")
    assert (others_one.status_code, others_one.json()["rule"]) == (403, "access.scope")


def test_a_worker_sees_the_sponsors_invoice_they_are_a_line_of(
    anonymous: TestClient, provider: RecordingProvider, office: Office
) -> None:
    siti = phone_bearer(anonymous, provider, "+6281234567890")

    response = anonymous.get(f"{INVOICES}/{office.sponsor_invoice.id}", headers=siti)

    assert response.status_code == 200
    assert office.siti in {line["member_id"] for line in response.json()["lines"]}


def test_an_unknown_invoice_answers_404(client: TestClient, office: Office) -> None:
    assert client.get(f"{INVOICES}/no-such-invoice").status_code == 404


def test_asking_for_invoices_without_saying_whose_answers_422_naming_the_fields(
    client: TestClient,
) -> None:
    response = client.get(INVOICES, params={"payer_kind": "employer"})

    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"payer_kind", "payer_id"}


# -- paying --------------------------------------------------------------------------------------


def test_checkout_on_a_bri_virtual_account_gives_a_va_number_for_the_whole_invoice(
    client: TestClient, office: Office
) -> None:
    invoice = office.dewi_invoice

    response = client.post(f"{INVOICES}/{invoice.id}/checkout", json={"channel": "va_bri"})

    assert response.status_code == 200
    charge = response.json()
    assert (charge["invoice_number"], charge["amount"]) == (invoice.number, invoice.total)
    assert charge["channel_label"] == "Virtual Account BRI"
    assert charge["va_number"].isdigit() and charge["va_number"].startswith("88908")
    assert charge["qris_payload"] is None
    assert charge["expires_at"] == "2026-11-26T09:00:00+07:00"  # 24 hours
    assert charge["pay_url"].endswith(charge["reference"])


def test_checkout_on_qris_gives_a_qris_payload_and_no_va_number(
    client: TestClient, office: Office
) -> None:
    response = client.post(
        f"{INVOICES}/{office.dewi_invoice.id}/checkout", json={"channel": "qris"}
    )

    assert response.status_code == 200
    charge = response.json()
    assert charge["qris_payload"].startswith("000201")  # EMVCo: payload format indicator 01
    assert charge["va_number"] is None


def test_a_sponsor_opens_a_payment_for_their_own_invoice(
    anonymous: TestClient, provider: RecordingProvider, office: Office
) -> None:
    ratna = phone_bearer(anonymous, provider, SPONSOR_PHONE)
    hadi = phone_bearer(anonymous, provider, OTHER_SPONSOR_PHONE)
    path = f"{INVOICES}/{office.sponsor_invoice.id}/checkout"

    assert anonymous.post(path, json={"channel": "va_bni"}, headers=ratna).status_code == 200
    assert anonymous.post(path, json={"channel": "va_bni"}, headers=hadi).status_code == 403


def test_checkout_on_an_unknown_channel_answers_422_naming_the_channel(
    client: TestClient, office: Office
) -> None:
    response = client.post(
        f"{INVOICES}/{office.dewi_invoice.id}/checkout", json={"channel": "cash"}
    )

    assert response.status_code == 422
    assert [(e["field"], e["rule"]) for e in response.json()["errors"]] == [
        ("channel", "payment.channel")
    ]


def test_checking_out_a_paid_invoice_answers_409(
    anonymous: TestClient, client: TestClient, office: Office
) -> None:
    invoice = office.dewi_invoice
    send(anonymous, notice_body(invoice.number, invoice.total, "SBX-PAID", PAID_AT))

    response = client.post(f"{INVOICES}/{invoice.id}/checkout", json={"channel": "va_bri"})

    assert response.status_code == 409
    assert response.json()["rule"] == "billing.invoice_not_payable"


# -- billing ahead and issuing now ---------------------------------------------------------------


def test_months_ahead_are_one_new_invoice_from_the_current_month_on(
    client: TestClient, container: Container
) -> None:
    office = open_office(container, issue=False)

    response = client.post(
        f"{INVOICES}/ahead", json={"payer_kind": "member", "payer_id": office.dewi, "months": 3}
    )

    assert response.status_code == 201
    invoice = response.json()
    assert (invoice["kind"], invoice["month"]) == ("advance", "2026-11")
    lines = client.get(f"{INVOICES}/{invoice['id']}").json()["lines"]
    # Each month at its own price: the PP 50/2025 discount for non-transport workers ends
    # with December 2026, so January 2027 costs the full 36,800.
    assert [(line["month"], line["total"]) for line in lines] == [
        ("2026-11", 28_400),
        ("2026-12", 28_400),
        ("2027-01", 36_800),
    ]
    assert invoice["total"] == 93_600


def test_months_ahead_past_the_limit_answer_422_citing_the_rule(
    client: TestClient, office: Office
) -> None:
    response = client.post(
        f"{INVOICES}/ahead", json={"payer_kind": "member", "payer_id": office.dewi, "months": 14}
    )

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["field"], error["rule"]) == ("months", "bpu.prepayment.max_months_ahead")
    assert error["reference"]


def test_months_ahead_already_billed_answer_409(client: TestClient, office: Office) -> None:
    response = client.post(
        f"{INVOICES}/ahead", json={"payer_kind": "member", "payer_id": office.dewi, "months": 1}
    )

    assert response.status_code == 409
    assert response.json()["rule"] == "billing.nothing_to_bill"


def test_issuing_a_payers_month_now_issues_it_once(
    client: TestClient, container: Container
) -> None:
    office = open_office(container, issue=False)
    body = {"payer_kind": "sponsor", "payer_id": office.sponsor_id, "month": "2026-11"}

    first = client.post(f"{INVOICES}/issue", json=body)
    again = client.post(f"{INVOICES}/issue", json=body)

    assert first.status_code == again.status_code == 200
    assert (first.json()["invoices"], first.json()["lines"]) == (1, 2)
    assert first.json()["amount"] == office.sponsor_invoice.total
    assert (again.json()["invoices"], again.json()["already_billed"]) == (0, 2)
    # Only this payer's month was issued: the others wait for the daily job.
    assert container.invoices.for_payer(CONSOLE, PayerKind.MEMBER, office.dewi) == []


@pytest.mark.parametrize("month", ["2026-13", "November", "2026-1", "0000-01"])
def test_issuing_a_month_that_is_not_yyyy_mm_answers_422_naming_the_month(
    client: TestClient, office: Office, month: str
) -> None:
    response = client.post(
        f"{INVOICES}/issue",
        json={"payer_kind": "member", "payer_id": office.dewi, "month": month},
    )

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["month"]


def test_a_worker_may_not_issue_another_workers_month(
    anonymous: TestClient, provider: RecordingProvider, container: Container
) -> None:
    office = open_office(container, issue=False)
    dewi = phone_bearer(anonymous, provider, DEWI_PHONE)

    response = anonymous.post(
        f"{INVOICES}/issue",
        json={"payer_kind": "member", "payer_id": office.siti, "month": "2026-11"},
        headers=dewi,
    )

    assert response.status_code == 403
    assert container.invoices.for_payer(CONSOLE, PayerKind.MEMBER, office.siti) == []


# -- arrears and the suspense list ---------------------------------------------------------------


def test_the_arrears_are_the_open_invoices_past_their_due_date(
    anonymous: TestClient, client: TestClient, office: Office
) -> None:
    paid = office.dewi_invoice
    send(anonymous, notice_body(paid.number, paid.total, "SBX-ARR", PAID_AT))

    response = client.get(f"{INVOICES}/arrears")

    assert response.status_code == 200
    # November was due 16 November; on the 25th the sponsors' invoices are still open.
    assert {i["id"] for i in response.json()} == {
        office.sponsor_invoice.id,
        office.invoice(PayerKind.SPONSOR, office.other_sponsor_id).id,
    }


def test_a_worker_may_not_see_the_arrears_or_the_suspense_list(
    anonymous: TestClient, provider: RecordingProvider, office: Office
) -> None:
    dewi = phone_bearer(anonymous, provider, DEWI_PHONE)

    assert anonymous.get(f"{INVOICES}/arrears", headers=dewi).status_code == 403
    assert anonymous.get(SUSPENSE, headers=dewi).status_code == 403


def test_money_for_a_mistyped_invoice_number_is_allocated_to_the_invoice_the_payer_meant(
    anonymous: TestClient, client: TestClient, office: Office
) -> None:
    invoice = office.dewi_invoice
    send(anonymous, notice_body("INV-202611-TYPO0000", invoice.total, "SBX-TYPO", PAID_AT))
    [item] = client.get(SUSPENSE).json()

    response = client.post(
        f"{SUSPENSE}/{item['id']}/allocate",
        json={"invoice_number": invoice.number, "note": "Nomor tagihan salah ketik"},
    )

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (invoice.id, "paid")
    assert client.get(f"{INVOICES}/{invoice.id}").json()["status"] == "paid"
    assert client.get(SUSPENSE).json() == []
    assert office.count(settlements) == 1


def test_money_of_another_amount_cannot_be_allocated_and_stays_in_suspense(
    anonymous: TestClient, client: TestClient, office: Office
) -> None:
    invoice = office.dewi_invoice
    send(anonymous, notice_body(invoice.number, invoice.total - 1, "SBX-SHORT", PAID_AT))
    [item] = client.get(SUSPENSE).json()

    response = client.post(
        f"{SUSPENSE}/{item['id']}/allocate", json={"invoice_number": invoice.number}
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["rule"] == "payment.suspense.amount"
    assert [i["id"] for i in client.get(SUSPENSE).json()] == [item["id"]]
    assert client.get(f"{INVOICES}/{invoice.id}").json()["status"] == "open"


def test_the_store_refuses_a_second_live_invoice_for_a_members_month(office: Office) -> None:
    # Two issuing runs racing used to bill the same month on two invoices, and the second
    # payment then went to suspense (issue 12). The store now refuses the twin itself
    # (`uq_invoice_lines_billed_month`), so no allocation can meet a month paid elsewhere.
    first = office.dewi_invoice
    twin_id = new_id()
    with office.container.uow() as uow:
        lines = [
            dataclasses.replace(line, invoice_id=twin_id) for line in uow.invoices.lines(first.id)
        ]
        with pytest.raises(DuplicateRecord):
            uow.invoices.add(
                dataclasses.replace(
                    first, id=twin_id, number="INV-202611-TWIN0001", issue_key=None
                ),
                lines,
            )
        uow.commit()
    with office.container.uow() as uow:
        assert uow.invoices.get(twin_id) is None
        assert uow.invoices.lines(twin_id) == []


def test_money_in_suspense_is_refunded_with_a_note_saying_how(
    anonymous: TestClient, client: TestClient, office: Office
) -> None:
    invoice = office.dewi_invoice
    send(anonymous, notice_body(invoice.number, invoice.total + 1_000, "SBX-OVER", PAID_AT))
    [item] = client.get(SUSPENSE).json()

    without_note = client.post(f"{SUSPENSE}/{item['id']}/refund", json={"note": "  "})
    refunded = client.post(
        f"{SUSPENSE}/{item['id']}/refund", json={"note": "Transfer balik ke BRI"}
    )
    again = client.post(f"{SUSPENSE}/{item['id']}/refund", json={"note": "lagi"})

    assert without_note.status_code == 422
    assert without_note.json()["errors"][0]["field"] == "note"
    assert refunded.status_code == 200
    assert (refunded.json()["status"], refunded.json()["resolution_note"]) == (
        "refunded",
        "Transfer balik ke BRI",
    )
    assert refunded.json()["resolved_at"] is not None
    assert again.status_code == 422  # resolved once
    assert client.get(SUSPENSE).json() == []


def test_an_unknown_suspense_item_answers_404(client: TestClient) -> None:
    response = client.post(f"{SUSPENSE}/no-such-item/refund", json={"note": "kembalikan"})

    assert response.status_code == 404


def test_a_paid_invoice_records_when_the_money_arrived(
    anonymous: TestClient, client: TestClient, office: Office
) -> None:
    invoice = office.dewi_invoice
    send(anonymous, notice_body(invoice.number, invoice.total, "SBX-WHEN", PAID_AT))

    paid = client.get(f"{INVOICES}/{invoice.id}").json()

    assert (paid["status"], paid["status_label"]) == ("paid", "Lunas")
    assert dt.datetime.fromisoformat(paid["paid_at"]) == PAID_AT
