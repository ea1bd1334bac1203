"""The auditor's trail page and the admin's accounts page, through the real app."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from sertakan.access.roles import Role
from sertakan.app import create_app
from sertakan.audit.model import AuditEvent
from sertakan.bootstrap import Container
from tests.support.auth import PASSWORD, FormClient, make_staff, web_sign_in
from tests.support.pages import text_of


def signed_in(container: Container, role: Role) -> Iterator[TestClient]:
    make_staff(container, role)
    with FormClient(create_app(container), raise_server_exceptions=False) as client:
        web_sign_in(client, role.value)
        yield client


@pytest.fixture
def auditor(container: Container) -> Iterator[TestClient]:
    yield from signed_in(container, Role.AUDITOR)


@pytest.fixture
def admin(container: Container) -> Iterator[TestClient]:
    yield from signed_in(container, Role.ADMIN)


def test_the_auditor_sees_todays_events_with_refusals_marked_and_can_download_them(
    auditor: TestClient, anonymous: TestClient
) -> None:
    anonymous.get("/cari")  # refused: nobody signed in, and audited

    page = auditor.get("/audit")
    download = auditor.get("/audit/unduh.csv?dari=2026-11-25&sampai=2026-11-25")

    assert page.status_code == 200
    assert 'data-outcome="denied"' in page.text
    assert "account.sign_in" in page.text
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert any(r["outcome"] == "denied" and r["entity_id"] == "GET /cari" for r in rows)
    assert download.headers["content-disposition"].endswith('.csv"')


def test_reading_the_trail_is_itself_in_the_trail(auditor: TestClient) -> None:
    auditor.get("/audit?dari=2026-11-20&sampai=2026-11-25")

    page = auditor.get("/audit").text

    assert "audit.read" in page
    assert "2026-11-20..2026-11-25" in page


def test_a_backwards_range_is_an_indonesian_422_page(auditor: TestClient) -> None:
    page = auditor.get("/audit?dari=2026-11-25&sampai=2026-11-01")

    assert page.status_code == 422
    assert "Tanggal akhir harus sesudah tanggal awal" in page.text


def test_the_admin_creates_an_officer_who_can_then_sign_in(
    admin: TestClient, container: Container
) -> None:
    created = admin.post(
        "/admin/akun",
        data={
            "username": "rina.petugas",
            "display_name": "Rina",
            "password": "loket-dua-bogor-tengah",
            "role": "officer",
            "branch_code": "BOGOR_KOTA",
        },
    )

    assert created.status_code == 200
    assert "Akun dibuat." in created.text
    assert "rina.petugas" in created.text
    with FormClient(create_app(container)) as officer:
        web_sign_in(officer, "rina.petugas", "loket-dua-bogor-tengah")
        assert officer.get("/cari").status_code == 200


def test_a_common_password_is_refused_and_never_echoed_back(admin: TestClient) -> None:
    refused = admin.post(
        "/admin/akun",
        data={"username": "budi", "password": "password123", "role": "auditor"},
    )

    assert refused.status_code == 422
    assert re.search(r'id="galat-password"', refused.text)
    assert "password123" not in refused.text


def test_an_officer_needs_a_branch_and_a_taken_username_is_named(admin: TestClient) -> None:
    no_branch = admin.post(
        "/admin/akun", data={"username": "x1", "password": PASSWORD, "role": "officer"}
    )
    taken = admin.post(
        "/admin/akun", data={"username": "officer", "password": PASSWORD, "role": "auditor"}
    )

    assert no_branch.status_code == 422
    assert "Petugas dan supervisor harus punya kantor cabang" in no_branch.text
    assert taken.status_code == 409
    assert "Nama pengguna sudah dipakai" in taken.text


def test_changing_a_role_ends_that_persons_open_session(
    admin: TestClient, container: Container
) -> None:
    with FormClient(create_app(container)) as officer:
        web_sign_in(officer, "officer")
        assert officer.get("/cari").status_code == 200
        with container.uow() as uow:
            account = uow.accounts.by_username("officer")
        assert account is not None

        changed = admin.post(f"/admin/akun/{account.id}/peran", data={"role": "auditor"})

        assert changed.status_code == 200
        assert "sesi lama akun itu sudah diakhiri" in changed.text
        assert officer.get("/cari").status_code == 401


# --- issue 16: the trail on a phone, in words ---------------------------------------------------


def _record(container: Container, minutes: int, **fields: object) -> None:
    """An event written straight into the trail, `minutes` after the clock's now."""
    at = container.clock.now() + dt.timedelta(minutes=minutes)
    defaults: dict[str, object] = {
        "action": "member.enrol",
        "entity_type": "member",
        "entity_id": "M-1",
        "actor_account_id": "acc-officer",
        "actor_role": "officer",
        "request_id": f"req-{minutes}",
    }
    with container.uow() as uow:
        uow.audit.append(AuditEvent(at=at, **{**defaults, **fields}))  # type: ignore[arg-type]
        uow.commit()


def _events(page: str) -> list[str]:
    return re.findall(r'<li class="audit-event"[^>]* data-action="([^"]+)"', page)


def test_the_trail_reads_newest_first(auditor: TestClient, container: Container) -> None:
    _record(container, 1, action="invoice.issue", entity_id="INV-1")
    _record(container, 2, action="invoice.paid", entity_id="INV-1")

    shown = _events(auditor.get("/audit").text)

    assert shown.index("invoice.paid") < shown.index("invoice.issue")


def test_the_trail_filters_by_action_actor_and_member(
    auditor: TestClient, container: Container
) -> None:
    _record(container, 1, entity_id="M-siti", actor_account_id="acc-a")
    _record(container, 2, entity_id="M-asep", actor_account_id="acc-b")
    _record(container, 3, action="sponsorship.end", entity_id="M-siti", actor_role="sponsor")

    by_action = _events(auditor.get("/audit?aksi=sponsorship.end").text)
    by_actor = auditor.get("/audit?pelaku=acc-b").text
    by_role = _events(auditor.get("/audit?pelaku=sponsor").text)
    by_member = auditor.get("/audit?objek=M-siti").text

    assert by_action == ["sponsorship.end"]
    assert "M-asep" in by_actor and "M-siti" not in by_actor
    assert by_role == ["sponsorship.end"]
    assert _events(by_member) == ["sponsorship.end", "member.enrol"]
    assert "M-asep" not in by_member


def test_actions_are_named_in_words_in_both_languages(
    auditor: TestClient, container: Container
) -> None:
    _record(container, 1, action="sponsorship.end")

    indonesian = text_of(auditor.get("/audit").text)
    english = text_of(auditor.get("/audit?lang=en").text)

    assert "Sponsor diakhiri" in indonesian
    assert "Sponsorship ended" in english
    assert "Sponsor diakhiri" not in english


def test_a_change_reads_as_before_and_after_not_json(
    auditor: TestClient, container: Container
) -> None:
    _record(
        container,
        1,
        action="account.phone",
        entity_type="account",
        before={"phone": "+62812*****890", "role": "worker"},
        after={"phone": "+62813*****111", "role": "worker"},
    )

    page = auditor.get("/audit")

    assert "Telepon: +62812*****890 → +62813*****111" in text_of(page.text)
    assert "Phone: +62812*****890 → +62813*****111" in text_of(auditor.get("/audit?lang=en").text)
    assert '{"phone"' not in html.unescape(page.text)
    assert "Peran: worker" not in text_of(page.text)  # unchanged fields are left out


def test_moments_on_the_trail_are_written_in_words_not_iso(
    auditor: TestClient, container: Container
) -> None:
    _record(container, 1)

    page = text_of(auditor.get("/audit").text)

    assert re.search(r"\d{1,2} November 2026, \d{2}\.\d{2} WIB", page)
    assert not re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", page)


def test_money_months_and_dates_in_a_snapshot_are_written_as_the_pages_write_them(
    auditor: TestClient, container: Container
) -> None:
    _record(
        container,
        1,
        action="invoice.issue",
        entity_type="invoice",
        after={"month": "2026-12", "total": 28400, "due_on": "2026-12-15"},
    )

    indonesian = text_of(auditor.get("/audit").text)
    english = text_of(auditor.get("/audit?lang=en").text)

    assert "Bulan: Desember 2026" in indonesian
    assert "Total: Rp28.400" in indonesian
    assert "Jatuh tempo: 15 Desember 2026" in indonesian
    assert "Due: 15 December 2026" in english
    assert "2026-12-15" not in indonesian
    assert "28400" not in indonesian
