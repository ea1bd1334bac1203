"""Issue 16, point 3 ("no walls"): every link a role is shown leads somewhere that role may open.

One crawl per role, over TestClient: from the home page, follow every same-site link the page
shows (`<a href>`, GET only; never sign-out, downloads, the language switch or static files) to
a bounded depth, and ask that each answers 200 for that role, or a redirect listed in
`REDIRECTS`. A link that answers 401, 403, 404 (or anything else) is a wall, reported with the
page that showed it.

The world is the permission matrix's, grown: a branch with every staff role, a sponsor (Ibu
Ratna) who pays for a worker the agent enrolled (Siti, who consented) and for another (Asep,
whose consent the officer attested and the supervisor has yet to approve), and this month's
invoice issued, so the cards, sheets, invoices and consent pages all have something to link.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

from sertakan.access.roles import ACCOUNT_ROLES, Role
from sertakan.app import create_app
from sertakan.bootstrap import Container
from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.nik import build_nik
from sertakan.registry.service import EnrolmentApplication
from tests.support.auth import (
    CONSOLE,
    FormClient,
    last_code,
    make_staff,
    web_phone_sign_in,
    web_sign_in,
)
from tests.support.builders import a_sponsor

ROLES = (Role.ANONYMOUS, *ACCOUNT_ROLES)
WORKER_PHONE = "+6281234567890"
SPONSOR_PHONE = "+6281298765432"
DEPTH = 4
# One route shape (ids and query values blanked) is opened at most this often: a list of fifty
# sponsors is one kind of link, not fifty walls to find.
PER_SHAPE = 3
# Links a crawl does not follow: they change state, leave the page, or are files.
SKIPPED_PREFIXES = ("/keluar", "/static/", "/api/")
DOWNLOAD = re.compile(r"(\.csv|\.parquet|/unduh[^/]*)$")
# Redirects a link may answer with, by route shape: documented in the route's docstring.
REDIRECTS = {"/daftar": "/daftar?sponsor="}  # a sponsor enrols as herself (web/enrolment.py)
ID = re.compile(r"/[0-9a-f]{32}(?=/|$)|/\d{4,}(?=/|$)")


class Links(HTMLParser):
    """The `href`s of a page's `<a>` elements (without `download`)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "a":
            return
        values = dict(attrs)
        href = values.get("href")
        if href and "download" not in values:
            self.found.append(href)


def links_of(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.found


def same_site_target(base: str, href: str) -> str | None:
    """The path and query a link opens on this site, or None when it is not to be followed."""
    if href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    url = urlsplit(urljoin(base, href))
    if url.netloc not in ("", "testserver"):
        return None
    path = url.path or "/"
    if path.startswith(SKIPPED_PREFIXES) or DOWNLOAD.search(path):
        return None
    query = "&".join(p for p in url.query.split("&") if p and not p.startswith("lang="))
    return path + (f"?{query}" if query else "")


def shape(target: str) -> str:
    path, _, query = target.partition("?")
    names = sorted(p.split("=")[0] for p in query.split("&") if p)
    return ID.sub("/{id}", path) + ("?" + "&".join(names) if names else "")


@dataclass
class Crawl:
    opened: dict[str, int] = field(default_factory=dict)
    walls: list[str] = field(default_factory=list)

    @property
    def shapes(self) -> set[str]:
        return {shape(target) for target in self.opened}


def crawl(client: TestClient, start: str = "/", depth: int = DEPTH) -> Crawl:
    """Breadth-first from `start`: each target is opened once, each shape `PER_SHAPE` times."""
    result = Crawl()
    per_shape: dict[str, int] = {}
    queue: deque[tuple[str, str, int]] = deque([(start, "(start)", 0)])
    while queue:
        target, shown_on, level = queue.popleft()
        if target in result.opened:
            continue
        kind = shape(target)
        if per_shape.get(kind, 0) >= PER_SHAPE:
            continue
        per_shape[kind] = per_shape.get(kind, 0) + 1
        response = client.get(target, follow_redirects=False)
        result.opened[target] = response.status_code
        if response.is_redirect:
            location = response.headers["location"]
            if kind in REDIRECTS and location.startswith(REDIRECTS[kind]):
                queue.append((location, target, level))
            else:
                result.walls.append(
                    f"{target} -> {response.status_code} {location} (on {shown_on})"
                )
            continue
        if response.status_code != 200:
            result.walls.append(f"{target} -> {response.status_code} (on {shown_on})")
            continue
        if level >= depth or "text/html" not in response.headers.get("content-type", ""):
            continue
        for href in links_of(response.text):
            found = same_site_target(target, href)
            if found is not None and found not in result.opened:
                queue.append((found, target, level + 1))
    return result


@dataclass(frozen=True)
class World:
    member_id: str
    sponsor_id: str
    clients: dict[Role, TestClient]


@pytest.fixture
def world(container: Container, provider: RecordingProvider) -> Iterator[World]:
    for role in (Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN, Role.AGENT):
        make_staff(container, role)
    sponsor = container.registry.register_sponsor(
        CONSOLE,
        a_sponsor(),
    )
    with container.uow() as uow:
        agent_account = uow.accounts.by_username("agent")
    assert agent_account is not None
    card = container.registry.enrol_member(
        container.access.actor_for(agent_account),
        EnrolmentApplication(
            nik=build_nik("327101", dt.date(1990, 8, 17), "F", 12),
            full_name="Siti Rahmawati",
            birth_date=dt.date(1990, 8, 17),
            sex="F",
            phone="0812-3456-7890",
            region_code="32.71.01.1001",
            occupation="household_helper",
            declared_income=1_000_000,
            programs=("JKK", "JKM"),
            sponsor_id=sponsor.id,
        ),
    )
    # Siti says yes with the code sent to her phone, so this month bills her sponsor.
    container.sponsorships.confirm(CONSOLE, card.sponsorship.id, last_code(provider, WORKER_PHONE))
    # Asep has no phone of his own to answer with: the officer attests, the supervisor has yet
    # to approve (the supervisor's list has a line).
    with container.uow() as uow:
        officer_account = uow.accounts.by_username("officer")
    assert officer_account is not None
    officer = container.access.actor_for(officer_account)
    asep = container.registry.enrol_member(
        officer,
        EnrolmentApplication(
            nik=build_nik("327102", dt.date(1985, 3, 1), "M", 7),
            full_name="Asep Suryana",
            birth_date=dt.date(1985, 3, 1),
            sex="M",
            phone="0812-5555-0101",
            region_code="32.71.01.1001",
            occupation="driver",
            declared_income=1_000_000,
            programs=("JKK", "JKM"),
            sponsor_id=sponsor.id,
        ),
    )
    assert asep.sponsorship is not None
    container.sponsorships.attest(
        officer,
        asep.sponsorship.id,
        "Pekerja tidak punya HP sendiri; setuju di depan petugas",
    )
    app = create_app(container)
    clients: dict[Role, TestClient] = {}
    for role in ROLES:
        client = FormClient(app, raise_server_exceptions=False)
        client.__enter__()
        if role in (Role.WORKER, Role.SPONSOR):
            phone = WORKER_PHONE if role is Role.WORKER else SPONSOR_PHONE
            web_phone_sign_in(client, provider, phone)
        elif role is not Role.ANONYMOUS:
            web_sign_in(client, role.value)
        clients[role] = client
    # This month's invoice, issued by the sponsor from her page, so invoices have links.
    issued = clients[Role.SPONSOR].post("/tagihan/buat", data={}, follow_redirects=False)
    assert issued.status_code in (200, 303), issued.text
    yield World(card.member.id, sponsor.id, clients)
    for client in clients.values():
        client.__exit__(None, None, None)


# The pages each role's crawl must reach: the crawl is not vacuous, each role's menu leads to
# the pages that role works on.
REACHED = {
    Role.ANONYMOUS: {"/masuk", "/masuk/hp", "/sponsor/baru"},
    Role.WORKER: {"/peserta/{id}", "/tagihan", "/perlindungan"},
    Role.SPONSOR: {
        "/sponsor/{id}",
        "/tagihan",
        "/tagihan/{id}",
        "/daftar?sponsor",
        "/peserta/{id}",
    },
    Role.AGENT: {"/daftar", "/sponsor/baru"},
    Role.OFFICER: {"/cari", "/sponsor", "/sponsor/{id}", "/peserta/{id}", "/cakupan"},
    Role.SUPERVISOR: {"/persetujuan", "/peserta/{id}", "/cari", "/tunggakan", "/suspense"},
    Role.AUDITOR: {"/audit", "/cari", "/cakupan", "/tunggakan", "/rekonsiliasi", "/sponsor/{id}"},
    Role.ADMIN: {"/admin/akun"},
}


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_every_link_a_role_is_shown_opens_for_that_role(world: World, role: Role) -> None:
    result = crawl(world.clients[role])

    assert not result.walls, f"{role.value} meets walls:\n" + "\n".join(result.walls)
    missed = REACHED[role] - result.shapes
    assert not missed, f"{role.value} never reached {sorted(missed)}"


def test_a_link_to_a_forbidden_page_is_a_wall_the_crawl_reports(world: World) -> None:
    """The crawler's own check: a page the worker may not open, started from, is reported."""
    result = crawl(world.clients[Role.WORKER], start="/cari", depth=0)

    assert result.walls and "/cari -> 403" in result.walls[0]
