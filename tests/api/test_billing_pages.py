"""The billing pages (issue 6): Tagihan, paying through the gateway and the receipt, Status
perlindungan, arrears per village and the suspense list, each as the roles who use them.

A branch office in Kota Bogor: Ibu Ratna pays for Siti (household helper, Batu Tulis) and
Asep (a driver, Batu Tulis); Dewi (Bondongan) pays for herself. Everyone enrolled on 1 July
2026 and nobody has paid yet; the clock then stands on 1 December 2026, 09.00 WIB, so this
month's invoice is December's, due 15 December 2026. The gateway's notice is applied the way
the API applies it (`payments.receive`): in these tests it does not arrive by itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from sertakan.access.roles import Role
from sertakan.app import create_app
from sertakan.billing.model import Invoice, InvoiceStatus, PayerKind, SuspenseItem
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.kernel.periods import Month
from sertakan.notifications.providers import RecordingProvider
from tests.support.auth import CONSOLE, FormClient, web_phone_sign_in, web_sign_in
from tests.support.builders import SmallOffice, open_small_office
from tests.support.containers import sqlite_container
from tests.support.notices import notice_body, signed
from tests.support.pages import text_of

ENROLLED = dt.datetime(2026, 7, 1, 9, 0, tzinfo=WIB)
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=WIB)
DECEMBER = Month(2026, 12)
NOVEMBER = Month(2026, 11)
SPONSOR_PHONE = "+6281298765432"
SITI_PHONE = "+6281234567890"
DEWI_PHONE = "+6285712345678"


@dataclass
class Office(SmallOffice):
    """The small office, with browsers signed in to it and the gateway's notices applied."""

    provider: RecordingProvider
    clients: list[FormClient] = dataclasses.field(default_factory=list)
    paid: int = 0

    def client(self, phone: str | None = None, staff: str | None = None) -> FormClient:
        """A browser of its own, signed in with a phone code or as a staff account."""
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
        self.container.invoices.issue_for_payer(CONSOLE, kind, payer_id, month)
        return next(i for i in self.invoices(kind, payer_id) if i.month == month)

    def pay(self, invoice: Invoice, amount: int | None = None, number: str = "") -> None:
        """The gateway's signed notice (a new transaction each time), as the API receives it."""
        self.paid += 1
        body = notice_body(
            number or invoice.number,
            invoice.total if amount is None else amount,
            f"SBX-{self.paid:04d}",
            self.clock.now(),
        )
        self.container.payments.receive(body, signed(body))

    def suspense(self) -> list[SuspenseItem]:
        return self.container.payments.suspense(CONSOLE)


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    clock = FixedClock(ENROLLED)
    provider = RecordingProvider()
    with sqlite_container(tmp_path, clock=clock, provider=provider) as container:
        people = open_small_office(
            container,
            staff=(Role.OFFICER, Role.AUDITOR),
            asep_phone="081377778888",
            dewi_region="32.71.01.1002",  # Bondongan
        )
        clock.moment = NOW
        opened = Office(**vars(people), provider=provider)
        yield opened
        for client in opened.clients:
            client.__exit__(None, None, None)


def block(response: object, marker: str) -> str:
    """The text of the first element whose opening tag holds `marker`, to its own end."""
    page = getattr(response, "text", "")
    start = page.rfind("<", 0, page.index(marker) + 1)
    found = re.match(r"<(\w+)", page[start:])
    assert found is not None, marker
    name = found.group(1)
    depth = 0
    for tag in re.finditer(rf"<(/?){name}\b[^>]*>", page[start:]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            inner = page[start : start + tag.end()]
            return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inner)).split())
    raise AssertionError(f"<{name}> holding {marker!r} is never closed")


# -- Tagihan ------------------------------------------------------------------------------


def test_a_sponsor_without_this_months_invoice_gets_a_button_that_issues_it(
    office: Office,
) -> None:
    sponsor = office.client(SPONSOR_PHONE)

    before = sponsor.get("/tagihan")
    issued = sponsor.post("/tagihan/buat", data={}, follow_redirects=False)
    after = sponsor.get(issued.headers["location"])

    assert before.status_code == 200
    assert "Tagihan bulan ini belum dibuat." in text_of(before)
    assert "Buat tagihan bulan ini" in text_of(before)
    assert issued.status_code == 303
    assert issued.headers["location"] == "/tagihan?pesan=dibuat"
    [invoice] = office.invoices(PayerKind.SPONSOR, office.sponsor_id)
    page = text_of(after)
    assert "Tagihan bulan ini sudah dibuat." in page
    assert "Buat tagihan bulan ini" not in page
    assert invoice.number in page and invoice.number.startswith("INV-202612-")
    assert "Tagihan Desember 2026" in page
    assert "Jatuh tempo 15 Desember 2026" in page
    assert "Total tagihan: Rp41.800" in page


def test_this_months_invoice_shows_each_workers_parts_after_the_pp_50_2025_discount(
    office: Office,
) -> None:
    office.issue(PayerKind.SPONSOR, office.sponsor_id)
    sponsor = office.client(SPONSOR_PHONE)

    response = sponsor.get("/tagihan")

    siti = block(response, f'data-member="{office.siti}"')
    asep = block(response, f'data-member="{office.asep}"')
    # Siti, 1,000,000 a month: JKK 10,000 and JKM 6,800 halved by PP 50/2025; JHT 20,000.
    assert siti == (
        "Siti Rahmawati Desember 2026 JKK Rp5.000 JKM Rp3.400 JHT Rp20.000 "
        "Potongan PP 50/2025 (sudah dipotong) −Rp8.400 Jumlah Rp28.400"
    )
    assert "JHT" not in asep  # Asep chose JKK and JKM only
    assert asep.endswith("Jumlah Rp13.400")
    assert "Total tagihan: Rp41.800" in text_of(response)
    assert 'name="kanal" value="va_bri"' in response.text
    assert "Virtual Account BRI" in text_of(response) and "QRIS" in text_of(response)


def test_paying_sends_the_payer_to_the_gateway_with_the_way_back_to_the_invoice(
    office: Office,
) -> None:
    invoice = office.issue(PayerKind.SPONSOR, office.sponsor_id)
    sponsor = office.client(SPONSOR_PHONE)

    response = sponsor.post(
        f"/tagihan/{invoice.id}/bayar", data={"kanal": "va_bri"}, follow_redirects=False
    )

    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert location.path.startswith("/sandbox/bayar/SBX-")
    assert parse_qs(location.query) == {"return_url": [f"/tagihan/{invoice.id}"]}
    assert f"return_url=%2Ftagihan%2F{invoice.id}" in response.headers["location"]
    bank = sponsor.get(f"{location.path}?{location.query}")
    assert "Rp41.800" in bank.text and invoice.number in bank.text


def test_paying_without_a_channel_says_so_in_indonesian_and_opens_no_charge(
    office: Office,
) -> None:
    invoice = office.issue(PayerKind.SPONSOR, office.sponsor_id)
    sponsor = office.client(SPONSOR_PHONE)

    response = sponsor.post(f"/tagihan/{invoice.id}/bayar", data={}, follow_redirects=False)

    assert response.status_code == 422
    assert "Pilih kanal pembayaran" in block(response, 'id="galat-kanal"')
    assert "Menunggu pembayaran" in text_of(response)
    assert invoice.number in text_of(response)


def test_the_open_invoice_polls_its_status_and_shows_the_receipt_once_the_notice_lands(
    office: Office,
) -> None:
    invoice = office.issue(PayerKind.SPONSOR, office.sponsor_id)
    sponsor = office.client(SPONSOR_PHONE)

    waiting = sponsor.get(f"/tagihan/{invoice.id}")
    office.pay(invoice)
    status = sponsor.get(f"/tagihan/{invoice.id}/status")
    paid = sponsor.get(f"/tagihan/{invoice.id}")

    assert "Menunggu pembayaran" in block(waiting, 'id="status-tagihan"')
    assert f'hx-get="/tagihan/{invoice.id}/status"' in waiting.text
    assert 'hx-trigger="every 3s"' in waiting.text
    assert status.status_code == 200
    assert "<html" not in status.text  # a fragment, not a page
    assert "hx-trigger" not in status.text  # paid: the polling stops
    assert 'id="form-bayar" hx-swap-oob="true"' in status.text  # and the pay form goes
    receipt = block(status, "data-receipt")
    assert receipt == (
        f"Kuitansi Nomor tagihan {invoice.number} Jumlah dibayar Rp41.800 "
        "Cara bayar Virtual Account BRI Diterima 1 Desember 2026, 09.00 WIB "
        "Bulan iuran Desember 2026 Pekerja 2 Nomor transaksi SBX-0001"
    )
    assert "Lunas" in text_of(status)
    assert "Dibayar 1 Desember 2026, 09.00 WIB" in text_of(paid)
    assert 'name="kanal"' not in paid.text


def test_a_self_paying_worker_sees_her_own_invoices_and_pays_three_months_ahead(
    office: Office,
) -> None:
    dewi = office.client(DEWI_PHONE)

    page = dewi.get("/tagihan")
    ahead = dewi.post("/tagihan/di-muka", data={"bulan": "3"}, follow_redirects=False)
    again = dewi.post("/tagihan/di-muka", data={"bulan": "3"}, follow_redirects=False)

    assert page.status_code == 200
    assert "Dewi Lestari" in block(page, "<h1")
    assert "3 bulan (Desember 2026 – Februari 2027)" in text_of(page)
    assert ahead.status_code == 303
    [invoice] = office.invoices(PayerKind.MEMBER, office.dewi)
    assert ahead.headers["location"] == f"/tagihan/{invoice.id}"
    detail = text_of(dewi.get(ahead.headers["location"]))
    assert "Bulan iuran Desember 2026 – Februari 2027 (bayar di muka)" in detail
    assert f"Total tagihan: Rp{invoice.total:,}".replace(",", ".") in detail
    # December at the PP 50/2025 price; January and February 2027 at the full 36,800, the
    # discount window having closed.
    assert invoice.total == 28_400 + 2 * 36_800
    # The same request again (a double tap): the same invoice, nothing issued twice.
    assert again.status_code == 303
    assert again.headers["location"] == ahead.headers["location"]
    assert len(office.invoices(PayerKind.MEMBER, office.dewi)) == 1
    # Fewer months than that invoice bills: nothing left to bill, said on the page.
    fewer = dewi.post("/tagihan/di-muka", data={"bulan": "2"}, follow_redirects=False)
    assert fewer.status_code == 409
    assert "Semua bulan yang diminta sudah ditagih atau sudah dibayar" in block(
        fewer, 'id="galat-bulan"'
    )


def test_the_history_shows_paid_with_its_date_cancelled_with_its_reason_and_arrears_in_red(
    office: Office,
) -> None:
    july = office.issue(PayerKind.MEMBER, office.dewi, Month(2026, 7))
    october = office.issue(PayerKind.MEMBER, office.dewi, Month(2026, 10))
    office.pay(october)
    # On 1 December the arrears window reaches back to September: July can no longer be paid.
    assert office.container.invoices.cancel_unpayable(CONSOLE, NOW.date()) == 1
    november = office.issue(PayerKind.MEMBER, office.dewi, NOVEMBER)
    dewi = office.client(DEWI_PHONE)

    response = dewi.get("/tagihan")

    assert 'data-status="overdue"' in response.text
    assert f"{november.number} Rp28.400 November 2026 Menunggak jatuh tempo 16 November 2026" in (
        text_of(response)
    )
    assert f"{october.number} Rp28.400 Oktober 2026 Lunas dibayar 1 Desember 2026, 09.00 WIB" in (
        text_of(response)
    )
    assert (
        f"{july.number} Rp28.400 Juli 2026 Dibatalkan "
        "Lewat batas 3 bulan tunggakan: tidak dapat dibayar lagi"
    ) in text_of(response)
    arrears = block(response, "data-arrears")
    assert "1 tagihan lewat jatuh tempo, total Rp28.400" in arrears
    assert november.number in arrears
    assert "Tagihan bulan ini belum dibuat." in text_of(response)


def test_a_worker_whose_sponsor_pays_is_told_so_and_sees_only_her_line_of_its_invoice(
    office: Office,
) -> None:
    invoice = office.issue(PayerKind.SPONSOR, office.sponsor_id)
    siti = office.client(SITI_PHONE)

    own = siti.get("/tagihan")
    shared = siti.get(f"/tagihan/{invoice.id}")

    assert "Iuran Anda dibayar oleh Ibu Ratna." in text_of(own)
    assert "Buat tagihan bulan ini" not in text_of(own)
    assert shared.status_code == 200
    assert "Siti Rahmawati" in text_of(shared)
    assert "Asep" not in text_of(shared)
    assert "Hanya bagian Anda yang ditampilkan." in text_of(shared)


def test_staff_open_a_sponsors_invoices_by_its_id_and_the_auditor_reads_without_paying(
    office: Office,
) -> None:
    office.issue(PayerKind.SPONSOR, office.sponsor_id)
    officer = office.client(staff="officer")
    auditor = office.client(staff="auditor")

    nobody_named = officer.get("/tagihan")
    as_officer = officer.get(f"/tagihan?sponsor={office.sponsor_id}")
    as_auditor = auditor.get(f"/tagihan?sponsor={office.sponsor_id}")
    auditor_pays = auditor.post("/tagihan/buat", data={}, follow_redirects=False)

    assert nobody_named.status_code == 200
    assert "Buka pemberi kerja atau peserta" in text_of(nobody_named)
    assert "Total tagihan: Rp41.800" in text_of(as_officer)
    assert 'name="kanal"' in as_officer.text
    assert "Total tagihan: Rp41.800" in text_of(as_auditor)
    assert 'name="kanal"' not in as_auditor.text
    assert "Bayar di muka" not in text_of(as_auditor)
    assert auditor_pays.status_code == 403


def test_a_sponsor_cannot_open_another_payers_invoices(office: Office) -> None:
    invoice = office.issue(PayerKind.MEMBER, office.dewi)
    sponsor = office.client(SPONSOR_PHONE)

    assert sponsor.get(f"/tagihan?peserta={office.dewi}").status_code == 403
    assert sponsor.get(f"/tagihan/{invoice.id}").status_code == 403
    refused = sponsor.post(
        f"/tagihan/{invoice.id}/bayar", data={"kanal": "qris"}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert "Dewi" not in refused.text


# -- Status perlindungan ------------------------------------------------------------------


def test_a_worker_sees_what_to_pay_and_then_terlindungi_sampai_the_end_of_the_paid_month(
    office: Office,
) -> None:
    invoice = office.issue(PayerKind.MEMBER, office.dewi)
    dewi = office.client(DEWI_PHONE)

    before = dewi.get("/perlindungan")
    office.pay(invoice)
    after = dewi.get("/perlindungan")
    card = dewi.get(f"/peserta/{office.dewi}")

    answer = block(before, "data-protected=")
    assert answer.startswith("Tidak terlindungi Menunggu pembayaran pertama")
    assert "Bayar Rp28.400 untuk Desember 2026 agar terlindungi kembali" in answer
    assert 'data-protected="no"' in before.text
    assert "Terlindungi sampai 31 Desember 2026" in block(after, "data-protected=")
    for program in ("JKK", "JKM", "JHT"):
        why = block(after, f'data-program="{program}"')
        assert 'data-covered="yes"' in after.text
        assert why.endswith(
            "Iuran Desember 2026 lunas 1 Desember 2026 pukul 09.00 WIB: terlindungi"
        )
    assert "Desember 2026 Rp28.400 diterima 1 Desember 2026, 09.00 WIB" in text_of(after)
    line = block(card, "protection-line")
    assert line.startswith("Terlindungi sampai 31 Desember 2026")
    assert f'href="/peserta/{office.dewi}/perlindungan"' in card.text


def test_a_worker_in_arrears_is_told_the_months_and_the_amount_that_bring_cover_back(
    office: Office,
) -> None:
    october = office.issue(PayerKind.MEMBER, office.dewi, Month(2026, 10))
    office.pay(october)
    office.issue(PayerKind.MEMBER, office.dewi, NOVEMBER)
    office.issue(PayerKind.MEMBER, office.dewi, DECEMBER)
    dewi = office.client(DEWI_PHONE)

    response = dewi.get("/perlindungan")

    answer = block(response, "data-protected=")
    assert answer.startswith("Tidak terlindungi Menunggak")
    assert "Bayar Rp56.800 untuk November 2026 – Desember 2026 agar terlindungi kembali" in answer
    assert "Bulan tertunggak: November 2026" in answer
    assert "Iuran Desember 2026 belum lunas pada 1 Desember 2026 pukul 09.00 WIB" in text_of(
        response
    )


def test_the_sponsor_and_staff_see_a_workers_protection_but_not_of_someone_elses_worker(
    office: Office,
) -> None:
    sponsor = office.client(SPONSOR_PHONE)
    officer = office.client(staff="officer")

    assert "Tidak terlindungi" in text_of(sponsor.get(f"/peserta/{office.siti}/perlindungan"))
    assert "Tidak terlindungi" in text_of(officer.get(f"/peserta/{office.dewi}/perlindungan"))
    assert sponsor.get(f"/peserta/{office.dewi}/perlindungan").status_code == 403
    hint = sponsor.get("/perlindungan")
    assert hint.status_code == 200
    assert f'href="/sponsor/{office.sponsor_id}"' in hint.text
    assert officer.get("/peserta/tidak-ada/perlindungan").status_code == 404


# -- Tunggakan and the suspense list ------------------------------------------------------


def test_arrears_are_grouped_by_village_with_each_villages_total(office: Office) -> None:
    office.issue(PayerKind.SPONSOR, office.sponsor_id, NOVEMBER)
    office.issue(PayerKind.MEMBER, office.dewi, NOVEMBER)
    office.issue(PayerKind.MEMBER, office.dewi, DECEMBER)  # not due yet: not arrears
    officer = office.client(staff="officer")

    response = officer.get("/tunggakan")

    assert response.status_code == 200
    assert block(response, 'data-stat="total"') == "Total tunggakan Rp70.200"
    assert block(response, 'data-stat="members"') == "Pekerja 3"
    batu_tulis = block(response, 'data-village="32.71.01.1001"')
    bondongan = block(response, 'data-village="32.71.01.1002"')
    assert batu_tulis.startswith("Batu Tulis Bogor Selatan, Kota Bogor 2 pekerja · Rp41.800")
    assert "Asep Suryana Rp13.400" in batu_tulis and "Siti Rahmawati Rp28.400" in batu_tulis
    assert "Ibu Ratna" in batu_tulis
    assert bondongan.startswith("Bondongan Bogor Selatan, Kota Bogor 1 pekerja · Rp28.400")
    assert "November 2026" in bondongan and "Mandiri" in bondongan
    assert "Desember 2026" not in bondongan
    auditor = office.client(staff="auditor")
    assert block(auditor.get("/tunggakan"), 'data-stat="total"') == "Total tunggakan Rp70.200"
    assert office.client(SPONSOR_PHONE).get("/tunggakan").status_code == 403


def test_a_wrong_allocation_is_explained_on_the_page_keeps_what_was_typed_and_changes_nothing(
    office: Office,
) -> None:
    invoice = office.issue(PayerKind.MEMBER, office.dewi)
    office.pay(invoice, amount=invoice.total - 1_000)  # paid short: suspense
    [item] = office.suspense()
    officer = office.client(staff="officer")

    listed = officer.get("/suspense")
    wrong_amount = officer.post(
        f"/suspense/{item.id}/alokasi",
        data={"invoice_number": invoice.number, "note": "bayar kurang"},
    )
    unknown = officer.post(
        f"/suspense/{item.id}/alokasi", data={"invoice_number": "INV-209901-DEADBEEF"}
    )
    no_note = officer.post(f"/suspense/{item.id}/kembalikan", data={"note": "  "})

    shown = block(listed, f'id="dana-{item.id}"')
    assert "Rp27.400 Jumlah tidak sama dengan tagihan" in shown
    assert invoice.number in shown and "Virtual Account BRI" in shown
    assert wrong_amount.status_code == 422
    assert "Jumlah dana tidak sama dengan total tagihan ini: kembalikan dananya" in block(
        wrong_amount, f'id="galat-{item.id}"'
    )
    assert f'value="{invoice.number}"' in wrong_amount.text
    assert 'value="bayar kurang"' in wrong_amount.text
    assert unknown.status_code == 422
    assert "Nomor tagihan tidak ditemukan" in block(unknown, f'id="galat-{item.id}"')
    assert no_note.status_code == 422
    assert "Tuliskan cara pengembalian dana" in block(no_note, f'id="galat-{item.id}"')
    assert office.suspense() == [item]  # still open, untouched
    assert office.container.invoices.invoice(CONSOLE, invoice.id)[0].status is InvoiceStatus.OPEN


def test_money_for_an_unknown_number_is_allocated_to_the_invoice_meant_and_settles_it(
    office: Office,
) -> None:
    invoice = office.issue(PayerKind.MEMBER, office.dewi)
    office.pay(invoice, number="INV-202612-SALAHKETIK")
    [item] = office.suspense()
    officer = office.client(staff="officer")

    response = officer.post(
        f"/suspense/{item.id}/alokasi",
        data={"invoice_number": f" {invoice.number} ", "note": "salah ketik nomor"},
        follow_redirects=False,
    )
    after = officer.get(response.headers["location"])

    assert response.status_code == 303
    assert f"Dana sudah dialokasikan ke tagihan {invoice.number}." in text_of(after)
    assert "Tidak ada dana di suspense." in text_of(after)
    assert office.container.invoices.invoice(CONSOLE, invoice.id)[0].status is InvoiceStatus.PAID
    dewi = office.client(DEWI_PHONE)
    assert "Terlindungi sampai 31 Desember 2026" in text_of(dewi.get("/perlindungan"))


def test_money_refunded_with_a_note_leaves_the_list(office: Office) -> None:
    invoice = office.issue(PayerKind.MEMBER, office.dewi)
    office.pay(invoice)
    office.pay(invoice)  # the same invoice paid again, in another transaction
    [item] = office.suspense()
    officer = office.client(staff="officer")

    response = officer.post(
        f"/suspense/{item.id}/kembalikan",
        data={"note": "Transfer balik ke rekening BRI pembayar"},
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert "Dana ditandai untuk dikembalikan" in text_of(officer.get(response.headers["location"]))
    assert office.suspense() == []


def test_the_auditor_reads_the_suspense_list_without_the_forms_and_may_not_resolve(
    office: Office,
) -> None:
    invoice = office.issue(PayerKind.MEMBER, office.dewi)
    office.pay(invoice, amount=1)
    [item] = office.suspense()
    auditor = office.client(staff="auditor")

    listed = auditor.get("/suspense")
    refused = auditor.post(f"/suspense/{item.id}/alokasi", data={"invoice_number": invoice.number})

    assert listed.status_code == 200
    assert "Rp1 Jumlah tidak sama dengan tagihan" in block(listed, f'id="dana-{item.id}"')
    assert "/alokasi" not in listed.text and "/kembalikan" not in listed.text
    assert refused.status_code == 403
    assert office.suspense() == [item]


def test_the_menu_offers_each_role_its_billing_pages(office: Office) -> None:
    def menu(client: FormClient) -> str:
        return block(client.get("/"), 'aria-label="Menu utama"')

    assert "Tagihan" in menu(office.client(SPONSOR_PHONE))
    assert "Perlindungan" not in menu(office.client(SPONSOR_PHONE))
    worker = menu(office.client(DEWI_PHONE))
    assert "Tagihan" in worker and "Perlindungan" in worker and "Suspense" not in worker
    for staff in ("officer", "auditor"):
        staff_menu = menu(office.client(staff=staff))
        assert "Tunggakan" in staff_menu and "Suspense" in staff_menu
