"""`GET /api/v1/members/{id}/coverage`: protected or not, per programme and why, now or at a
moment asked about; what to pay; and only for those who may see the member.

The clock is pinned to 2026-11-25 09:00 WIB; the office is enrolled that day, November is
issued, and Dewi's November is paid (when a test pays it) at 09:00 WIB, as it is issued.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from sertakan.bootstrap import Container
from sertakan.notifications.providers import RecordingProvider
from tests.support.api_office import (
    DEWI_PHONE,
    OTHER_SPONSOR_PHONE,
    PAID_AT,
    SPONSOR_PHONE,
    Office,
    open_office,
)
from tests.support.auth import phone_bearer
from tests.support.notices import notice_body, send


@pytest.fixture
def office(container: Container) -> Office:
    return open_office(container)


def coverage_path(member_id: str) -> str:
    return f"/api/v1/members/{member_id}/coverage"


def pay_dewi(anonymous: TestClient, office: Office) -> None:
    invoice = office.dewi_invoice
    send(anonymous, notice_body(invoice.number, invoice.total, "SBX-DEWI-NOV", PAID_AT))


def test_a_member_is_not_covered_before_paying_and_is_told_what_to_pay(
    client: TestClient, office: Office
) -> None:
    invoice = office.dewi_invoice

    cover = client.get(coverage_path(office.dewi)).json()

    assert cover["covered"] is False
    assert cover["status"] == "menunggu"
    assert cover["status_label"] == "Menunggu pembayaran pertama"
    assert (cover["reason"], cover["covered_since"]) == ("never_paid", None)
    assert [p["program"] for p in cover["programs"]] == ["JKK", "JKM", "JHT"]
    assert not any(p["covered"] for p in cover["programs"])
    assert cover["programs"][0]["why_id"] == (
        "Iuran November 2026 belum lunas pada 25 November 2026 pukul 09.00 WIB"
    )
    assert cover["open_invoices"] == [
        {
            "id": invoice.id,
            "number": invoice.number,
            "month": "2026-11",
            "total": 28_400,
            "due_on": "2026-11-16",  # the 15th is a Sunday
        }
    ]
    assert cover["to_pay"] == 28_400


def test_a_member_is_covered_once_the_payment_settled_until_the_end_of_the_paid_month(
    anonymous: TestClient, client: TestClient, office: Office
) -> None:
    pay_dewi(anonymous, office)

    cover = client.get(coverage_path(office.dewi)).json()

    assert cover["covered"] is True
    assert (cover["status"], cover["protected_until"]) == ("aktif", "2026-11-30")
    assert (cover["reason"], cover["covered_since"]) == ("paid", "2026-11-01")
    jkk = cover["programs"][0]
    assert (jkk["covered"], jkk["month"]) == (True, "2026-11")
    assert jkk["settled_at"] == "2026-11-25T09:00:00+07:00"
    assert jkk["why"] == (
        "The contribution for 2026-11 settled 2026-11-25 09:00 WIB, before the event"
    )
    assert (
        jkk["why_id"] == "Iuran November 2026 lunas 25 November 2026 pukul 09.00 WIB: terlindungi"
    )
    assert (cover["open_invoices"], cover["to_pay"]) == ([], 0)
    member = client.get(f"/api/v1/members/{office.dewi}").json()
    assert (member["status"], member["status_label"]) == ("aktif", "Aktif")  # not the enrolment's


def test_a_moment_before_the_payment_settled_is_not_covered_and_says_why_in_indonesian(
    anonymous: TestClient, client: TestClient, office: Office
) -> None:
    pay_dewi(anonymous, office)

    cover = client.get(coverage_path(office.dewi), params={"on": "2026-11-25T07:00"}).json()

    assert cover["at"] == "2026-11-25T07:00:00+07:00"  # no offset: WIB
    assert cover["covered"] is False
    assert {p["covered"] for p in cover["programs"]} == {False}
    assert {p["reason"] for p in cover["programs"]} == {"paid_late"}
    assert cover["programs"][0]["why_id"] == (
        "Iuran November 2026 belum lunas pada 25 November 2026 pukul 07.00 WIB (dibayar "
        "kemudian, 25 November 2026 pukul 09.00 WIB: tidak melindungi kejadian sebelumnya)"
    )


def test_a_date_alone_means_noon_in_jakarta_that_day(
    anonymous: TestClient, client: TestClient, office: Office
) -> None:
    pay_dewi(anonymous, office)

    same_day = client.get(coverage_path(office.dewi), params={"on": "2026-11-25"}).json()
    day_before = client.get(coverage_path(office.dewi), params={"on": "2026-11-24"}).json()

    assert (same_day["at"], same_day["covered"]) == ("2026-11-25T12:00:00+07:00", True)
    assert day_before["covered"] is False
    assert day_before["programs"][0]["why_id"] == "Belum menjadi peserta pada 24 November 2026"


def test_a_moment_with_another_offset_is_read_as_that_instant(
    anonymous: TestClient, client: TestClient, office: Office
) -> None:
    pay_dewi(anonymous, office)

    # 00:30 UTC is 07:30 WIB: before the 09:00 WIB payment.
    cover = client.get(coverage_path(office.dewi), params={"on": "2026-11-25T00:30:00Z"}).json()

    assert cover["at"] == "2026-11-25T07:30:00+07:00"
    assert cover["covered"] is False


def test_an_offset_whose_plus_sign_was_not_url_encoded_is_still_read_as_an_offset(
    client: TestClient, office: Office
) -> None:
    # A literal "+" in a query string means a space: "07:30:00+07:00" arrives "07:30:00 07:00".
    response = client.get(coverage_path(office.dewi) + "?on=2026-11-25T07:30:00+07:00")

    assert response.status_code == 200
    assert response.json()["at"] == "2026-11-25T07:30:00+07:00"


def test_a_month_left_unpaid_after_its_due_date_is_arrears_and_not_covered(
    anonymous: TestClient, client: TestClient, office: Office
) -> None:
    pay_dewi(anonymous, office)

    cover = client.get(coverage_path(office.dewi), params={"on": "2026-12-20"}).json()

    assert (cover["covered"], cover["status"]) == (False, "menunggak")
    assert cover["arrears"] == ["2026-12"]
    assert cover["reason"] == "unpaid"
    assert cover["programs"][0]["why_id"] == (
        "Iuran Desember 2026 belum lunas pada 20 Desember 2026 pukul 12.00 WIB"
    )


@pytest.mark.parametrize(
    "on",
    ["kemarin", "2026-13-01", "25/11/2026", "2026-11-25T25:00", "1999-12-31", "2100-01-01"],
)
def test_a_moment_that_is_not_an_iso_date_in_range_answers_422_naming_on(
    client: TestClient, office: Office, on: str
) -> None:
    response = client.get(coverage_path(office.dewi), params={"on": on})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [(e["field"], e["rule"]) for e in response.json()["errors"]] == [("on", "coverage.on")]


def test_a_sponsor_reads_their_workers_coverage_but_not_another_sponsors_worker(
    anonymous: TestClient, provider: RecordingProvider, office: Office
) -> None:
    ratna = phone_bearer(anonymous, provider, SPONSOR_PHONE)
    hadi = phone_bearer(anonymous, provider, OTHER_SPONSOR_PHONE)

    own = anonymous.get(coverage_path(office.siti), headers=ratna)
    other = anonymous.get(coverage_path(office.siti), headers=hadi)

    assert own.status_code == 200
    assert own.json()["member_id"] == office.siti
    assert other.status_code == 403
    assert other.json()["rule"] == "access.scope"


def test_a_worker_reads_their_own_coverage_and_nobody_elses(
    anonymous: TestClient, provider: RecordingProvider, office: Office
) -> None:
    dewi = phone_bearer(anonymous, provider, DEWI_PHONE)

    assert anonymous.get(coverage_path(office.dewi), headers=dewi).status_code == 200
    assert anonymous.get(coverage_path(office.siti), headers=dewi).status_code == 403


def test_nobody_signed_in_is_asked_to_sign_in(anonymous: TestClient, office: Office) -> None:
    assert anonymous.get(coverage_path(office.dewi)).status_code == 401


def test_an_unknown_member_answers_404(client: TestClient) -> None:
    assert client.get(coverage_path("no-such-member")).status_code == 404
