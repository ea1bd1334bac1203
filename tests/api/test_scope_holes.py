"""The scope holes of issue 12, each closed and tried as every role it concerns, through the API
and the page where both exist.

1. Money in suspense is allocated only by staff of the branch whose payer the invoice is.
2. A fresh consent code is sent only for the sponsor of that sponsorship, the worker, or staff
   of the worker's branch.
3. A sponsor's reach to a worker ends with the sponsorship: the card, coverage and
   sponsorships close; the invoices they were the payer of stay readable, without the
   worker's name.
4. A worker on their sponsor's invoice sees their own line only: not a co-worker's line, how
   many there are, nor the total.

The office (tests/support/api_office.py): in Kota Bogor, Ibu Ratna sponsors Siti and
Asep, Dewi pays for herself, Pak Hadi sponsors Budi; November 2026 is issued. Beside the Bogor
Kota staff there is an officer and a supervisor of Bogor Kabupaten. Each refusal is a problem
document (API) or the 403 page, and leaves an `access.scope` or `access.forbidden` denial in
the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from sertakan.access.roles import Role
from sertakan.app import create_app
from sertakan.audit.model import AuditEvent, Outcome
from sertakan.billing.model import InvoiceStatus, PayerKind
from sertakan.bootstrap import Container
from sertakan.kernel.clock import WIB
from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.kpj import mask_kpj
from sertakan.registry.model import Branch, Consent
from sertakan.registry.nik import build_nik
from tests.support.api_office import PAID_AT, Office, open_office
from tests.support.auth import (
    CONSOLE,
    PASSWORD,
    FormClient,
    bearer,
    make_staff,
    phone_bearer,
    web_phone_sign_in,
    web_sign_in,
)
from tests.support.builders import a_worker
from tests.support.notices import notice_body, send
from tests.support.pages import text_of

SUSPENSE = "/api/v1/payments/suspense"
INVOICES = "/api/v1/invoices"
OTHER_BRANCH = Branch("BOGOR_KAB", "Kantor Cabang Kabupaten Bogor", "32.01")
PHONES = {
    "ratna": "+6281298765432",  # sponsors Siti and Asep
    "hadi": "+6281311112222",  # sponsors Budi
    "siti": "+6281234567890",
    "asep": "+6281277778888",
    "dewi": "+6285712345678",  # pays for herself
    "rina": "+6281366667777",  # enrolled by the officer for Ibu Ratna: consent pending
}
STAFF = {
    "officer": "officer",
    "supervisor": "supervisor",
    "agent": "agent",
    "auditor": "auditor",
    "officer_elsewhere": "petugas-kab",
    "supervisor_elsewhere": "supervisor-kab",
}


@dataclass
class Town:
    container: Container
    office: Office
    provider: RecordingProvider
    rina: str  # member id
    rina_sponsorship: str
    _clients: list[FormClient]

    def signed_in(self, who: str, *, api: bool = True, web: bool = True) -> FormClient:
        """A client signed in as `who` on the API (bearer) and the pages (session). Each phone
        sign-in spends one of the phone's 3 codes per 15 minutes."""
        client = FormClient(create_app(self.container), raise_server_exceptions=False)
        client.__enter__()
        self._clients.append(client)
        if who in PHONES:
            if api:
                client.headers.update(phone_bearer(client, self.provider, PHONES[who]))
            if web:
                web_phone_sign_in(client, self.provider, PHONES[who])
        else:
            client.headers.update(bearer(client, STAFF[who]))
            web_sign_in(client, STAFF[who])
        return client

    def audit(self) -> list[AuditEvent]:
        with self.container.uow() as uow:
            return list(
                uow.audit.between(
                    dt.datetime(2000, 1, 1, tzinfo=WIB), dt.datetime(2100, 1, 1, tzinfo=WIB)
                )
            )


@pytest.fixture
def town(container: Container, provider: RecordingProvider) -> Iterator[Town]:
    office = open_office(container)
    container.registry.add_branch(OTHER_BRANCH)
    for role in (Role.SUPERVISOR, Role.AGENT, Role.AUDITOR):
        make_staff(container, role)
    for role, name in ((Role.OFFICER, "petugas-kab"), (Role.SUPERVISOR, "supervisor-kab")):
        container.access.create_staff_account(
            CONSOLE,
            role=role,
            username=name,
            password=PASSWORD,
            display_name=f"Uji {name}",
            branch_code=OTHER_BRANCH.code,
        )
    with container.uow() as uow:
        officer_account = uow.accounts.by_username("officer")
    assert officer_account is not None
    rina = container.registry.enrol_member(
        container.access.actor_for(officer_account),
        a_worker(
            nik=build_nik("327101", dt.date(1992, 4, 9), "F", 21),
            full_name="Rina Marlina",
            birth_date=dt.date(1992, 4, 9),
            phone="081366667777",
            sponsor_id=office.sponsor_id,
        ),
    )
    assert rina.sponsorship is not None and rina.sponsorship.consent is Consent.PENDING
    found = Town(container, office, provider, rina.member.id, rina.sponsorship.id, [])
    yield found
    for client in found._clients:
        client.__exit__(None, None, None)


def denied(town: Town, before: int, rule: str) -> AuditEvent:
    """The one denial the refused request left in the audit trail."""
    refusals = [e for e in town.audit()[before:] if e.outcome is Outcome.DENIED]
    assert len(refusals) == 1, refusals
    assert refusals[0].reason == rule
    return refusals[0]


def refused(response: object, status: int, rule: str) -> None:
    assert getattr(response, "status_code", None) == status, getattr(response, "text", "")
    assert response.json()["rule"] == rule  # type: ignore[attr-defined]


def page_refused(response: object) -> None:
    assert getattr(response, "status_code", None) == 403, getattr(response, "text", "")
    assert "Akses ditolak" in text_of(response)


# -- 1. money in suspense, within the officer's branch -------------------------------------------


def unassigned_money_for_dewi(town: Town) -> str:
    """Dewi's November money sent with a mistyped number: in suspense, of no branch."""
    invoice = town.office.dewi_invoice
    anonymous = town.signed_in("auditor")  # any client may post a signed notice
    send(anonymous, notice_body("INV-202611-TYPO0000", invoice.total, "SBX-TYPO", PAID_AT))
    [item] = anonymous.get(SUSPENSE).json()
    assert item["branch_code"] is None
    return str(item["id"])


@pytest.mark.parametrize("who", ["officer", "supervisor"])
def test_staff_of_the_payers_branch_allocate_unassigned_money_to_its_invoice(
    town: Town, who: str
) -> None:
    item = unassigned_money_for_dewi(town)
    invoice = town.office.dewi_invoice

    response = town.signed_in(who).post(
        f"{SUSPENSE}/{item}/allocate", json={"invoice_number": invoice.number, "note": "salah"}
    )

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "paid"


@pytest.mark.parametrize("who", ["officer_elsewhere", "supervisor_elsewhere"])
def test_staff_of_another_branch_may_not_credit_unassigned_money_to_a_bogor_kota_invoice(
    town: Town, who: str
) -> None:
    item = unassigned_money_for_dewi(town)
    invoice = town.office.dewi_invoice
    client = town.signed_in(who)
    before = len(town.audit())

    api = client.post(
        f"{SUSPENSE}/{item}/allocate", json={"invoice_number": invoice.number, "note": "x"}
    )

    refused(api, 403, "access.scope")
    logged = denied(town, before, "access.scope")
    assert (logged.action, logged.entity_id) == ("payment.resolve", item)
    page = client.post(
        f"/suspense/{item}/alokasi", data={"invoice_number": invoice.number, "note": "x"}
    )
    page_refused(page)
    with town.container.uow() as uow:
        still = uow.invoices.get(invoice.id)
        money = uow.suspense.get(item)
    assert still is not None and still.status is InvoiceStatus.OPEN
    assert money is not None and money.status.value == "open"
    # The money stays on the list for the right branch, which may still allocate it.
    done = town.signed_in("officer").post(
        f"{SUSPENSE}/{item}/allocate", json={"invoice_number": invoice.number}
    )
    assert done.status_code == 200, done.text


@pytest.mark.parametrize("who", ["agent", "sponsor", "worker", "auditor"])
def test_nobody_but_branch_staff_allocates_money_in_suspense(town: Town, who: str) -> None:
    item = unassigned_money_for_dewi(town)
    client = town.signed_in({"sponsor": "ratna", "worker": "dewi"}.get(who, who))
    before = len(town.audit())

    response = client.post(
        f"{SUSPENSE}/{item}/allocate",
        json={"invoice_number": town.office.dewi_invoice.number},
    )

    refused(response, 403, "access.forbidden")
    denied(town, before, "access.forbidden")


def test_staff_of_another_branch_may_not_refund_money_sent_for_a_bogor_kota_invoice(
    town: Town,
) -> None:
    invoice = town.office.dewi_invoice
    auditor = town.signed_in("auditor")
    send(auditor, notice_body(invoice.number, invoice.total + 1_000, "SBX-OVER", PAID_AT))
    [item] = auditor.get(SUSPENSE).json()
    before = len(town.audit())

    response = town.signed_in("officer_elsewhere").post(
        f"{SUSPENSE}/{item['id']}/refund", json={"note": "Transfer balik"}
    )

    refused(response, 403, "access.scope")
    denied(town, before, "access.scope")
    refunded = town.signed_in("officer").post(
        f"{SUSPENSE}/{item['id']}/refund", json={"note": "Transfer balik"}
    )
    assert refunded.status_code == 200, refunded.text


# -- 2. a fresh consent code ----------------------------------------------------------------------


def resend(client: TestClient, town: Town, *, page: bool = False) -> object:
    if page:
        return client.post(
            f"/persetujuan/{town.rina_sponsorship}/kirim-ulang", follow_redirects=False
        )
    return client.post(f"/api/v1/sponsorships/{town.rina_sponsorship}/consent/resend")


@pytest.mark.parametrize("on_page", [False, True], ids=["api", "page"])
@pytest.mark.parametrize("who", ["ratna", "rina", "officer", "supervisor"])
def test_the_sponsor_the_worker_and_her_branchs_staff_get_a_fresh_consent_code_sent(
    town: Town, who: str, on_page: bool
) -> None:
    # One resend each: the phone takes 3 codes per 15 minutes, and Rina's own sign-in and
    # the enrolment spent two.
    client = town.signed_in(who, api=not on_page, web=on_page)
    sent = len(town.provider.sent_to(PHONES["rina"]))

    response = resend(client, town, page=on_page)

    status = getattr(response, "status_code", None)
    assert status == (303 if on_page else 202), getattr(response, "text", "")
    assert len(town.provider.sent_to(PHONES["rina"])) == sent + 1


@pytest.mark.parametrize(
    ("who", "rule"),
    [
        ("hadi", "access.scope"),  # another sponsor
        ("siti", "access.scope"),  # another worker (of the same sponsor)
        ("officer_elsewhere", "access.scope"),
        ("supervisor_elsewhere", "access.scope"),
        ("agent", "access.forbidden"),  # an agent unrelated to the worker
        ("auditor", "access.forbidden"),
    ],
)
def test_nobody_else_can_have_consent_codes_sent_to_the_workers_phone(
    town: Town, who: str, rule: str
) -> None:
    client = town.signed_in(who)
    sent = len(town.provider.sent_to(PHONES["rina"]))
    before = len(town.audit())

    api = resend(client, town)

    refused(api, 403, rule)
    logged = denied(town, before, rule)
    if rule == "access.scope":  # (a role without the permission is refused at the route)
        assert (logged.action, logged.entity_id) == ("consent.resend", town.rina_sponsorship)
    page_refused(resend(client, town, page=True))
    assert len(town.provider.sent_to(PHONES["rina"])) == sent


# -- 3. a sponsor's reach ends with the sponsorship -----------------------------------------------


def siti_sponsorship(town: Town) -> str:
    [line] = town.container.sponsorships.for_member(CONSOLE, town.office.siti)
    return line.sponsorship.id


def worker_reads(client: TestClient, member_id: str) -> dict[str, int]:
    """The status of every read of the worker's record, API and pages."""
    return {
        path: client.get(path).status_code
        for path in (
            f"/api/v1/members/{member_id}",
            f"/api/v1/members/{member_id}/coverage",
            f"/api/v1/members/{member_id}/sponsorships",
            f"/peserta/{member_id}",
            f"/peserta/{member_id}/perlindungan",
        )
    }


def test_a_sponsor_reads_the_worker_while_the_sponsorship_lasts(town: Town) -> None:
    ratna = town.signed_in("ratna")

    assert set(worker_reads(ratna, town.office.siti).values()) == {200}


def test_after_the_sponsorship_ends_the_former_sponsor_no_longer_reads_the_worker(
    town: Town,
) -> None:
    siti = town.signed_in("siti")
    assert siti.post(f"/api/v1/sponsorships/{siti_sponsorship(town)}/end").status_code == 200
    ratna = town.signed_in("ratna")
    before = len(town.audit())

    reads = worker_reads(ratna, town.office.siti)

    assert set(reads.values()) == {403}, reads
    refusals = [e for e in town.audit()[before:] if e.outcome is Outcome.DENIED]
    assert len(refusals) == len(reads)
    assert {(e.reason, e.entity_id) for e in refusals} == {("access.scope", town.office.siti)}
    api = ratna.get(f"/api/v1/members/{town.office.siti}")
    assert "Siti" not in api.text and "0812" not in api.text
    # Her sheet no longer lists Siti; Asep, still sponsored, is read as before.
    sheet = ratna.get(f"/api/v1/sponsors/{town.office.sponsor_id}").json()
    assert town.office.siti not in str(sheet) and "Siti" not in str(sheet)
    assert set(worker_reads(ratna, town.office.asep).values()) == {200}


@pytest.mark.parametrize("who", ["siti", "officer", "supervisor", "auditor"])
def test_the_worker_and_staff_still_read_her_after_the_sponsorship_ended(
    town: Town, who: str
) -> None:
    town.container.sponsorships.end(CONSOLE, siti_sponsorship(town))

    assert set(worker_reads(town.signed_in(who), town.office.siti).values()) == {200}


def test_the_former_sponsor_still_reads_the_invoice_she_paid_without_the_workers_name(
    town: Town,
) -> None:
    invoice = town.office.sponsor_invoice
    send(town.signed_in("auditor"), notice_body(invoice.number, invoice.total, "SBX-R", PAID_AT))
    town.container.sponsorships.end(CONSOLE, siti_sponsorship(town))
    ratna = town.signed_in("ratna")
    with town.container.uow() as uow:
        member = uow.members.get(town.office.siti)
    assert member is not None

    api = ratna.get(f"{INVOICES}/{invoice.id}")
    listed = ratna.get(INVOICES, params={"payer_kind": "sponsor", "payer_id": invoice.payer_id})
    page = ratna.get(f"/tagihan/{invoice.id}")

    assert api.status_code == 200, api.text
    assert (api.json()["total"], api.json()["status"]) == (invoice.total, "paid")
    assert {line["member_id"] for line in api.json()["lines"]} == {
        town.office.siti,
        town.office.asep,
    }
    assert [i["id"] for i in listed.json()] == [invoice.id]
    assert page.status_code == 200
    shown = text_of(page)
    assert "Siti" not in shown and "Rahmawati" not in shown
    assert f"KPJ {mask_kpj(member.kpj)}" in shown
    assert "Asep Suryana" in shown  # still hers


# -- 4. a worker sees only her own line -----------------------------------------------------------


@pytest.mark.parametrize(("who", "own"), [("siti", "siti"), ("asep", "asep")])
def test_a_worker_on_the_sponsors_invoice_reads_only_her_own_line_and_no_total(
    town: Town, who: str, own: str
) -> None:
    invoice = town.office.sponsor_invoice
    mine = getattr(town.office, own)
    client = town.signed_in(who)

    api = client.get(f"{INVOICES}/{invoice.id}")
    page = client.get(f"/tagihan/{invoice.id}")
    fragment = client.get(f"/tagihan/{invoice.id}/status")

    assert api.status_code == 200, api.text
    body = api.json()
    assert [line["member_id"] for line in body["lines"]] == [mine]
    assert body["total"] is None and body["only_own_line"] is True
    assert (body["payer_kind"], body["payer_id"], body["status"]) == (
        "sponsor",
        town.office.sponsor_id,
        "open",
    )
    other_total = sum(
        line.total
        for line in town.container.invoices.invoice(CONSOLE, invoice.id)[1]
        if line.member_id != mine
    )
    assert page.status_code == 200 and fragment.status_code == 200
    assert "Ibu Ratna" in text_of(page)  # who pays
    assert _rupiah(body_line_total(body)) in text_of(page)  # her own line
    for shown in (text_of(page), text_of(fragment)):
        assert _rupiah(invoice.total) not in shown
        assert _rupiah(other_total) not in shown
        assert "Bayar tagihan ini" not in shown  # paying shows the whole total
    other_name = "Asep" if who == "siti" else "Siti"
    assert other_name not in text_of(page)


def test_a_worker_may_not_open_a_charge_for_the_sponsors_invoice(town: Town) -> None:
    siti = town.signed_in("siti")
    before = len(town.audit())

    response = siti.post(
        f"{INVOICES}/{town.office.sponsor_invoice.id}/checkout", json={"channel": "va_bri"}
    )

    refused(response, 403, "access.scope")
    denied(town, before, "access.scope")
    assert str(town.office.sponsor_invoice.total) not in response.text


def test_a_workers_coverage_shows_her_share_of_the_sponsors_invoice_not_its_total(
    town: Town,
) -> None:
    invoice = town.office.sponsor_invoice
    [own] = [
        line
        for line in town.container.invoices.invoice(CONSOLE, invoice.id)[1]
        if line.member_id == town.office.siti
    ]

    cover = town.signed_in("siti").get(f"/api/v1/members/{town.office.siti}/coverage").json()

    assert [(i["id"], i["total"]) for i in cover["open_invoices"]] == [(invoice.id, own.total)]
    assert cover["to_pay"] == own.total


@pytest.mark.parametrize("who", ["ratna", "officer", "supervisor", "auditor"])
def test_the_payer_and_staff_read_the_whole_invoice(town: Town, who: str) -> None:
    invoice = town.office.sponsor_invoice
    client = town.signed_in(who)

    api = client.get(f"{INVOICES}/{invoice.id}").json()
    page = client.get(f"/tagihan/{invoice.id}")

    assert api["total"] == invoice.total and api["only_own_line"] is False
    assert {line["member_id"] for line in api["lines"]} == {town.office.siti, town.office.asep}
    assert page.status_code == 200
    assert _rupiah(invoice.total) in text_of(page)
    assert "Siti Rahmawati" in text_of(page) and "Asep Suryana" in text_of(page)


@pytest.mark.parametrize(
    ("who", "rule"),
    [
        ("dewi", "access.scope"),  # a worker of the branch, not on it
        ("hadi", "access.scope"),  # another sponsor
        ("officer_elsewhere", "access.scope"),
        ("agent", "access.forbidden"),
    ],
)
def test_nobody_else_reads_the_sponsors_invoice(town: Town, who: str, rule: str) -> None:
    invoice = town.office.sponsor_invoice
    client = town.signed_in(who)
    before = len(town.audit())

    refused(client.get(f"{INVOICES}/{invoice.id}"), 403, rule)
    denied(town, before, rule)
    page_refused(client.get(f"/tagihan/{invoice.id}"))


def test_a_worker_reads_her_own_invoice_whole(town: Town) -> None:
    invoice = town.office.invoice(PayerKind.MEMBER, town.office.dewi)

    body = town.signed_in("dewi").get(f"{INVOICES}/{invoice.id}").json()

    assert (body["total"], body["only_own_line"]) == (invoice.total, False)


def body_line_total(body: dict[str, object]) -> int:
    [line] = body["lines"]  # type: ignore[misc]
    return int(line["total"])


def _rupiah(amount: int) -> str:
    """As the pages write money: Rp28.400."""
    return f"Rp{amount:,}".replace(",", ".")
