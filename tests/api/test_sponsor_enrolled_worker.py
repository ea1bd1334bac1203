"""A NIK enrolled already can be sponsored instead of ending at "sudah terdaftar" (issue 16
point 2): the consent code goes to the phone on the member's record, and until the worker
consents the sponsor sees nothing of the record but the masked KPJ."""

from __future__ import annotations

import dataclasses
import datetime as dt

from fastapi.testclient import TestClient

from sertakan.app import create_app
from sertakan.bootstrap import Container
from sertakan.notifications.providers import RecordingProvider
from sertakan.registry.nik import build_nik
from tests.support.auth import CONSOLE, FormClient, last_code, phone_bearer, web_phone_sign_in
from tests.support.builders import a_sponsor, a_worker
from tests.support.people import enrolment_form as worker

SPONSOR_PHONE = "+6281298765432"
WORKER_PHONE = "+6281234567890"  # the phone on Siti's record


def _self_paying_siti_and_ratna(container: Container) -> tuple[str, str, str]:
    """Siti, enrolled by the console paying for herself; Ibu Ratna, a sponsor."""
    sponsor = container.registry.register_sponsor(CONSOLE, a_sponsor())
    card = container.registry.enrol_member(CONSOLE, a_worker())
    return sponsor.id, card.member.id, card.member.kpj


def test_the_sponsor_offered_to_pay_for_an_enrolled_worker_reaches_her_only_after_consent(
    container: Container, provider: RecordingProvider
) -> None:
    sponsor_id, siti, kpj = _self_paying_siti_and_ratna(container)
    with FormClient(create_app(container)) as ratna:
        web_phone_sign_in(ratna, provider, SPONSOR_PHONE)
        taken = ratna.post(
            "/daftar",
            data=worker(nik=a_worker().nik, sponsor_id=sponsor_id),
            follow_redirects=False,
        )
        assert taken.status_code == 409
        assert f"KPJ *******{kpj[-4:]}" in taken.text and kpj not in taken.text  # masked
        assert "Sponsori pekerja ini" in taken.text
        codes_before = len(provider.sent_to(WORKER_PHONE))

        asked = ratna.post(
            "/daftar/sponsori",
            data={"sponsor_id": sponsor_id, "nik": a_worker().nik},
            follow_redirects=False,
        )

        assert asked.status_code == 303
        consent_page = asked.headers["location"]
        assert consent_page.startswith("/persetujuan/")
        assert len(provider.sent_to(WORKER_PHONE)) == codes_before + 1  # her record's phone
        # Not consented yet: her record stays hers; the sheet does not list her.
        assert ratna.get(f"/peserta/{siti}").status_code == 403
        assert "Siti" not in ratna.get(f"/sponsor/{sponsor_id}").text

        confirmed = ratna.post(consent_page, data={"code": last_code(provider, WORKER_PHONE)})

        assert confirmed.status_code == 200, confirmed.text
        assert ratna.get(f"/peserta/{siti}").status_code == 200
        assert "Siti Rahmawati" in ratna.get(f"/sponsor/{sponsor_id}").text


def test_the_api_asks_once_and_refuses_an_unknown_nik_and_a_worker_already_sponsored(
    container: Container, provider: RecordingProvider
) -> None:
    sponsor_id, _siti, kpj = _self_paying_siti_and_ratna(container)
    stranger = dataclasses.replace(
        a_worker(),
        nik=build_nik("327101", dt.date(1991, 2, 3), "F", 40),
        birth_date=dt.date(1991, 2, 3),
    )
    with TestClient(create_app(container)) as client:
        client.headers.update(phone_bearer(client, provider, SPONSOR_PHONE))
        first = client.post(
            "/api/v1/sponsorships", json={"sponsor_id": sponsor_id, "nik": a_worker().nik}
        )
        again = client.post(
            "/api/v1/sponsorships", json={"sponsor_id": sponsor_id, "nik": a_worker().nik}
        )
        unknown = client.post(
            "/api/v1/sponsorships", json={"sponsor_id": sponsor_id, "nik": stranger.nik}
        )
        other = client.post(
            "/api/v1/sponsorships", json={"sponsor_id": "someone-else", "nik": a_worker().nik}
        )

    assert first.status_code == 201, first.text
    assert first.json()["kpj_masked"] == "*******" + kpj[-4:]
    assert first.json()["sponsorship"]["consent"] == "requested"
    assert again.status_code == 409
    assert again.json()["rule"] == "registry.member.sponsored"
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["rule"] == "registry.nik.not_enrolled"
    assert other.status_code == 403  # a sponsor asks only as themselves
