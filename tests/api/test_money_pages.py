"""Money pages that tell the truth (issue 16, point 1), as each role reads them.

The small Bogor office: Ibu Ratna pays for Siti and Asep, Dewi pays for herself; everyone
enrolled on 1 July 2026; the clock stands on 1 December 2026, 09.00 WIB. A worker sees and can
pay only what is theirs to pay; a worker enrolled after the month's invoice is billed on a
supplementary invoice with its own pay button; an invoice is headed by the months it bills;
receipts and the membership card are PDFs cut as the pages are; QRIS is a QR image.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sertakan.access.roles import Role
from sertakan.app import create_app
from sertakan.billing.model import Invoice, InvoiceStatus, PayerKind
from sertakan.bootstrap import Container
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.kernel.periods import Month
from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.nik import build_nik
from tests.support.auth import CONSOLE, FormClient, phone_bearer, web_phone_sign_in, web_sign_in
from tests.support.builders import a_worker, open_small_office
from tests.support.containers import sqlite_container
from tests.support.notices import notice_body, signed

ENROLLED = dt.datetime(2026, 7, 1, 9, 0, tzinfo=WIB)
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=WIB)
DECEMBER = Month(2026, 12)
SPONSOR_PHONE = "+6281298765432"
SITI_PHONE = "+6281234567890"
DEWI_PHONE = "+6285712345678"
RINA_PHONE = "+6281311112222"
SPONSOR_TOTAL = "Rp41.800"  # Siti's Rp28.400 and Asep's Rp13.400


@dataclass
class Office:
    container: Container
    clock: FixedClock
    provider: RecordingProvider
    sponsor_id: str
    siti: str
    asep: str
    dewi: str
    clients: list[FormClient] = field(default_factory=list)
    paid: int = 0

    def client(self, phone: str | None = None, staff: str | None = None) -> FormClient:
        client = FormClient(create_app(self.container), raise_server_exceptions=False)
        client.__enter__()
        self.clients.append(client)
        if phone:
            web_phone_sign_in(client, self.provider, phone)
        if staff:
            web_sign_in(client, staff)
        return client

    def invoices(self, kind: PayerKind, payer_id: str) -> list[Invoice]:
        return self.container.invoices.for_payer(CONSOLE, kind, payer_id)

    def issue(self, kind: PayerKind, payer_id: str, month: Month = DECEMBER) -> Invoice:
        report = self.container.invoices.issue_for_payer(CONSOLE, kind, payer_id, month)
        [invoice_id] = report.issued
        return next(i for i in self.invoices(kind, payer_id) if i.id == invoice_id)

    def pay(self, invoice: Invoice) -> None:
        self.paid += 1
        body = notice_body(invoice.number, invoice.total, f"SBX-{self.paid:04d}", NOW)
        self.container.payments.receive(body, signed(body))

    def enrol_rina(self) -> str:
        """Ibu Ratna's third worker, enrolled today (after December's invoice, if issued)."""
        card = self.container.registry.enrol_member(
            CONSOLE,
            dataclasses.replace(
                a_worker(),
                nik=build_nik("327101", dt.date(1998, 2, 3), "F", 21),
                full_name="Rina Wulandari",
                birth_date=dt.date(1998, 2, 3),
                phone="081311112222",
                sponsor_id=self.sponsor_id,
            ),
        )
        return card.member.id


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    clock = FixedClock(ENROLLED)
    provider = RecordingProvider()
    with sqlite_container(tmp_path, clock=clock, provider=provider) as container:
        people = open_small_office(container, staff=(Role.OFFICER,), asep_phone="081377778888")
        clock.moment = NOW
        opened = Office(
            container, clock, provider, people.sponsor_id, people.siti, people.asep, people.dewi
        )
        yield opened
        for client in opened.clients:
            client.__exit__(None, None, None)


def text_of(response: object) -> str:
    raw = re.sub(r"<[^>]+>", " ", getattr(response, "text", ""))
    return " ".join(html.unescape(raw).split())


def pdf_text(body: bytes) -> str:
    """The text a PDF draws: its content streams inflated, the shown strings joined."""
    assert body.startswith(b"%PDF-")
    shown: list[str] = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S):
        try:
            content = zlib.decompress(stream)
        except zlib.error:
            content = stream
        for found in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", content):
            shown.append(re.sub(rb"\\(.)", rb"\1", found).decode("latin-1"))
    return " ".join(" ".join(shown).split())


# -- a sponsored worker --------------------------------------------------------------------


def test_a_sponsored_worker_sees_her_share_and_who_pays_never_a_button_for_the_sponsors_total(
    office: Office,
) -> None:
    invoice = office.issue(PayerKind.SPONSOR, office.sponsor_id)
    siti = office.client(SITI_PHONE)

    protection = siti.get("/perlindungan")
    own = siti.get("/tagihan")
    shared = siti.get(f"/tagihan/{invoice.id}")

    for page in (protection, own, shared):
        assert page.status_code == 200
        assert SPONSOR_TOTAL not in text_of(page)
        assert 'name="kanal"' not in page.text
        assert "Lihat dan bayar" not in text_of(page)
        assert "Asep" not in text_of(page)
    assert "Rp28.400 (bagian Anda)" in text_of(protection)
    assert "Menunggu Ibu Ratna membayar Rp28.400 untuk Desember 2026" in text_of(protection)
    assert "agar terlindungi kembali" not in text_of(protection)
    assert "Dibayar oleh Ibu Ratna" in text_of(protection)
    months = text_of(own)
    assert (
        "Desember 2026 Rp28.400 Menunggu pembayaran ditagihkan kepada Ibu Ratna · "
        "jatuh tempo 15 Desember 2026"
    ) in months
    # Nor can she pay it by hand: the charge would be for the whole invoice.
    refused = siti.post(f"/tagihan/{invoice.id}/bayar", data={"kanal": "qris"})
    assert refused.status_code == 403


def test_once_the_sponsor_paid_the_workers_tagihan_says_paid_by_whom_and_when(
    office: Office,
) -> None:
    invoice = office.issue(PayerKind.SPONSOR, office.sponsor_id)
    office.pay(invoice)
    siti = office.client(SITI_PHONE)

    page = text_of(siti.get("/tagihan"))

    assert "Tagihan bulan ini belum dibuat" not in page
    assert (
        "Desember 2026 Rp28.400 Lunas dibayar 1 Desember 2026, 09.00 WIB · oleh Ibu Ratna" in page
    )
    assert f'href="/tagihan/{invoice.id}/kuitansi.pdf"' in siti.get("/tagihan").text


def test_the_invoice_api_gives_a_worker_her_line_not_payable_and_the_payer_the_whole(
    office: Office,
) -> None:
    invoice = office.issue(PayerKind.SPONSOR, office.sponsor_id)
    siti = office.client()
    siti.headers.update(phone_bearer(siti, office.provider, SITI_PHONE))
    ratna = office.client()
    ratna.headers.update(phone_bearer(ratna, office.provider, SPONSOR_PHONE))

    as_worker = siti.get(f"/api/v1/invoices/{invoice.id}").json()
    as_payer = ratna.get(f"/api/v1/invoices/{invoice.id}").json()

    assert (as_worker["total"], as_worker["payable"], as_worker["months"]) == (
        None,
        False,
        ["2026-12"],
    )
    assert [line["member_id"] for line in as_worker["lines"]] == [office.siti]
    assert (as_payer["total"], as_payer["payable"]) == (41_800, True)
    assert len(as_payer["lines"]) == 2


# -- a worker enrolled after the month's invoice ---------------------------------------------


def test_a_worker_enrolled_after_the_months_invoice_is_billed_on_a_supplementary_one(
    office: Office,
) -> None:
    first = office.issue(PayerKind.SPONSOR, office.sponsor_id)
    rina = office.enrol_rina()
    sponsor = office.client(SPONSOR_PHONE)

    before = sponsor.get("/tagihan")
    tapped = sponsor.post("/tagihan/buat", data={"lanjut": "bayar"}, follow_redirects=False)
    again = sponsor.post("/tagihan/buat", data={"lanjut": "bayar"}, follow_redirects=False)

    assert "1 pekerja belum ada di tagihan bulan ini" in text_of(before)
    assert "Buat tagihan tambahan dan bayar" in text_of(before)
    assert tapped.status_code == 303
    supplement_id = tapped.headers["location"].removeprefix("/tagihan/").split("#")[0]
    invoices = {i.id: i for i in office.invoices(PayerKind.SPONSOR, office.sponsor_id)}
    assert set(invoices) == {first.id, supplement_id}
    assert invoices[first.id].total == 41_800  # an issued invoice never grows
    lines = office.container.invoices.read(CONSOLE, supplement_id).lines
    assert [(line.member_id, line.month) for line in lines] == [(rina, DECEMBER)]
    # Issuing again bills nothing twice (one live invoice per member and month).
    assert again.status_code == 200
    assert "Tidak ada iuran yang perlu ditagih bulan ini." in text_of(again)
    page = sponsor.get(tapped.headers["location"])
    assert 'name="kanal"' in page.text
    assert "Bayar Rp28.400" in text_of(page)


def test_a_self_paying_worker_with_no_invoice_bills_and_reaches_the_pay_form_in_one_tap(
    office: Office,
) -> None:
    dewi = office.client(DEWI_PHONE)

    status = dewi.get("/perlindungan")
    tapped = dewi.post(
        "/tagihan/buat",
        data={"pembayar": "member", "id": office.dewi, "lanjut": "bayar"},
        follow_redirects=False,
    )

    assert "Belum ada tagihan yang bisa dibayar" not in text_of(status)
    assert "Buat tagihan bulan ini dan bayar" in text_of(status)
    [invoice] = office.invoices(PayerKind.MEMBER, office.dewi)
    assert tapped.headers["location"] == f"/tagihan/{invoice.id}#form-bayar"


def test_a_sponsored_worker_without_an_invoice_is_told_who_bills_it_and_gets_no_button(
    office: Office,
) -> None:
    office.enrol_rina()
    rina = office.client(RINA_PHONE)

    status = text_of(rina.get("/perlindungan"))

    assert "Iuran bulan ini dibayar oleh Ibu Ratna; tagihannya belum dibuat." in status
    assert "Buat tagihan bulan ini dan bayar" not in status


# -- headings by the months billed -----------------------------------------------------------


def test_a_bill_of_months_ahead_for_january_alone_is_headed_january_not_december(
    office: Office,
) -> None:
    december = office.issue(PayerKind.MEMBER, office.dewi)
    office.pay(december)
    dewi = office.client(DEWI_PHONE)
    ahead = dewi.post("/tagihan/di-muka", data={"bulan": "2"}, follow_redirects=False)
    january = ahead.headers["location"].removeprefix("/tagihan/")

    payer = text_of(dewi.get("/tagihan"))
    detail = text_of(dewi.get(f"/tagihan/{january}"))
    detail = detail[detail.index("Tagihan iuran") :]

    current = payer[payer.index("Tagihan Desember 2026") : payer.index("Bayar di muka")]
    assert "Lunas" in current and "Menunggu pembayaran" not in current
    assert december.number in current
    assert "Bulan iuran Januari 2027 (bayar di muka)" in detail
    number = office.container.invoices.read(CONSOLE, january).invoice.number
    assert detail.startswith(f"Tagihan iuran Tagihan Januari 2027 {number} Menunggu pembayaran")
    history = payer[payer.index("Riwayat per bulan") :]
    assert re.search(r"Januari 2027 INV-202612-\w+ Rp36\.800 Januari 2027 · bayar di muka", history)


# -- documents --------------------------------------------------------------------------------


def test_the_sponsor_downloads_a_receipt_of_the_paid_invoice_as_pdf(office: Office) -> None:
    invoice = office.issue(PayerKind.SPONSOR, office.sponsor_id)
    sponsor = office.client(SPONSOR_PHONE)

    unpaid = sponsor.get(f"/tagihan/{invoice.id}/kuitansi.pdf")
    office.pay(invoice)
    receipt = sponsor.get(f"/tagihan/{invoice.id}/kuitansi.pdf")

    assert unpaid.status_code == 409
    assert "Kuitansi ada setelah tagihan lunas." in text_of(unpaid)
    assert receipt.status_code == 200
    assert receipt.headers["content-type"] == "application/pdf"
    assert receipt.headers["cache-control"] == "no-store"
    text = pdf_text(receipt.content)
    for expected in (invoice.number, "Rp41.800", "Ibu Ratna", "Siti Rahmawati", "Asep Suryana"):
        assert expected in text
    assert "SBX-0001" in text


def test_a_workers_receipt_of_her_sponsors_invoice_holds_her_line_only(office: Office) -> None:
    invoice = office.issue(PayerKind.SPONSOR, office.sponsor_id)
    office.pay(invoice)
    siti = office.client(SITI_PHONE)

    text = pdf_text(siti.get(f"/tagihan/{invoice.id}/kuitansi.pdf").content)

    assert "Siti Rahmawati" in text and "Rp28.400" in text
    assert "Asep" not in text and "Rp41.800" not in text
    assert "Ibu Ratna" in text  # who paid it


def test_the_membership_card_pdf_has_kpj_programmes_and_protected_until_and_no_nik_or_phone(
    office: Office,
) -> None:
    invoice = office.issue(PayerKind.SPONSOR, office.sponsor_id)
    office.pay(invoice)
    siti = office.client(SITI_PHONE)
    member = office.container.registry.member_card(CONSOLE, office.siti).member

    card = siti.get(f"/peserta/{office.siti}/kartu.pdf")

    assert card.status_code == 200 and card.headers["content-type"] == "application/pdf"
    text = pdf_text(card.content)
    for expected in (
        "Siti Rahmawati",
        member.kpj,
        "Jaminan Kecelakaan Kerja",
        "Jaminan Kematian",
        "Jaminan Hari Tua",
        "Terlindungi sampai 31 Desember 2026",
    ):
        assert expected in text
    assert member.nik not in text and "081234567890" not in text and "Pajajaran" not in text


def test_documents_are_scoped_like_the_pages(office: Office) -> None:
    invoice = office.issue(PayerKind.MEMBER, office.dewi)
    office.pay(invoice)
    sponsor = office.client(SPONSOR_PHONE)
    siti = office.client(SITI_PHONE)
    officer = office.client(staff="officer")

    assert sponsor.get(f"/tagihan/{invoice.id}/kuitansi.pdf").status_code == 403
    assert siti.get(f"/tagihan/{invoice.id}/kuitansi.pdf").status_code == 403
    assert sponsor.get(f"/peserta/{office.dewi}/kartu.pdf").status_code == 403
    assert siti.get(f"/peserta/{office.dewi}/kartu.pdf").status_code == 403
    assert sponsor.get(f"/peserta/{office.siti}/kartu.pdf").status_code == 200
    assert officer.get(f"/tagihan/{invoice.id}/kuitansi.pdf").status_code == 200
    assert officer.get("/peserta/tidak-ada/kartu.pdf").status_code == 404


def test_the_english_receipt_is_in_english(office: Office) -> None:
    invoice = office.issue(PayerKind.MEMBER, office.dewi)
    office.pay(invoice)
    dewi = office.client(DEWI_PHONE)

    text = pdf_text(dewi.get(f"/tagihan/{invoice.id}/kuitansi.pdf?lang=en").content)

    assert "Receipt" in text and "December 2026" in text and "Kuitansi" not in text


def test_the_sandbox_bank_shows_qris_as_a_scannable_qr_code(office: Office) -> None:
    invoice = office.issue(PayerKind.MEMBER, office.dewi)
    dewi = office.client(DEWI_PHONE)

    paying = dewi.post(f"/tagihan/{invoice.id}/bayar", data={"kanal": "qris"})

    assert paying.status_code == 200
    image = re.search(r"<dd data-qris-image>\s*(<svg.*?</svg>)", paying.text, re.S)
    assert image is not None
    width = int(re.search(r'width="(\d+)"', image.group(1)).group(1))  # type: ignore[union-attr]
    # A full QR code (never Micro QR): at least 21 modules and the 4-module quiet zone, 5 px
    # each.
    assert width >= (21 + 8) * 5
    assert invoice.status is InvoiceStatus.OPEN


def test_the_member_months_api_gives_a_worker_her_share_and_who_pays_and_nobody_elses(
    office: Office,
) -> None:
    invoice = office.issue(PayerKind.SPONSOR, office.sponsor_id)
    siti = office.client()
    siti.headers.update(phone_bearer(siti, office.provider, SITI_PHONE))
    ratna = office.client()
    ratna.headers.update(phone_bearer(ratna, office.provider, SPONSOR_PHONE))

    own = siti.get("/api/v1/invoices/member-months", params={"member_id": office.siti})
    others = siti.get("/api/v1/invoices/member-months", params={"member_id": office.dewi})
    as_sponsor = ratna.get("/api/v1/invoices/member-months", params={"member_id": office.siti})

    assert own.status_code == 200
    [december] = own.json()
    assert (december["month"], december["state"], december["amount"]) == (
        "2026-12",
        "billed",
        28_400,
    )
    assert (december["invoice_id"], december["payer_name"], december["payable"]) == (
        invoice.id,
        "Ibu Ratna",
        False,
    )
    assert others.status_code == 403
    assert as_sponsor.json()[0]["payable"] is True
