"""Issue 16, point 3: a visitor sent to sign in comes back to where they were going, and the
refusal pages (401/403/404/405/429) are in one language with a way forward.

The way back is `next`: the 401 page links both sign-ins with it, the forms carry it, and a
successful sign-in goes there. It must never make the sign-in an open redirect: only a path on
this site is taken (OWASP Unvalidated Redirects and Forwards Cheat Sheet).
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from sertakan.bootstrap import Container
from sertakan.notifications.providers import RecordingProvider
from sertakan.web.error_pages import render_error
from sertakan.web.next_target import safe_next, sign_in_url
from tests.support.auth import CONSOLE, PASSWORD, csrf_of, last_code
from tests.support.builders import a_sponsor

SPONSOR_PHONE = "+6281298765432"
# Each would send the browser off the site (or into the sign-in form again).
UNSAFE = [
    "//evil.example/",
    "///evil.example/",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "evil.example",
    " /daftar",
    "%2F%2Fevil.example",
    "/masuk",
    "/masuk/hp?next=/daftar",
    "/keluar",
    "/" + "a" * 600,
]


def hrefs(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', html)]


def hidden_next(html: str) -> str | None:
    found = re.search(r'name="next" value="([^"]*)"', html)
    return unescape(found.group(1)) if found else None


@pytest.fixture
def sponsor_id(container: Container) -> str:
    sponsor = container.registry.register_sponsor(
        CONSOLE,
        a_sponsor(),
    )
    return sponsor.id


# --- the target itself ------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/daftar", "/daftar?sponsor=abc", "/tagihan/1", "/"])
def test_a_path_on_this_site_is_a_target(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize("target", [*UNSAFE, "", None, "/a\tb", "/a\x00b"])
def test_anything_else_is_no_target(target: str | None) -> None:
    assert safe_next(target) is None
    assert sign_in_url(target) == "/masuk/hp"


def test_the_sign_in_address_carries_the_target_encoded() -> None:
    assert sign_in_url("/daftar?sponsor=1&x=2") == "/masuk/hp?next=%2Fdaftar%3Fsponsor%3D1%26x%3D2"
    assert sign_in_url("/cari", phone=False) == "/masuk?next=%2Fcari"


# --- the visitor's way to sign in and back ----------------------------------------------------


def test_the_home_page_sends_a_visitor_who_would_enrol_to_sign_in_and_back(
    anonymous: TestClient,
) -> None:
    links = hrefs(anonymous.get("/").text)

    assert "/masuk/hp?next=/daftar" in [h.replace("%2F", "/") for h in links]
    assert "/daftar" not in links  # not a bare link to a page that refuses the visitor
    assert "/cari" not in links


def test_a_page_that_needs_a_sign_in_offers_both_sign_ins_with_the_page_as_next(
    anonymous: TestClient,
) -> None:
    page = anonymous.get("/tagihan?halaman=2")

    assert page.status_code == 401
    links = hrefs(page.text)
    assert "/masuk/hp?next=%2Ftagihan%3Fhalaman%3D2" in links
    assert "/masuk?next=%2Ftagihan%3Fhalaman%3D2" in links
    assert "/" in links
    assert "Silakan masuk" in page.text


def test_a_refused_form_post_offers_sign_in_without_a_target(anonymous: TestClient) -> None:
    page = anonymous.post("/tagihan/buat", data={})

    assert page.status_code == 401
    assert "/masuk/hp" in hrefs(page.text)
    assert "next=" not in page.text


def test_a_visitor_signs_in_with_a_phone_code_and_is_back_where_they_were_going(
    anonymous: TestClient, provider: RecordingProvider, sponsor_id: str
) -> None:
    form = anonymous.get("/masuk/hp?next=/daftar")
    assert hidden_next(form.text) == "/daftar"
    assert "/masuk?next=%2Fdaftar" in hrefs(form.text)  # the staff sign-in keeps it too

    code_step = anonymous.post("/masuk/hp", data={"phone": "0812-9876-5432", "next": "/daftar"})
    assert hidden_next(code_step.text) == "/daftar"
    signed = anonymous.post(
        "/masuk/kode",
        data={
            "phone": SPONSOR_PHONE,
            "code": last_code(provider, SPONSOR_PHONE),
            "next": "/daftar",
        },
        follow_redirects=False,
    )

    assert signed.status_code == 303
    assert signed.headers["location"] == "/daftar"
    # ...where a sponsor enrols as herself.
    assert anonymous.get("/daftar").url.path == "/daftar"
    assert anonymous.get("/daftar").status_code == 200


def test_staff_sign_in_with_a_password_returns_to_the_page_asked_for(
    anonymous: TestClient,
) -> None:
    form = anonymous.get("/masuk?next=/cari")
    assert hidden_next(form.text) == "/cari"

    signed = anonymous.post(
        "/masuk",
        data={"username": "officer", "password": PASSWORD, "next": "/sponsor?halaman=1"},
        follow_redirects=False,
    )

    assert signed.status_code == 303
    assert signed.headers["location"] == "/sponsor?halaman=1"


def test_a_wrong_password_keeps_the_target_for_the_next_try(anonymous: TestClient) -> None:
    refused = anonymous.post(
        "/masuk", data={"username": "officer", "password": "salah-sekali-ya", "next": "/cari"}
    )

    assert refused.status_code == 401
    assert hidden_next(refused.text) == "/cari"


def test_without_a_target_a_sign_in_lands_on_the_role_s_own_page(anonymous: TestClient) -> None:
    signed = anonymous.post(
        "/masuk", data={"username": "officer", "password": PASSWORD}, follow_redirects=False
    )

    assert signed.headers["location"] == "/cari"


@pytest.mark.parametrize("target", UNSAFE)
def test_the_sign_in_is_no_open_redirect(anonymous: TestClient, target: str) -> None:
    form = anonymous.get("/masuk", params={"next": target})
    assert hidden_next(form.text) is None
    assert "/masuk/hp" in hrefs(form.text)  # the other sign-in, without the target

    signed = anonymous.post(
        "/masuk",
        data={"username": "officer", "password": PASSWORD, "next": target},
        follow_redirects=False,
    )

    assert signed.status_code == 303
    assert signed.headers["location"] == "/cari"


def test_the_phone_sign_in_is_no_open_redirect(
    anonymous: TestClient, provider: RecordingProvider, sponsor_id: str
) -> None:
    anonymous.post("/masuk/hp", data={"phone": SPONSOR_PHONE, "next": "//evil.example"})
    signed = anonymous.post(
        "/masuk/kode",
        data={
            "csrf_token": csrf_of(anonymous, "/masuk/hp"),
            "phone": SPONSOR_PHONE,
            "code": last_code(provider, SPONSOR_PHONE),
            "next": "//evil.example",
        },
        follow_redirects=False,
    )

    assert signed.status_code == 303
    assert signed.headers["location"] == f"/sponsor/{sponsor_id}"


# --- the refusal pages: one language, a way forward -------------------------------------------

PAGES = {
    # status: (how to get it, Indonesian title, English title)
    401: ("/tagihan", "Silakan masuk", "Please sign in"),
    403: ("/audit", "Akses ditolak", "Access denied"),
    404: ("/tidak-ada-halaman-ini", "Halaman tidak ditemukan", "Page not found"),
    405: ("/keluar", "Tidak bisa dibuka dengan cara itu", "This page cannot be opened that way"),
}


def _refusal(client: TestClient, status: int) -> str:
    path = PAGES[status][0]
    response = client.get(path)
    assert response.status_code == status, response.text
    return str(response.text)


@pytest.mark.parametrize("status", sorted(PAGES))
def test_each_refusal_page_is_in_indonesian_with_a_way_forward(
    anonymous: TestClient, client: TestClient, status: int
) -> None:
    text = _refusal(anonymous if status == 401 else client, status)

    assert f"<h1>{PAGES[status][1]}</h1>" in text
    assert "Kode kesalahan: " + str(status) in text
    assert '<a class="button primary" href=' in text  # the way on is the first button
    assert 'href="/"' in text
    for english in ("Please sign in", "Access denied", "Back to", "Error code"):
        assert english not in text


@pytest.mark.parametrize("status", sorted(PAGES))
def test_each_refusal_page_is_in_english_for_an_english_reader(
    anonymous: TestClient, client: TestClient, status: int
) -> None:
    reader = anonymous if status == 401 else client
    reader.cookies.set("lang", "en")

    text = _refusal(reader, status)

    assert f"<h1>{PAGES[status][2]}</h1>" in text
    assert "Error code: " + str(status) in text
    for indonesian in ("Silakan masuk", "Akses ditolak", "Kembali ke beranda", "Kode kesalahan"):
        assert indonesian not in text


def test_a_refused_reader_is_offered_their_own_page_and_who_to_ask(client: TestClient) -> None:
    text = _refusal(client, 403)

    assert '<a class="button primary" href="/cari">Ke halaman saya</a>' in text
    assert "kantor cabang" in text


@pytest.mark.parametrize(
    ("lang", "title", "hint"),
    [
        ("id", "Terlalu banyak permintaan", "Tunggu sebentar, lalu coba lagi."),
        ("en", "Too many requests", "Wait a moment, then try again."),
    ],
)
def test_a_rate_limited_page_says_to_wait_and_try_again(
    anonymous: TestClient, lang: str, title: str, hint: str
) -> None:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/persetujuan/x/kirim-ulang",
        "root_path": "",
        "headers": [(b"cookie", f"lang={lang}".encode())],
        "query_string": b"",
        "app": anonymous.app,
    }

    page = render_error(Request(scope), 429, ["Terlalu banyak percobaan. Coba lagi nanti."])

    text = page.body.decode()
    assert page.status_code == 429
    assert f"<h1>{title}</h1>" in text
    assert hint in text
    assert 'href="/"' in text


def test_there_is_no_bare_status_page(anonymous: TestClient) -> None:
    text = anonymous.get("/daftar").text

    assert "Kode 401" not in text
    assert "Masuk dulu; setelah itu Anda kembali" in text


def test_the_menu_s_sign_in_link_comes_back_to_the_page_it_was_on(anonymous: TestClient) -> None:
    assert "/masuk?next=%2Fsponsor%2Fbaru" in hrefs(anonymous.get("/sponsor/baru").text)
    assert "/masuk?next=%2Ftagihan" in hrefs(anonymous.get("/tagihan").text)
    assert "/masuk" in hrefs(anonymous.get("/").text)


def test_a_message_that_repeats_the_title_is_said_once(client: TestClient) -> None:
    text = client.get("/tidak-ada-halaman-ini").text

    assert text.count("Halaman tidak ditemukan") == 2  # the <title> and the <h1>
    assert '<p class="message">' not in text
