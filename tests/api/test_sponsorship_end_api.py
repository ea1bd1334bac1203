"""`/api/v1/sponsorships/{id}/end`: what ending would do (GET), then ending it from a month
(POST), as the worker (issue 16 point 2)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sertakan.app import create_app
from sertakan.bootstrap import Container
from sertakan.notifications.providers import RecordingProvider
from tests.support.auth import phone_bearer
from tests.support.builders import WORKER_PHONE, sponsored_worker


def test_the_worker_sees_what_ending_does_then_ends_from_the_month_given(
    container: Container, provider: RecordingProvider
) -> None:
    member_id = sponsored_worker(container)
    with TestClient(create_app(container)) as client:
        client.headers.update(phone_bearer(client, provider, WORKER_PHONE))
        [line] = client.get(f"/api/v1/members/{member_id}/sponsorships").json()
        path = f"/api/v1/sponsorships/{line['id']}/end"

        preview = client.get(path)
        refused = client.post(path, json={"from_month": "2026-10"})
        wrong = client.post(path, json={"from_month": "December"})
        ended = client.post(path, json={"from_month": "2026-12"})
        again = client.post(path, json={})

    assert preview.status_code == 200, preview.text
    assert preview.json() | {"reference": ""} == {
        "sponsorship_id": line["id"],
        "from_month": "2026-12",
        "choices": ["2026-12"],  # it began in November: it cannot end from its first month
        "worker_due_on": "2026-12-15",
        "grace_months": 3,
        "ends_after_unpaid_months": 3,
        "reference": "",
    }
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["rule"] == "sponsorship.end_month"
    assert wrong.status_code == 422
    assert ended.status_code == 200, ended.text
    assert ended.json()["until_month"] == "2026-11"
    assert again.status_code == 409
