"""A member's income level and programmes changed from next month, through the API and the
member page (issue 16 point 2): the preview shows next month's price as it stands and the new
one, the confirmation keeps the change pending from December (today is 25 November 2026)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from sertakan.app import create_app
from sertakan.bootstrap import Container
from sertakan.notifications.providers import RecordingProvider
from tests.support.auth import FormClient, phone_bearer, web_phone_sign_in, web_sign_in
from tests.support.builders import WORKER_PHONE, sponsored_worker

SPONSOR_PHONE = "+6281298765432"  # Ibu Ratna (a_sponsor)
CURRENT = 8_400  # Siti, 1,000,000, JKK + JKM, PP 50/2025 discount (as the card quotes it)


def _terms_of(container: Container, member_id: str) -> tuple[object, object]:
    with container.uow() as uow:
        member = uow.members.get(member_id)
    assert member is not None
    return member.pending, member.pending_from


def test_the_sponsor_previews_then_changes_the_terms_through_the_api(
    container: Container, provider: RecordingProvider
) -> None:
    member_id = sponsored_worker(container)  # 1,000,000, JKK + JKM
    url = f"/api/v1/members/{member_id}/terms"
    with TestClient(create_app(container)) as client:
        ratna = phone_bearer(client, provider, SPONSOR_PHONE)
        preview = client.get(
            url,
            params={"income_level": 2_000_000, "programmes": ["JKK", "JKM", "JHT"]},
            headers=ratna,
        )
        not_a_level = client.get(
            url, params={"income_level": 1_234_567, "programmes": ["JKK", "JKM"]}, headers=ratna
        )
        assert _terms_of(container, member_id) == (None, None)  # previews write nothing
        done = client.post(
            url,
            json={"declared_income": 2_000_000, "programs": ["JKK", "JKM", "JHT"]},
            headers=ratna,
        )
        as_worker = client.post(
            url,
            json={"declared_income": 2_000_000, "programs": ["JKK", "JKM"]},
            headers=phone_bearer(client, provider, WORKER_PHONE),
        )

    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["from_month"] == "2026-12"
    assert body["current"]["total"] == CURRENT
    assert body["new"]["programs"] == ["JKK", "JKM", "JHT"]
    assert body["new"]["total"] > body["current"]["total"]
    assert body["new"]["discounts"]  # PP 50/2025, as the quote applies it
    assert not_a_level.status_code == 422
    assert not_a_level.json()["errors"][0]["rule"] == "bpu.declared_income.level"
    assert done.status_code == 200, done.text
    assert done.json()["new"] == body["new"]
    pending, pending_from = _terms_of(container, member_id)
    assert str(pending_from) == "2026-12"
    assert getattr(pending, "declared_income", None) == 2_000_000
    assert as_worker.status_code == 403  # her sponsor pays: the terms are the sponsor's


def test_the_officer_changes_the_terms_on_the_member_page_after_the_preview(
    container: Container,
) -> None:
    member_id = sponsored_worker(container)
    with FormClient(create_app(container)) as officer:
        web_sign_in(officer, "officer")
        card = officer.get(f"/peserta/{member_id}").text
        assert f'href="/peserta/{member_id}/iuran"' in card
        form = officer.get(f"/peserta/{member_id}/iuran")
        assert form.status_code == 200
        assert 'value="1000000" selected' in form.text

        refused = officer.post(f"/peserta/{member_id}/iuran", data={"declared_income": "12"})
        assert refused.status_code == 422
        assert "Penghasilan minimal" in refused.text
        preview = officer.post(
            f"/peserta/{member_id}/iuran",
            data={"declared_income": "2000000", "programs": ["JHT"]},
        )
        assert preview.status_code == 200
        assert "data-preview" in preview.text and "Desember 2026" in preview.text
        totals = re.findall(r"data-total>([^<]+)<", preview.text)
        assert len(totals) == 2 and totals[0] != totals[1]
        assert _terms_of(container, member_id) == (None, None)

        done = officer.post(
            f"/peserta/{member_id}/iuran",
            data={"declared_income": "2000000", "programs": ["JHT"], "konfirmasi": "1"},
            follow_redirects=True,
        )
        english = officer.post(
            f"/peserta/{member_id}/iuran?lang=en",
            data={"declared_income": "2000000", "programs": ["JHT"]},
        )
        assert english.status_code == 422  # the change made already
        assert "These are the terms already" in english.text

    assert done.status_code == 200
    assert "Penghasilan dan program sudah diubah mulai bulan depan." in done.text
    assert "data-pending-terms" in done.text and "JKK + JKM + JHT" in done.text
    pending, pending_from = _terms_of(container, member_id)
    assert str(pending_from) == "2026-12"
    assert getattr(pending, "programs", None) == ("JKK", "JKM", "JHT")


def test_a_sponsored_worker_sees_no_change_button_and_the_page_refuses_her(
    container: Container, provider: RecordingProvider
) -> None:
    member_id = sponsored_worker(container)
    with FormClient(create_app(container)) as worker:
        web_phone_sign_in(worker, provider, WORKER_PHONE)
        card = worker.get(f"/peserta/{member_id}").text
        refused = worker.post(f"/peserta/{member_id}/iuran", data={"declared_income": "2000000"})

    assert f"/peserta/{member_id}/iuran" not in card
    assert refused.status_code == 403
