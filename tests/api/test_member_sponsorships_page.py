"""The member page lists who pays, with the consent, and the worker can end a sponsorship."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from sertakan.app import create_app
from sertakan.bootstrap import Container
from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.nik import build_nik
from tests.support.auth import FormClient, web_phone_sign_in
from tests.support.builders import WORKER_PHONE, sponsored_worker


def test_the_worker_sees_who_pays_and_ends_the_sponsorship_from_their_card(
    container: Container, provider: RecordingProvider
) -> None:
    member_id = sponsored_worker(container)
    with FormClient(create_app(container)) as worker:
        web_phone_sign_in(worker, provider, WORKER_PHONE)
        card = worker.get(f"/peserta/{member_id}").text
        assert "Ibu Ratna" in card
        assert "Disetujui (pernyataan petugas)" in card  # attested from the console
        assert "3271********0012" in card  # a worker sees their own NIK masked
        link = 'href="/persetujuan/'
        assert link in card and "Akhiri sponsor ini" in card
        sponsorship_id = card.split(link, 1)[1].split("/", 1)[0]

        # One tap does not end it: the page asks first and says what happens next.
        asked = worker.get(f"/persetujuan/{sponsorship_id}/akhiri")
        assert asked.status_code == 200
        assert "Desember 2026" in asked.text and "15 Desember 2026" in asked.text
        assert 'value="2026-12" required checked' in asked.text
        unasked = worker.post(f"/persetujuan/{sponsorship_id}/akhiri")
        assert unasked.status_code == 422  # no month chosen: asked again, nothing ended
        assert "Pilih bulan sponsor berakhir" in unasked.text
        too_early = worker.post(f"/persetujuan/{sponsorship_id}/akhiri", data={"mulai": "2026-10"})
        assert too_early.status_code == 422
        assert "Sponsor hanya bisa berakhir mulai Desember 2026" in too_early.text

        ended = worker.post(f"/persetujuan/{sponsorship_id}/akhiri", data={"mulai": "2026-12"})

        assert ended.status_code == 200
        assert "Sponsor berakhir mulai Desember 2026" in ended.text
        assert "sampai November 2026" in ended.text  # a month in words, never ISO (issue 16)
        assert "Akhiri sponsor ini" not in ended.text
    with container.uow() as uow:
        events = [e.action for e in uow.audit.between(
            dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
        )]  # fmt: skip
    assert "sponsorship.end" in events


def test_another_member_is_a_403_page_for_a_worker(
    container: Container, provider: RecordingProvider, client: TestClient
) -> None:
    member_id = sponsored_worker(container)
    other = client.post(
        "/api/v1/members",
        json={
            "nik": build_nik("327101", dt.date(1985, 3, 1), "M", 7),
            "full_name": "Asep Suryana",
            "birth_date": "1985-03-01",
            "sex": "M",
            "phone": "0813-1111-2222",
            "region_code": "32.71.01.1001",
            "occupation": "driver",
            "declared_income": 1_000_000,
            "programs": ["JKK", "JKM"],
        },
    ).json()["id"]
    with FormClient(create_app(container), raise_server_exceptions=False) as worker:
        web_phone_sign_in(worker, provider, WORKER_PHONE)
        assert worker.get(f"/peserta/{member_id}").status_code == 200
        refused = worker.get(f"/peserta/{other}")

    assert refused.status_code == 403
    assert "Akses ditolak" in refused.text
    assert "Asep" not in refused.text
