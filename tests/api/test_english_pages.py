"""An English page is English (issue 16 point 5): the main pages of every role, rendered with
`?lang=en` through the real app, hold no Indonesian text of the catalogue.

The check is the catalogue itself: every message id whose English translation differs is cut
at its placeholders, and no piece of it may appear, as whole words, on an English page. A text
shown without `_()`, or a message id without its English line, fails here.

The office is tests/support/builders.py's small office: Ibu Ratna pays for Siti and Asep, Dewi pays
for herself; December's invoices are issued and Ibu Ratna's is paid.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from sertakan.access.roles import Role
from sertakan.app import create_app
from sertakan.billing.model import PayerKind
from sertakan.kernel.clock import WIB, FixedClock
from sertakan.kernel.periods import Month
from sertakan.notifications.providers import RecordingProvider
from sertakan.web import i18n
from tests.support.auth import CONSOLE, FormClient, web_phone_sign_in, web_sign_in
from tests.support.builders import open_small_office
from tests.support.containers import sqlite_container
from tests.support.notices import notice_body, signed
from tests.support.pages import text_of as reader_text

ENROLLED = dt.datetime(2026, 7, 1, 9, 0, tzinfo=WIB)
NOW = dt.datetime(2026, 12, 2, 6, 55, tzinfo=WIB)
DECEMBER = Month(2026, 12)
SPONSOR_PHONE = "+6281298765432"
SITI_PHONE = "+6281234567890"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def indonesian_pieces() -> dict[str, str]:
    """Each piece of a message id that English writes differently -> its message id."""
    with (i18n.LOCALES_DIR / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale="en")
    pieces: dict[str, str] = {}
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        english = " ".join(strings)
        for msgid in ids:
            for raw in PLACEHOLDER.split(msgid):
                piece = raw.strip(" .,:;·()—-")
                # Short pieces ("Rp", "ID") and the words both languages share are no sign.
                if len(piece) >= 4 and re.search(r"[a-z]", piece) and piece not in english:
                    pieces[piece] = msgid
    return pieces


def text_of(page: str) -> str:
    """What a reader sees: tags dropped (the language switch's own names too), spaces folded."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<nav class="languages".*?</nav>', " ", page, flags=re.S)
    return reader_text(page)


def indonesian_on(page: str, pieces: dict[str, str], allowed: set[str]) -> list[str]:
    text = text_of(page)
    return [
        f"{piece!r} (of {msgid!r})"
        for piece, msgid in pieces.items()
        if re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", text)
        and not any(piece in word for word in allowed)
    ]


@pytest.fixture
def office(tmp_path: Path) -> Iterator[dict[str, FormClient | str]]:
    clock = FixedClock(ENROLLED)
    provider = RecordingProvider()
    with sqlite_container(tmp_path, clock=clock, provider=provider) as container:
        people = open_small_office(
            container,
            staff=(Role.OFFICER, Role.AUDITOR, Role.ADMIN),
            asep_phone="081377778888",
        )
        clock.moment = NOW
        invoices = container.invoices
        invoices.issue_for_payer(CONSOLE, PayerKind.SPONSOR, people.sponsor_id, DECEMBER)
        invoices.issue_for_payer(CONSOLE, PayerKind.MEMBER, people.dewi, DECEMBER)
        (invoice,) = invoices.for_payer(CONSOLE, PayerKind.SPONSOR, people.sponsor_id)
        body = notice_body(invoice.number, invoice.total, "SBX-0001", clock.now())
        container.payments.receive(body, signed(body))
        clients: list[FormClient] = []

        def client(phone: str = "", staff: str = "") -> FormClient:
            browser = FormClient(create_app(container), raise_server_exceptions=False)
            browser.__enter__()
            clients.append(browser)
            if phone:
                web_phone_sign_in(browser, provider, phone)
            if staff:
                web_sign_in(browser, staff)
            return browser

        yield {
            "anonymous": client(),
            "sponsor": client(phone=SPONSOR_PHONE),
            "worker": client(phone=SITI_PHONE),
            "officer": client(staff="officer"),
            "auditor": client(staff="auditor"),
            "admin": client(staff="admin"),
            "siti": people.siti,
            "sponsor_id": people.sponsor_id,
            "invoice": invoice.id,
        }
        for browser in clients:
            browser.__exit__(None, None, None)


PAGES = {
    "anonymous": ["/", "/masuk", "/masuk/hp", "/sponsor/baru"],
    "sponsor": ["/", "/tagihan", "/tagihan/{invoice}", "/peserta/{siti}/perlindungan"],
    "worker": ["/", "/peserta/{siti}", "/tagihan", "/peserta/{siti}/perlindungan"],
    "officer": ["/", "/cari?q=Siti", "/peserta/{siti}", "/tagihan?sponsor={sponsor_id}"],
    "auditor": ["/audit"],
    "admin": ["/admin/akun"],
}
# People's and places' names are data, written as their owners write them.
DATA = {
    "Siti Rahmawati",
    "Ibu Ratna Kartika",
    "Asep Suryana",
    "Dewi",
    "Batu Tulis",
    "Kantor Cabang Bogor Kota",  # the branch's own name
}


@pytest.mark.parametrize("role", list(PAGES))
def test_english_pages_hold_no_indonesian_text_of_the_catalogue(
    office: dict[str, FormClient | str], role: str
) -> None:
    pieces = indonesian_pieces()
    browser = office[role]
    assert isinstance(browser, FormClient)
    found: dict[str, list[str]] = {}
    for path in PAGES[role]:
        url = path.format(**{k: v for k, v in office.items() if isinstance(v, str)})
        response = browser.get(url + ("&" if "?" in url else "?") + "lang=en")
        assert response.status_code == 200, url
        left = indonesian_on(response.text, pieces, DATA)
        if left:
            found[url] = left

    assert found == {}


def test_the_check_finds_an_indonesian_text_on_an_english_page() -> None:
    pieces = indonesian_pieces()

    found = indonesian_on("<p>Terlindungi sampai 31 December 2026</p>", pieces, DATA)

    assert "'Terlindungi sampai' (of 'Terlindungi sampai %(date)s')" in found
