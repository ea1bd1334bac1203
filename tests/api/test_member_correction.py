"""Branch staff correct a member's name, phone and address with a reason (issue 16 point 2):
checked as at enrolment, audited before and after, the worker's sign-in phone follows."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from sertakan.app import create_app
from sertakan.bootstrap import Container
from sertakan.notifications.providers import RecordingProvider
from tests.support.auth import FormClient, bearer, phone_bearer, web_sign_in
from tests.support.builders import sponsored_worker

NEW_PHONE = "+6285712340000"
REASON = "Salah ketik saat pendaftaran, sesuai KTP"


def _corrections(container: Container) -> list[object]:
    with container.uow() as uow:
        return [
            e
            for e in uow.audit.between(
                dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
            )
            if e.action in ("member.correct", "account.correct") and e.outcome.value == "done"
        ]


def test_the_officer_corrects_name_phone_and_address_on_the_page_with_a_reason(
    container: Container, provider: RecordingProvider
) -> None:
    member_id = sponsored_worker(container)
    with FormClient(create_app(container)) as officer:
        web_sign_in(officer, "officer")
        card = officer.get(f"/peserta/{member_id}").text
        assert f'href="/peserta/{member_id}/koreksi"' in card
        form = officer.get(f"/peserta/{member_id}/koreksi")
        assert form.status_code == 200
        assert 'value="Siti Rahmawati"' in form.text
        good = {
            "full_name": "Siti Rahmawati Putri",
            "phone": "0857-1234-0000",
            "provinsi": "32",
            "kabupaten": "32.71",
            "kecamatan": "32.71.01",
            "region_code": "32.71.01.1002",
            "address": "Jl. Salak 9",
        }

        refused = officer.post(
            f"/peserta/{member_id}/koreksi",
            data=good | {"phone": "12", "full_name": "", "reason": "typo"},
        )
        assert refused.status_code == 422
        assert refused.text.count('aria-invalid="true"') >= 3  # name, phone and reason
        assert _corrections(container) == []

        done = officer.post(
            f"/peserta/{member_id}/koreksi", data=good | {"reason": REASON}, follow_redirects=True
        )

    assert done.status_code == 200
    assert "Data peserta sudah dikoreksi" in done.text and "Siti Rahmawati Putri" in done.text
    with container.uow() as uow:
        member = uow.members.get(member_id)
        account = uow.accounts.for_member(member_id)
    assert member is not None and account is not None
    assert (member.full_name, member.phone, member.region_code, member.address) == (
        "Siti Rahmawati Putri",
        NEW_PHONE,
        "32.71.01.1002",
        "Jl. Salak 9",
    )
    assert (account.phone, account.display_name) == (NEW_PHONE, "Siti Rahmawati Putri")
    corrected, account_event = _corrections(container)
    assert corrected.reason == REASON  # type: ignore[attr-defined]
    assert corrected.before["full_name"] == "Siti Rahmawati"  # type: ignore[attr-defined]
    assert corrected.after["phone"] == "+62857*****000"  # masked, as every log  # type: ignore[attr-defined]
    assert "0000" not in str(account_event.after)  # type: ignore[attr-defined]
    # The worker signs in with the corrected phone.
    with TestClient(create_app(container)) as worker:
        headers = phone_bearer(worker, provider, NEW_PHONE)
        assert worker.get(f"/api/v1/members/{member_id}", headers=headers).status_code == 200


def test_the_api_corrects_too_and_the_worker_may_not(
    container: Container, provider: RecordingProvider
) -> None:
    member_id = sponsored_worker(container)
    body = {
        "full_name": "Siti Rahmawati",
        "phone": "081234567890",
        "region_code": "32.71.01.1001",
        "address": "Jl. Baru 1",
        "reason": REASON,
    }
    with TestClient(create_app(container)) as client:
        as_officer = client.post(
            f"/api/v1/members/{member_id}/correction", json=body, headers=bearer(client, "officer")
        )
        no_reason = client.post(
            f"/api/v1/members/{member_id}/correction",
            json=body | {"reason": ""},
            headers=bearer(client, "officer"),
        )
        as_worker = client.post(
            f"/api/v1/members/{member_id}/correction",
            json=body,
            headers=phone_bearer(client, provider, "+6281234567890"),
        )

    assert as_officer.status_code == 200, as_officer.text
    assert as_officer.json()["address"] == "Jl. Baru 1"
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    assert as_worker.status_code == 403
    [event] = _corrections(container)  # the phone and name unchanged: the account untouched
    assert event.after["address"] == "Jl. Baru 1"  # type: ignore[attr-defined]
