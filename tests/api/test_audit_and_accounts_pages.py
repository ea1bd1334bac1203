"""The auditor's trail page and the admin's accounts page, through the real app."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from sertakan.access.roles import Role
from sertakan.app import create_app
from sertakan.bootstrap import Container
from tests.support.auth import PASSWORD, FormClient, make_staff, web_sign_in


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
