"""Issue 16, point 3 ("no walls") in a real browser on a 360-pixel phone.

A visitor who taps "Daftarkan pekerja" is asked to sign in and, signed in, is back at the
enrolment form (with a phone code as a sponsor, with a password as an agent). A page opened
before signing in (a bookmark) is where the sign-in returns. And the worker and the sponsor
crawl their own site: every link a page shows them opens (200), in their language, without
scrolling sideways; screenshots land in test-artifacts/screenshots/no_walls-*.png.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from sertakan.access.roles import Role
from sertakan.app import create_app
from sertakan.bootstrap import Container, bootstrap
from sertakan.config import Settings
from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.nik import build_nik
from sertakan.registry.service import EnrolmentApplication
from sertakan.store.migrate import upgrade
from tests.support.auth import CONSOLE, PASSWORD, cheap_hasher, last_code, make_staff
from tests.support.browser import (
    Phones,
    fits_the_screen,
    open_phones,
    open_story_branch,
    save_screenshot,
)
from tests.support.server import live_server

SPONSOR_NAME = "Ibu Ratna Kartika"
SPONSOR_PHONE = "0812-9876-5432"
SPONSOR_E164 = "+6281298765432"
WORKER_PHONE = "0812-3456-7890"
WORKER_E164 = "+6281234567890"
SITI = EnrolmentApplication(
    nik=build_nik("327101", dt.date(1990, 8, 17), "F", 12),
    full_name="Siti Rahmawati",
    birth_date=dt.date(1990, 8, 17),
    sex="F",
    phone=WORKER_PHONE,
    region_code="32.71.01.1001",
    occupation="household_helper",
    declared_income=1_000_000,
    programs=("JKK", "JKM"),
)
MAX_PAGES = 25
# A PDF (receipt, membership card) starts a download, not a page: the TestClient crawl
# (tests/api/test_no_walls.py) opens those and checks each answers 200 for the role.
SKIPPED = re.compile(r"^/(keluar|static/|api/)|(\.csv|\.parquet|\.pdf)$|/unduh")


@dataclass(frozen=True)
class Site:
    base_url: str
    container: Container
    provider: RecordingProvider
    sponsor_id: str
    member_id: str


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    provider = RecordingProvider()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 't.db'}", today="2026-11-25", secret_key="w" * 32
    )
    container = bootstrap(settings, hasher=cheap_hasher(), provider=provider)
    assert container.engine is not None
    upgrade(container.engine)
    sponsor_id = open_story_branch(container, SPONSOR_NAME, SPONSOR_PHONE)
    make_staff(container, Role.AGENT)
    card = container.registry.enrol_member(
        CONSOLE, dataclasses.replace(SITI, sponsor_id=sponsor_id)
    )
    assert card.sponsorship is not None
    if card.sponsorship.consent.value == "pending":
        container.sponsorships.confirm(
            CONSOLE, card.sponsorship.id, last_code(provider, WORKER_E164)
        )
    with live_server(create_app(container)) as url:
        yield Site(url, container, provider, sponsor_id, card.member.id)
    container.engine.dispose()


@pytest.fixture
def phones(browser: Browser) -> Iterator[Phones]:
    with open_phones(browser, "phone") as opened:
        yield opened


def shoot(page: Page, step: str) -> None:
    save_screenshot(page, f"no_walls-phone-{step}")


def type_phone_code(page: Page, site: Site, typed: str, e164: str) -> None:
    """On the phone sign-in page: the number, then the code it was sent."""
    page.get_by_label("Nomor HP").fill(typed)
    page.get_by_role("button", name="Kirim kode").click()
    expect(page.get_by_label("Kode dari SMS")).to_be_visible()
    page.get_by_label("Kode dari SMS").fill(last_code(site.provider, e164))
    page.get_by_role("button", name="Masuk").click()


def test_a_visitor_who_would_enrol_signs_in_with_a_code_and_is_back_at_the_form(
    site: Site, phones: Phones
) -> None:
    visitor = phones.open()
    visitor.goto(site.base_url + "/")
    visitor.locator("section.hero").get_by_role("link", name="Daftarkan pekerja").click()

    expect(visitor).to_have_url(re.compile(r"/masuk/hp\?next=%2Fdaftar$"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Masuk dengan nomor HP")
    fits_the_screen(visitor, "phone")
    shoot(visitor, "1-visitor-asked-to-sign-in")
    type_phone_code(visitor, site, SPONSOR_PHONE, SPONSOR_E164)

    # Back at the enrolment form, as the sponsor who pays for whoever she enrols.
    expect(visitor).to_have_url(re.compile(rf"/daftar\?sponsor={site.sponsor_id}$"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Daftarkan pekerja")
    expect(visitor.locator(".payer")).to_contain_text(SPONSOR_NAME)
    fits_the_screen(visitor, "phone")
    shoot(visitor, "2-visitor-back-at-daftar")


def test_an_agent_who_would_enrol_signs_in_with_a_password_and_is_back_at_the_form(
    site: Site, phones: Phones
) -> None:
    agent = phones.open()
    agent.goto(site.base_url + "/")
    agent.locator("section.hero").get_by_role("link", name="Daftarkan pekerja").click()
    agent.get_by_role("link", name="Petugas? Masuk dengan nama pengguna").click()

    expect(agent).to_have_url(re.compile(r"/masuk\?next=%2Fdaftar$"))
    agent.get_by_label("Nama pengguna").fill("agent")
    agent.get_by_label("Kata sandi").fill(PASSWORD)
    agent.get_by_role("button", name="Masuk").click()

    expect(agent).to_have_url(site.base_url + "/daftar")
    expect(agent.get_by_role("heading", level=1)).to_have_text("Daftarkan pekerja")


def test_a_page_opened_before_signing_in_is_where_the_sign_in_returns(
    site: Site, phones: Phones
) -> None:
    worker = phones.open()
    response = worker.goto(site.base_url + "/tagihan")

    assert response is not None and response.status == 401
    expect(worker.get_by_role("heading", level=1)).to_have_text("Silakan masuk")
    expect(worker.locator("body")).not_to_contain_text("Kode 401")
    fits_the_screen(worker, "phone")
    shoot(worker, "3-sign-in-needed")
    worker.get_by_role("link", name="Masuk dengan nomor HP").click()
    type_phone_code(worker, site, WORKER_PHONE, WORKER_E164)

    expect(worker).to_have_url(site.base_url + "/tagihan")


def crawl(page: Page, base_url: str, name: str) -> set[str]:
    """Open every same-site link shown, breadth-first from the home page; each must answer 200
    and fit the phone. Returns the paths opened."""
    opened: set[str] = set()
    queue: deque[str] = deque(["/"])
    walls: list[str] = []
    while queue and len(opened) < MAX_PAGES:
        target = queue.popleft()
        if target in opened:
            continue
        opened.add(target)
        response = page.goto(base_url + target)
        status = response.status if response is not None else 0
        if status != 200:
            walls.append(f"{target} -> {status}")
            continue
        fits_the_screen(page, "phone")
        path = re.sub(r"/[0-9a-f]{32}", "/id", urlsplit(target).path)
        slug = re.sub(r"[^a-z0-9]+", "-", path).strip("-") or "home"
        shoot(page, f"crawl-{name}-{slug}")
        hrefs = page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map(a => a.href)"
        )
        for href in hrefs:
            url = urlsplit(href)
            if f"{url.scheme}://{url.netloc}" != base_url or SKIPPED.search(url.path):
                continue
            query = "&".join(p for p in url.query.split("&") if p and not p.startswith("lang="))
            found = url.path + (f"?{query}" if query else "")
            if found not in opened:
                queue.append(found)
    assert not walls, f"{name} meets walls: {walls}"
    return opened


def test_the_worker_opens_every_link_she_is_shown(site: Site, phones: Phones) -> None:
    worker = phones.open()
    worker.goto(site.base_url + "/masuk/hp")
    type_phone_code(worker, site, WORKER_PHONE, WORKER_E164)
    expect(worker).to_have_url(site.base_url + f"/peserta/{site.member_id}")
    # Her sponsor's name is on her card, as a name: the sponsor's sheet is not hers to open.
    expect(worker.locator(".facts")).to_contain_text(SPONSOR_NAME)
    expect(worker.locator(".facts").get_by_role("link", name=SPONSOR_NAME)).to_have_count(0)

    opened = crawl(worker, site.base_url, "worker")

    assert {"/", f"/peserta/{site.member_id}", "/tagihan", "/perlindungan"} <= opened


def test_the_sponsor_opens_every_link_she_is_shown(site: Site, phones: Phones) -> None:
    sponsor = phones.open()
    sponsor.goto(site.base_url + "/masuk/hp")
    type_phone_code(sponsor, site, SPONSOR_PHONE, SPONSOR_E164)
    expect(sponsor).to_have_url(site.base_url + f"/sponsor/{site.sponsor_id}")

    opened = crawl(sponsor, site.base_url, "sponsor")

    assert {"/", f"/sponsor/{site.sponsor_id}", f"/peserta/{site.member_id}", "/tagihan"} <= opened


def test_a_refused_worker_is_shown_the_way_on_not_a_wall(site: Site, phones: Phones) -> None:
    worker = phones.open()
    worker.goto(site.base_url + "/masuk/hp")
    type_phone_code(worker, site, WORKER_PHONE, WORKER_E164)
    expect(worker).to_have_url(site.base_url + f"/peserta/{site.member_id}")

    for path, status, title, step in [
        (f"/sponsor/{site.sponsor_id}", 403, "Akses ditolak", "4-forbidden"),
        ("/tidak-ada-halaman-ini", 404, "Halaman tidak ditemukan", "5-not-found"),
    ]:
        response = worker.goto(site.base_url + path)
        assert response is not None and response.status == status
        expect(worker.get_by_role("heading", level=1)).to_have_text(title)
        expect(worker.locator(".error-page .status")).to_have_text(f"Kode kesalahan: {status}")
        expect(worker.locator(".error-page .hint")).to_contain_text("kantor cabang")
        fits_the_screen(worker, "phone")
        shoot(worker, step)
    worker.get_by_role("link", name="Ke halaman saya").click()

    expect(worker).to_have_url(site.base_url + f"/peserta/{site.member_id}")
